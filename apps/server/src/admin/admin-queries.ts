import { Injectable } from '@nestjs/common';
import { Database } from '../common/database';
import { badRequest, notFound } from '../common/http-errors';

const STATUSES = new Set(['pending', 'delivered', 'rejected', 'failed']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface LeadFilter {
  status?: string;
  delivery?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
}

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badRequest(`${name} must be an ISO-8601 time.`);
  return date;
}

/** Cursor = the last item's (receivedAt, id), opaque to clients. */
function encodeCursor(receivedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([receivedAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) throw new Error();
    return [at, id];
  } catch {
    throw badRequest('cursor is not one this API gave out.');
  }
}

export function dispatchJson(d: Record<string, any>, attempts?: Record<string, any>[]) {
  return {
    id: d.id,
    delivery: d.delivery_id,
    status: d.status,
    reason: d.reason ?? null,
    price: d.price === null || d.price === undefined ? null : Number(d.price),
    reference: d.reference ?? null,
    batch: d.batch_id ?? null,
    attemptCount: d.attempts,
    ...(attempts ? { attempts } : {}),
  };
}

/** The admin API's reads (leads with dispatches and attempts), in SQL shaped for its indexes. */
@Injectable()
export class AdminQueries {
  constructor(private readonly db: Database) {}

  /** The lead filter as SQL; shared by the list and by exports. */
  leadConditions(campaignId: string, filter: LeadFilter, params: unknown[]): string {
    if (filter.status && !STATUSES.has(filter.status)) throw badRequest(`status must be one of ${[...STATUSES].join(', ')}.`);
    params.push(campaignId);
    const where = [`l.campaign_id = $${params.length}`];
    const since = parseTime(filter.since, 'since');
    const until = parseTime(filter.until, 'until');
    if (since) {
      params.push(since);
      where.push(`l.received_at >= $${params.length}`);
    }
    if (until) {
      params.push(until);
      where.push(`l.received_at < $${params.length}`);
    }
    if (filter.status || filter.delivery) {
      const sub = ['d.lead_id = l.id'];
      if (filter.status) {
        params.push(filter.status);
        sub.push(`d.status = $${params.length}`);
      }
      if (filter.delivery) {
        params.push(filter.delivery);
        sub.push(`d.delivery_id = $${params.length}`);
      }
      where.push(`exists (select 1 from dispatch d where ${sub.join(' and ')})`);
    }
    return where.join(' and ');
  }

  async leads(campaignId: string, filter: LeadFilter) {
    const limit = filter.limit === undefined ? 50 : Number(filter.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('limit must be a whole number from 1 to 500.');
    const params: unknown[] = [];
    let where = this.leadConditions(campaignId, filter, params);
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor);
      params.push(at, id);
      where += ` and (l.received_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(limit + 1);
    const { rows } = await this.db.query(
      `select l.id, l.campaign_id, l.campaign_version, l.data, l.received_at from lead l
        where ${where} order by l.received_at desc, l.id desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const dispatches = await this.dispatchesOf(page.map((r) => r.id));
    const last = page[page.length - 1];
    return {
      items: page.map((l) => ({
        id: l.id,
        campaign: l.campaign_id,
        campaignVersion: l.campaign_version,
        receivedAt: l.received_at.toISOString(),
        data: l.data,
        dispatches: (dispatches.get(l.id) ?? []).map((d) => dispatchJson(d)),
      })),
      nextCursor: rows.length > limit ? encodeCursor(last.received_at, last.id) : null,
    };
  }

  private async dispatchesOf(leadIds: string[]): Promise<Map<string, Record<string, any>[]>> {
    const map = new Map<string, Record<string, any>[]>();
    if (!leadIds.length) return map;
    const { rows } = await this.db.query('select * from dispatch where lead_id = any($1::uuid[]) order by delivery_id', [leadIds]);
    for (const d of rows) map.set(d.lead_id, [...(map.get(d.lead_id) ?? []), d]);
    return map;
  }

  async lead(id: string) {
    if (!UUID.test(id)) throw notFound(`No lead '${id}'.`);
    const { rows } = await this.db.query('select * from lead where id = $1', [id]);
    const lead = rows[0];
    if (!lead) throw notFound(`No lead '${id}'.`);
    const dispatches = (await this.dispatchesOf([id])).get(id) ?? [];
    const attempts = await this.db.query(
      'select * from attempt where dispatch_id = any($1::uuid[]) or batch_id = any($2::uuid[]) order by at, id',
      [dispatches.map((d) => d.id), dispatches.map((d) => d.batch_id).filter(Boolean)],
    );
    const attemptJson = (a: Record<string, any>) => ({
      at: a.at.toISOString(),
      durationMs: a.duration_ms,
      request: a.request,
      response: a.response,
      outcome: a.outcome,
      reason: a.reason,
      price: a.price === null ? null : Number(a.price),
      reference: a.reference,
      error: a.error,
      ...(a.batch_id ? { batch: a.batch_id } : {}),
    });
    return {
      id: lead.id,
      campaign: lead.campaign_id,
      receivedAt: lead.received_at.toISOString(),
      data: lead.data,
      raw: lead.raw,
      source: lead.source,
      campaignVersion: lead.campaign_version,
      dispatches: dispatches.map((d) =>
        dispatchJson(
          d,
          attempts.rows.filter((a) => a.dispatch_id === d.id || (d.batch_id && a.batch_id === d.batch_id)).map(attemptJson),
        ),
      ),
    };
  }
}
