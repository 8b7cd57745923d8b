import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import { batchFileOptions, countBytes, fileSpecOf, fileTimestampSql, FILE_CONTENT_TYPE, oneLeadFile, streamCopyFile, type StoredFileOptions } from '@leadrelay/files';
import type { BatchFile, FileColumn, FileFormatOptions, LeadRecord } from '@leadrelay/sdk/plugin';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { leadConditions, type LeadFilter } from './lead-filter';

export type { StoredFileOptions };

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
    private readonly clock: Clock,
  ) {}

  /** The delivery's file options for a batch, with a person's choice of format/quote/header on top. */
  optionsFor(campaign: ResolvedCampaign, delivery: ResolvedDelivery, choice: Partial<FileFormatOptions>, batchId = ''): StoredFileOptions {
    const base = delivery.plugin.fileOptions!(delivery.options, campaign);
    return batchFileOptions(base, { campaign: campaign.id, delivery: delivery.id, batch: batchId }, this.clock.now(), choice);
  }

  forBatch(batch: Record<string, any>): BatchFile {
    const options = batch.options as StoredFileOptions;
    // A range batch covers its delivery's unclaimed rows written in [from_txid, to_txid); one made
    // before ranges names its dispatches by batch_id (docs/architecture.md, "Batches").
    const members = batch.to_txid
      ? `d.campaign_id = ${quoteLiteral(batch.campaign_id)} and d.delivery_id = ${quoteLiteral(batch.delivery_id)} and d.status = 'pending'
         and d.batch_id is null and d.txid >= ${quoteLiteral(batch.from_txid)}::xid8 and d.txid < ${quoteLiteral(batch.to_txid)}::xid8`
      : `d.batch_id = ${quoteLiteral(batch.id)}`;
    const select = `select ${options.columns.map((c) => columnSql(c.source)).join(', ')}
      from dispatch_row d join lead l on l.id = d.lead_id
      where ${members} order by l.received_at, l.id`;
    return this.fileFromSql(options, select);
  }

  forExport(campaignId: string, filter: LeadFilter, choice: Partial<FileFormatOptions>): BatchFile {
    // An archived campaign's leads export too, with the columns of its last version.
    const campaign = this.registry.forReading(campaignId);
    if (!campaign) throw new DomainError('not_found', `No campaign '${campaignId}'.`);
    const columns: FileColumn[] = [
      ...campaign.fields.map((f) => ({ header: f.name, source: f.name })),
      { header: 'lead_id', source: 'lead_id' },
      { header: 'received_at', source: 'received_at' },
      ...campaign.deliveries.map((d) => ({ header: `${d.id}_status`, source: `status:${d.id}` })),
    ];
    const params: unknown[] = [];
    const where = leadConditions(campaignId, filter, params);
    // COPY takes no parameters: the (already validated) values are inlined as literals.
    const inlined = where.replace(/\$(\d+)/g, (_, n: string) => {
      const v = params[Number(n) - 1];
      return quoteLiteral(v instanceof Date ? v.toISOString() : String(v));
    });
    const format = choice.format ?? 'csv';
    const stamp = DateTime.fromJSDate(this.clock.now(), { zone: 'utc' }).toFormat('yyyy-MM-dd');
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
    return oneLeadFile(this.optionsFor(campaign, delivery, {}), lead);
  }

  private fileFromSql(options: StoredFileOptions, select: string): BatchFile {
    const spec = fileSpecOf(options);
    const open = () => streamCopyFile(this.db.streams, select, spec);
    return { fileName: options.fileName, contentType: FILE_CONTENT_TYPE[options.format], open, byteLength: () => countBytes(open()) };
  }
}
