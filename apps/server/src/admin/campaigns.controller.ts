import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
export class CampaignsController {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: AdminQueries,
    private readonly registry: CampaignRegistry,
    private readonly states: DeliveryStates,
    private readonly actions: OperatorActions,
  ) {}

  @Get()
  async list() {
    const rows = await this.em.fork().find(Campaign, {}, { orderBy: { id: 'asc' } });
    return { items: rows.map((c) => campaignJson(c)) };
  }

  @Get(':id')
  async one(@Param('id') id: string) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    const inForce = this.registry.get(id);
    return campaignJson(row, inForce ? await this.states.of(inForce) : undefined);
  }

  /** Holds every send of the delivery (real-time sends wait, no batch is made); nothing is lost. */
  @Post(':id/deliveries/:delivery/pause')
  @HttpCode(200)
  pause(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest) {
    return this.actions.setPaused(apiActor(req), id, delivery, true);
  }

  /** Lets the delivery's held sends go again, oldest first. */
  @Post(':id/deliveries/:delivery/resume')
  @HttpCode(200)
  resume(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest) {
    return this.actions.setPaused(apiActor(req), id, delivery, false);
  }

  /** A scheduled delivery's batch now, claimed as a tick claims: 202 while it is sent, 200 when nothing was to send. */
  @Post(':id/deliveries/:delivery/run')
  async run(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const run = await this.actions.runNow(apiActor(req), id, delivery);
    res.status(run.id ? 202 : 200).send(run);
  }

  /** Bulk replay: every failed or rejected dispatch of the delivery in a time range, or only their count (`dryRun`). */
  @Post(':id/deliveries/:delivery/retry')
  async replay(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const raw = await readBody(req);
    const { selection, dryRun } = replayRequestOf(id, delivery, raw.length ? parseObjectBody(raw, req.headers['content-type']) : {});
    const result = await this.actions.replay(apiActor(req), selection, dryRun);
    res.status(dryRun ? 200 : 202).send(result);
  }

  @Get(':id/leads')
  async leads(@Param('id') id: string, @Query() filter: LeadFilter) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    return this.queries.leads(id, filter);
  }
}
