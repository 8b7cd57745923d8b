import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Campaign } from '@leadrelay/persistence';
import { notFound } from '../common/http-errors';
import { parseObjectBody, readBody } from '../common/request-body';
import { replayRequestOf } from './replay.request';
import { OperatorActions } from '../audit/operator.actions';
import { AdminTokenGuard, apiActor } from './admin-token.guard';
import { AdminQueries, type LeadFilter } from './admin-queries';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { DeliveryStates, type DeliveryLiveState } from '../engine/contracts/delivery.state';
import { ApiAdmin, ApiErrors, ApiJson, ApiOperatorOnly } from '../openapi/api-responses';
import { REPLAY_BODY } from '../openapi/api-schemas';

type StoredDelivery = { id: string; plugin: string; summary: string; mode: string; schedule?: unknown; controls?: Record<string, unknown> };

/** A campaign as the API shows it; with `live`, each delivery in force also shows its contract's state now. */
export function campaignJson(c: Campaign, live?: Map<string, DeliveryLiveState>) {
  const def = c.definition as { fields?: unknown[]; deliveries?: StoredDelivery[] };
  return {
    id: c.id,
    name: c.name,
    version: c.version,
    archived: c.archived,
    fields: def.fields ?? [],
    deliveries: (def.deliveries ?? []).map((d) => ({
      id: d.id,
      plugin: d.plugin,
      summary: d.summary,
      mode: d.mode,
      ...(d.schedule ? { schedule: d.schedule } : {}),
      controls: d.controls ?? {},
      ...(live?.get(d.id) ?? {}),
    })),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** Campaigns and their leads (docs/api.md, Admin API). */
@Controller('v1/campaigns')
@UseGuards(AdminTokenGuard)
@ApiAdmin('campaigns')
export class CampaignsController {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: AdminQueries,
    private readonly registry: CampaignRegistry,
    private readonly states: DeliveryStates,
    private readonly actions: OperatorActions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every campaign, by id, archived ones included' })
  @ApiJson(200, 'CampaignList', 'The campaigns.')
  async list() {
    const rows = await this.em.fork().find(Campaign, {}, { orderBy: { id: 'asc' } });
    return { items: rows.map((c) => campaignJson(c)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign, each delivery in force with its live state' })
  @ApiJson(200, 'Campaign', 'The campaign.')
  @ApiErrors([404])
  async one(@Param('id') id: string) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    const inForce = this.registry.get(id);
    return campaignJson(row, inForce ? await this.states.of(inForce) : undefined);
  }

  /** Holds every send of the delivery (real-time sends wait, no batch is made); nothing is lost. */
  @Post(':id/deliveries/:delivery/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a delivery: its sends wait, nothing is lost' })
  @ApiJson(200, 'PauseState', 'Paused.')
  @ApiErrors([404], { 404: 'A campaign not in force or an unknown delivery.' })
  @ApiOperatorOnly()
  pause(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest) {
    return this.actions.setPaused(apiActor(req), id, delivery, true);
  }

  /** Lets the delivery's held sends go again, oldest first. */
  @Post(':id/deliveries/:delivery/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a delivery: its held sends go, oldest first' })
  @ApiJson(200, 'PauseState', 'Resumed.')
  @ApiErrors([404], { 404: 'A campaign not in force or an unknown delivery.' })
  @ApiOperatorOnly()
  resume(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest) {
    return this.actions.setPaused(apiActor(req), id, delivery, false);
  }

  /** A scheduled delivery's batch now, claimed as a tick claims: 202 while it is sent, 200 when nothing was to send. */
  @Post(':id/deliveries/:delivery/run')
  @ApiOperation({ summary: "A scheduled delivery's next batch now (docs/api.md › Run a schedule now)" })
  @ApiJson(202, 'RunSummary', 'The batch is made and sent from a job: follow it with GET /v1/batches/{id}.')
  @ApiJson(200, 'RunSummary', 'Nothing was to send: `id: null`.')
  @ApiErrors([404, 409], { 409: 'The delivery is not scheduled, or it is paused.' })
  @ApiOperatorOnly()
  async run(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const run = await this.actions.runNow(apiActor(req), id, delivery);
    res.status(run.id ? 202 : 200).send(run);
  }

  /** Bulk replay: every failed or rejected dispatch of the delivery in a time range, or only their count (`dryRun`). */
  @Post(':id/deliveries/:delivery/retry')
  @ApiOperation({ summary: "Retry every failed or rejected dispatch of a delivery in a time range (docs/api.md › Bulk replay)" })
  @ApiBody({ schema: REPLAY_BODY })
  @ApiJson(202, 'Replayed', 'The dispatches are back on their way; audited as bulk-retry.')
  @ApiJson(200, 'Replayed', 'A dry run: the count only, nothing changed.')
  @ApiErrors([400, 404, 413, 415], { 400: 'A bad body; the message names each problem.', 404: 'A campaign not in force or an unknown delivery.' })
  @ApiOperatorOnly()
  async replay(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const raw = await readBody(req);
    const { selection, dryRun } = replayRequestOf(id, delivery, raw.length ? parseObjectBody(raw, req.headers['content-type']) : {});
    const result = await this.actions.replay(apiActor(req), selection, dryRun);
    res.status(dryRun ? 200 : 202).send(result);
  }

  @Get(':id/leads')
  @ApiOperation({ summary: "A campaign's leads, newest first, with their dispatches" })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'delivered', 'rejected', 'failed', 'skipped'], description: 'Leads with a dispatch in this status (of `delivery`, when given).' })
  @ApiQuery({ name: 'delivery', required: false, type: String })
  @ApiQuery({ name: 'since', required: false, type: String, description: 'ISO time on receivedAt, inclusive.' })
  @ApiQuery({ name: 'until', required: false, type: String, description: 'ISO time on receivedAt, exclusive.' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1–500, default 50.' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: "The previous page's nextCursor." })
  @ApiJson(200, 'LeadPage', 'One page of leads.')
  @ApiErrors([400, 404])
  async leads(@Param('id') id: string, @Query() filter: LeadFilter) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    return this.queries.leads(id, filter);
  }
}
