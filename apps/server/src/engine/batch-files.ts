import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Clock, LOGGER, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import { createFileStream, fileTimestampSql, streamCopyFile, type FileSpec } from '@leadrelay/files';
import type { BatchFile, FileColumn, FileFormatOptions, LeadRecord } from '@leadrelay/sdk';
import type { LeadFilter } from '../admin/admin-queries';
import { AdminQueries } from '../admin/admin-queries';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { notFound } from '../common/http-errors';

/** What a batch keeps so its file can be rebuilt byte for byte, whatever the campaign file says later. */
export interface StoredFileOptions extends FileFormatOptions {
  formulaGuard: boolean;
  columns: FileColumn[];
  /** A pattern until the batch exists, then the final name. */
  fileName: string;
}

const CONTENT_TYPE = { csv: 'text/csv; charset=utf-8', tsv: 'text/tab-separated-values; charset=utf-8' };

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** SQL producing one column's text from a lead row `l`: the same text the JS writer gets from the lead. */
function columnSql(source: string): string {
  if (source === 'lead_id') return 'l.id::text';
  if (source === 'received_at') return fileTimestampSql('l.received_at');
  if (source.startsWith('status:')) {
    return `(select x.status from dispatch x where x.lead_id = l.id and x.delivery_id = ${quoteLiteral(source.slice(7))})`;
  }
  return `l.data ->> ${quoteLiteral(source)}`;
}

/** The JS side of the same mapping, for files built from leads in memory (one lead, real time). */
function columnValue(source: string, lead: LeadRecord): unknown {
  if (source === 'lead_id') return lead.id;
  if (source === 'received_at') return lead.receivedAt.toISOString();
  return lead.data[source];
}

function renderFileName(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => values[key] ?? '').replace(/[\\/\r\n"]/g, '_');
}

/**
 * Builds batch, export and one-lead files with the project's one CSV/TSV writer. Batch and export
 * files are made by PostgreSQL (`COPY … TO STDOUT`) and streamed: a million leads never sit in
 * memory (see README, B3); a lone lead is written in memory.
 */
@Injectable()
export class BatchFiles {
  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly queries: AdminQueries,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The delivery's file options, with a person's choice of format/quote/header on top. */
  optionsFor(campaign: ResolvedCampaign, delivery: ResolvedDelivery, choice: Partial<FileFormatOptions>, batchId = ''): StoredFileOptions {
    const base = delivery.plugin.fileOptions!(delivery.options, campaign);
    const format = choice.format ?? base.format;
    const at = this.clock.now();
    return {
      format,
      quote: choice.quote ?? base.quote,
      header: choice.header ?? base.header,
      formulaGuard: base.formulaGuard,
      columns: base.columns,
      fileName: renderFileName(base.fileName, {
        campaign: campaign.id,
        delivery: delivery.id,
        date: at.toISOString().slice(0, 10),
        time: at.toISOString().slice(11, 19).replace(/:/g, ''),
        batch: batchId,
        ext: format,
      }),
    };
  }

  forBatch(batch: Record<string, any>): BatchFile {
    const options = batch.options as StoredFileOptions;
    const select = `select ${options.columns.map((c) => columnSql(c.source)).join(', ')}
      from dispatch d join lead l on l.id = d.lead_id
      where d.batch_id = ${quoteLiteral(batch.id)} order by l.received_at, l.id`;
    return this.fileFromSql(options, select);
  }

  forExport(campaignId: string, filter: LeadFilter, choice: Partial<FileFormatOptions>): BatchFile {
    const campaign = this.registry.get(campaignId);
    if (!campaign) throw notFound(`No campaign '${campaignId}'.`);
    const columns: FileColumn[] = [
      ...campaign.fields.map((f) => ({ header: f.name, source: f.name })),
      { header: 'lead_id', source: 'lead_id' },
      { header: 'received_at', source: 'received_at' },
      ...campaign.deliveries.map((d) => ({ header: `${d.id}_status`, source: `status:${d.id}` })),
    ];
    const params: unknown[] = [];
    const where = this.queries.leadConditions(campaignId, filter, params);
    // COPY takes no parameters: the (already validated) values are inlined as literals.
    const inlined = where.replace(/\$(\d+)/g, (_, n: string) => {
      const v = params[Number(n) - 1];
      return quoteLiteral(v instanceof Date ? v.toISOString() : String(v));
    });
    const format = choice.format ?? 'csv';
    const stamp = this.clock.now().toISOString().slice(0, 10);
    const options: StoredFileOptions = {
      format,
      quote: choice.quote ?? 'needed',
      header: choice.header ?? true,
      formulaGuard: true,
      columns,
      fileName: `${campaignId}-export-${stamp}.${format}`,
    };
    const select = `select ${columns.map((c) => columnSql(c.source)).join(', ')} from lead l where ${inlined} order by l.received_at, l.id`;
    return this.fileFromSql(options, select);
  }

  /** One lead as a one-row file (real-time email). */
  forLead(campaign: ResolvedCampaign, delivery: ResolvedDelivery, lead: LeadRecord): BatchFile {
    const options = this.optionsFor(campaign, delivery, {});
    const spec = this.spec(options);
    const open = () => createFileStream([options.columns.map((c) => columnValue(c.source, lead))], spec);
    return {
      fileName: options.fileName,
      contentType: CONTENT_TYPE[options.format],
      open,
      byteLength: () => countBytes(open()),
    };
  }

  /** Streams a file as an attachment download; a client going away ends the query, not the server. */
  async send(res: Response, file: BatchFile): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', contentDisposition(file.fileName));
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(file.open() as Readable, res);
    } catch (err) {
      this.logger.warn({ err, file: file.fileName }, 'file download ended early');
      res.destroy();
    }
  }

  private spec(options: StoredFileOptions): FileSpec {
    return {
      format: options.format,
      quote: options.quote,
      header: options.header,
      formulaGuard: options.formulaGuard,
      headers: options.columns.map((c) => c.header),
    };
  }

  private fileFromSql(options: StoredFileOptions, select: string): BatchFile {
    const spec = this.spec(options);
    const open = () => streamCopyFile(this.db.pool, select, spec);
    return { fileName: options.fileName, contentType: CONTENT_TYPE[options.format], open, byteLength: () => countBytes(open()) };
  }
}

/**
 * `attachment; filename="…"`, plus RFC 6266's `filename*` (UTF-8, percent-encoded) when the name
 * is not plain ASCII: a campaign's file name pattern may hold any text, and Node refuses a header
 * with characters outside Latin-1 (the download would fail) and sends Latin-1 ones as the wrong bytes.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  if (ascii === fileName) return `attachment; filename="${fileName}"`;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

async function countBytes(stream: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) n += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  return n;
}
