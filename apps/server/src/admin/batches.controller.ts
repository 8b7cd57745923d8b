import { Controller, Get, Inject, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { sendFile } from '../common/file.response';
import { badRequest, notFound } from '../common/http-errors';
import { parseObjectBody, readBody } from '../common/request-body';
import { OperatorActions } from '../audit/operator.actions';
import { BatchFiles } from '../engine/batch-files';
import { AdminTokenGuard, apiActor } from './admin-token.guard';
import type { LeadFilter } from './admin-queries';
import { ApiAdmin, ApiErrors, ApiFile, ApiJson, ApiOperatorOnly } from '../openapi/api-responses';
import { MANUAL_DELIVERY_BODY } from '../openapi/api-schemas';
import { isUuid } from '../common/uuid';

const manualDeliverySchema = z
  .object({
    delivery: z.string().min(1).optional(),
    format: z.enum(['csv', 'tsv']).optional(),
    quote: z.enum(['all', 'needed']).optional(),
    header: z.boolean().optional(),
    allowEmpty: z.boolean().optional(),
  })
  .strict();

const boolParam = (v: string | undefined, name: string): boolean | undefined => {
  if (v === undefined || v === '') return undefined;
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw badRequest(`${name} must be true or false.`);
};

/** A batch as the API shows it; `plugin` is read from the campaigns in force (null once the delivery is gone). */
export function batchJson(b: Record<string, any>, registry: CampaignRegistry) {
  return {
    id: b.id,
    campaign: b.campaign_id,
    delivery: b.delivery_id,
    plugin: registry.pluginName(b.campaign_id, b.delivery_id),
    mode: b.mode,
    status: b.status,
    createdAt: b.created_at.toISOString(),
    leadCount: b.lead_count,
    attempts: b.attempts,
    reason: b.reason,
    options: { format: b.options.format, quote: b.options.quote, header: b.options.header, fileName: b.options.fileName },
    file: `/v1/batches/${b.id}/file`,
  };
}

/** Manual deliveries, batches and their files, exports (docs/api.md). */
@Controller('v1')
@UseGuards(AdminTokenGuard)
@ApiAdmin('batches')
export class BatchesController {
  constructor(
    private readonly db: Database,
    private readonly actions: OperatorActions,
    private readonly files: BatchFiles,
    private readonly registry: CampaignRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('campaigns/:id/manual-deliveries')
  @HttpCode(201)
  @ApiOperation({ summary: "Deliver an on-demand delivery's pending leads as one batch file (docs/api.md › Manual deliveries)" })
  @ApiBody({ required: false, schema: MANUAL_DELIVERY_BODY })
  @ApiJson(201, 'BatchSummary', '`delivered` when the download is the delivery; `pending` until a sending plugin’s send succeeded.')
  @ApiErrors([400, 404, 409, 413, 415], {
    400: 'Bad body, no delivery named where the campaign has several on-demand ones, or a delivery that is not on-demand.',
    409: 'The delivery is paused, or no lead is pending and `allowEmpty` is not true.',
  })
  @ApiOperatorOnly()
  async manual(@Param('id') campaignId: string, @Req() req: FastifyRequest) {
    const raw = await readBody(req);
    const body = raw.length ? parseObjectBody(raw, req.headers['content-type'] ?? 'application/json') : {};
    const parsed = manualDeliverySchema.safeParse({ ...body });
    if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const { delivery, allowEmpty, ...choice } = parsed.data;
    return this.actions.manualDelivery(apiActor(req), campaignId, delivery, choice, allowEmpty).catch((err) => {
      // The console says it in its own words; a caller of the API learns how to ask for the empty batch.
      if (err instanceof DomainError && err.code === 'nothing_pending') throw new DomainError(err.code, `${err.message} Send "allowEmpty": true to make an empty batch all the same.`);
      throw err;
    });
  }

  @Get('campaigns/:id/batches')
  @ApiOperation({ summary: "A campaign's batches, newest first, at most 500" })
  @ApiJson(200, 'BatchList', 'The batches.')
  @ApiErrors([404])
  async list(@Param('id') campaignId: string) {
    // Archived campaigns keep their batches; only a campaign never applied is unknown.
    const known = await this.db.query('select 1 from campaign where id = $1', [campaignId]);
    if (!known.rowCount) throw notFound(`No campaign '${campaignId}'.`);
    const { rows } = await this.db.query('select * from batch where campaign_id = $1 order by created_at desc, id desc limit 500', [campaignId]);
    return { items: rows.map((b) => batchJson(b, this.registry)) };
  }

  @Get('batches/:id')
  @ApiOperation({ summary: 'One batch' })
  @ApiJson(200, 'Batch', 'The batch.')
  @ApiErrors([404])
  async one(@Param('id') id: string) {
    return batchJson(await this.find(id), this.registry);
  }

  @Post('batches/:id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed batch again, same leads, same file' })
  @ApiJson(202, 'Retried', 'Pending again, with a fresh retry schedule.')
  @ApiErrors([404, 409], { 409: 'The batch is not failed.' })
  @ApiOperatorOnly()
  retry(@Param('id') id: string, @Req() req: FastifyRequest) {
    if (!isUuid(id)) throw notFound(`No batch '${id}'.`);
    return this.actions.retryBatch(apiActor(req), id);
  }

  @Get('batches/:id/file')
  @ApiOperation({ summary: "The batch's file, the same bytes every time (erased leads' values blank)" })
  @ApiFile('The file, streamed.')
  @ApiErrors([404])
  async file(@Param('id') id: string, @Res() res: FastifyReply): Promise<void> {
    const batch = await this.find(id);
    await sendFile(res, this.files.forBatch(batch), this.logger);
  }

  @Get('campaigns/:id/export')
  @ApiOperation({ summary: "A campaign's matching leads as a file; changes nothing" })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'tsv'] })
  @ApiQuery({ name: 'quote', required: false, enum: ['needed', 'all'] })
  @ApiQuery({ name: 'header', required: false, enum: ['true', '1', 'yes', 'false', '0', 'no'] })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'delivered', 'rejected', 'failed', 'skipped'] })
  @ApiQuery({ name: 'delivery', required: false, type: String })
  @ApiQuery({ name: 'since', required: false, type: String })
  @ApiQuery({ name: 'until', required: false, type: String })
  @ApiFile('`<campaign>-export-<YYYY-MM-DD>.<ext>`, streamed.')
  @ApiErrors([400, 404])
  async export(@Param('id') campaignId: string, @Query() query: Record<string, string>, @Res() res: FastifyReply): Promise<void> {
    const choice = {
      format: query.format === undefined ? undefined : query.format === 'csv' || query.format === 'tsv' ? (query.format as 'csv' | 'tsv') : badFormat(),
      quote: query.quote === undefined ? undefined : query.quote === 'all' || query.quote === 'needed' ? (query.quote as 'all' | 'needed') : badQuote(),
      header: boolParam(query.header, 'header'),
    };
    const filter: LeadFilter = { status: query.status, delivery: query.delivery, since: query.since, until: query.until };
    await sendFile(res, this.files.forExport(campaignId, filter, choice), this.logger);
  }

  private async find(id: string): Promise<Record<string, any>> {
    if (!isUuid(id)) throw notFound(`No batch '${id}'.`);
    const { rows } = await this.db.query('select * from batch where id = $1', [id]);
    if (!rows.length) throw notFound(`No batch '${id}'.`);
    return rows[0];
  }
}

function badFormat(): never {
  throw badRequest('format must be csv or tsv.');
}
function badQuote(): never {
  throw badRequest('quote must be all or needed.');
}

