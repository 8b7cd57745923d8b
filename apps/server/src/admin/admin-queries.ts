import { Injectable } from '@nestjs/common';
import { FIELD_TYPES } from '@leadrelay/sdk/internal';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { leadConditions, type LeadFilter } from '../engine/lead-filter';
import { isUuid } from '../common/uuid';

export type { LeadFilter };

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
    throw new DomainError('bad_request', 'cursor is not one this API gave out.');
  }
}

/** The campaign field types a search compares with (field types, not deliveries), in the order tried. */
const SEARCHABLE_FIELD_TYPES = ['email', 'phone'] as const;

/** The first searchable field type that accepts `term`, with `term` in that type's normal form. */
function searchableValue(term: string): { fieldType: (typeof SEARCHABLE_FIELD_TYPES)[number]; value: string } | undefined {
  for (const fieldType of SEARCHABLE_FIELD_TYPES) {
    const normalised = FIELD_TYPES[fieldType].normalise(term);
    if (normalised.ok) return { fieldType, value: String(normalised.value) };
  }
  return undefined;
}

function pageLimit(param: string | undefined): number {
  const limit = param === undefined ? 50 : Number(param);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new DomainError('bad_request', 'limit must be a whole number from 1 to 500.');
  return limit;
}

export function dispatchJson(d: Record<string, any>, attempts?: Record<string, any>[]) {
  const next = d.batch_next_attempt_at ?? d.next_attempt_at;
  return {
    id: d.id,
    delivery: d.delivery_id,
    status: d.status,
    reason: d.reason ?? null,
    price: d.price === null || d.price === undefined ? null : Number(d.price),
    reference: d.reference ?? null,
    captured: d.captured ?? null,
    // A ping-post sale's winner (its bid is `price`); null for every other delivery.
    buyer: d.buyer ?? null,
    batch: d.batch_id ?? null,
    attemptCount: d.attempts,
    // A pending dispatch's next try (a retry, or the end of a hold) and what holds it back: a
    // next try with no hold written is a retry's (docs/api.md › Admin API, dispatch). A dispatch
    // in a batch waits for the batch's retry, kept on the batch.
    nextAttemptAt: d.status === 'pending' && next ? new Date(next).toISOString() : null,
    heldBy: d.status === 'pending' ? (d.held_by ?? (next ? 'retry' : null)) : null,
    ...(attempts ? { attempts } : {}),
  };
}

/** The admin API's reads (leads with dispatches and attempts), in SQL shaped for its indexes. */
@Injectable()
export class AdminQueries {
  constructor(private readonly db: Database) {}

  async leads(campaignId: string, filter: LeadFilter) {
    const limit = pageLimit(filter.limit);
    const params: unknown[] = [];
    let where = leadConditions(campaignId, filter, params);
    if (filter.cursor) {
      const [at, id] = decodeCursor(filter.cursor);
      params.push(at, id);
      where += ` and (l.received_at, l.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(limit + 1);
    const { rows } = await this.db.query(
      `select l.id, l.campaign_id, l.campaign_version, l.data, l.received_at, l.erased_at from lead l
        where ${where} order by l.received_at desc, l.id desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: await this.leadItems(page),
      nextCursor: rows.length > limit ? encodeCursor(last.received_at, last.id) : null,
    };
  }

  /**
   * Leads of every campaign by one value (docs/api.md › Search): a lead id, or an email or phone in
   * any spelling its field type accepts, normalised by that type and compared with the normalised
   * values of the fields of that type, newest first. Reads every lead of the campaigns that have
   * such a field (no index: one would slow intake), so it is an operator's tool, not an API to poll.
   */
  async search(q: string | undefined, limitParam?: string) {
    const term = typeof q === 'string' ? q.trim() : '';
    const limit = pageLimit(limitParam);
    const columns = 'l.id, l.campaign_id, l.campaign_version, l.data, l.received_at, l.erased_at';
    if (isUuid(term)) {
      const { rows } = await this.db.query(`select ${columns} from lead l where l.id = $1`, [term]);
      return { matchedBy: 'id', items: await this.leadItems(rows) };
    }
    const match = term ? searchableValue(term) : undefined;
    if (!match) throw new DomainError('bad_request', 'q must be a lead id, an email address or a phone number.');
    const { fieldType: matchedBy, value } = match;
    const { rows: fields } = await this.db.query<{ campaign_id: string; name: string }>(
      `select c.id as campaign_id, f->>'name' as name from campaign c, jsonb_array_elements(c.definition->'fields') f where f->>'type' = $1`,
      [matchedBy],
    );
    const { rows } = await this.db.query(
      `select ${columns} from lead l
        where exists (select 1 from unnest($2::text[], $3::text[]) f(campaign_id, name) where f.campaign_id = l.campaign_id and l.data->>f.name = $1)
        order by l.received_at desc, l.id desc limit $4`,
      [value, fields.map((f) => f.campaign_id), fields.map((f) => f.name), limit],
    );
    return { matchedBy, items: await this.leadItems(rows) };
  }

  /** Lead rows as the API lists them, each with its dispatches. */
  private async leadItems(rows: Record<string, any>[]) {
    const dispatches = await this.dispatchesOf(rows.map((r) => r.id));
    return rows.map((l) => ({
      id: l.id,
      campaign: l.campaign_id,
      campaignVersion: l.campaign_version,
      receivedAt: l.received_at.toISOString(),
      data: l.data,
      erasedAt: l.erased_at?.toISOString() ?? null,
      dispatches: (dispatches.get(l.id) ?? []).map((d) => dispatchJson(d)),
    }));
  }

  private async dispatchesOf(leadIds: string[]): Promise<Map<string, Record<string, any>[]>> {
    const map = new Map<string, Record<string, any>[]>();
    if (!leadIds.length) return map;
    // In the order the lead's campaign version declares its deliveries, as intake answered them.
    const { rows } = await this.db.query(
      `select d.*, b.next_attempt_at as batch_next_attempt_at from dispatch d
         join lead l on l.id = d.lead_id
         left join batch b on b.id = d.batch_id and d.status = 'pending'
         left join campaign_version v on v.campaign_id = l.campaign_id and v.hash = l.campaign_version
         left join lateral (select e.n from jsonb_array_elements(v.definition->'deliveries') with ordinality e(x, n)
                             where e.x->>'id' = d.delivery_id limit 1) p on true
        where d.lead_id = any($1::uuid[]) order by d.lead_id, p.n nulls last, d.delivery_id`,
      [leadIds],
    );
    for (const d of rows) map.set(d.lead_id, [...(map.get(d.lead_id) ?? []), d]);
    return map;
  }

  async lead(id: string) {
    if (!isUuid(id)) throw new DomainError('not_found', `No lead '${id}'.`);
    const { rows } = await this.db.query('select * from lead where id = $1', [id]);
    const lead = rows[0];
    if (!lead) throw new DomainError('not_found', `No lead '${id}'.`);
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
      captured: a.captured ?? null,
      error: a.error,
      phase: a.phase ?? null,
      buyer: a.buyer ?? null,
      ...(a.batch_id ? { batch: a.batch_id } : {}),
    });
    return {
      id: lead.id,
      campaign: lead.campaign_id,
      receivedAt: lead.received_at.toISOString(),
      data: lead.data,
      raw: lead.raw,
      source: lead.source,
      erasedAt: lead.erased_at?.toISOString() ?? null,
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
