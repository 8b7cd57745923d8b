import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Campaign } from '@leadrelay/persistence';
import { notFound } from '../common/http-errors';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminQueries, type LeadFilter } from './admin-queries';

export function campaignJson(c: Campaign) {
  const def = c.definition as { fields?: unknown[]; deliveries?: { id: string; plugin: string; summary: string; mode: string; schedule?: unknown }[] };
  return {
    id: c.id,
    name: c.name,
    version: c.version,
    archived: c.archived,
    fields: def.fields ?? [],
    deliveries: (def.deliveries ?? []).map((d) => ({ id: d.id, plugin: d.plugin, summary: d.summary, mode: d.mode, ...(d.schedule ? { schedule: d.schedule } : {}) })),
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
  ) {}

  @Get()
  async list() {
    const rows = await this.em.fork().find(Campaign, {}, { orderBy: { id: 'asc' } });
    return { items: rows.map(campaignJson) };
  }

  @Get(':id')
  async one(@Param('id') id: string) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    return campaignJson(row);
  }

  @Get(':id/leads')
  async leads(@Param('id') id: string, @Query() filter: LeadFilter) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    return this.queries.leads(id, filter);
  }
}
