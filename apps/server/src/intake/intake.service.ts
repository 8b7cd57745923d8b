import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ResolvedCampaign } from '@leadrelay/campaigns';
import { Clock } from '@leadrelay/campaigns';
import { normaliseLead } from '@leadrelay/sdk/internal';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { DispatchOutbox, outboxInsertSql } from '../engine/dispatch.outbox';
import { Metrics } from '../engine/metrics';
import { contractOf } from '../engine/contracts/contract';
import { PingService } from './ping.service';

export interface AcceptedLead {
  id: string;
  campaign: string;
  receivedAt: string;
  dispatches: { id: string; delivery: string; status: string; reason?: string | null }[];
}

const FINAL = new Set(['delivered', 'rejected', 'failed', 'skipped']);

const ACCEPT = `with lead_row as (
     insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
     values ($1, $2, $3, $4, $5, $6, $7)),
   outbox_rows as (${outboxInsertSql('$10')})
   insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
   select t.id, $1, $2, t.delivery_id, 'pending', $6, $6 from unnest($8::uuid[], $9::text[]) as t(id, delivery_id)`;

// The same, for a campaign whose criteria skipped a dispatch or whose dedupe has keys to claim,
// when no key is held yet (the usual case): a plain insert of the keys. If one is held — by an
// earlier lead, or by a concurrent one this statement waits for — the primary key refuses it, the
// whole statement rolls back, and ACCEPT_DECIDED decides (docs/contracts.md › How the host applies them).
const ACCEPT_CLAIMING = `with keys as (
     insert into dedupe_key (key, lead_id, seen_at, window_ms)
     select decode(u.key, 'hex'), $1, $6, u.window_ms from unnest($12::text[], $13::bigint[]) as u(key, window_ms)),
   lead_row as (
     insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
     values ($1, $2, $3, $4, $5, $6, $7)),
   outbox_rows as (${outboxInsertSql('$10')})
   insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, reason, created_at, updated_at)
   select t.id, $1, $2, t.delivery_id, t.status, t.reason, $6, $6
     from unnest($8::uuid[], $9::text[], $11::text[], $14::text[]) as t(id, delivery_id, status, reason)`;
const keyTaken = (err: { code?: string; constraint?: string }) => err.code === '23505' && err.constraint === 'dedupe_key_pkey';

// The same, deciding every key: each is claimed with insert … on conflict do update, so a
// concurrent lead of the same person waits for this one's commit, then finds it (the update
// always returns the row, naming the lead that owns the key). The key passes to this lead only
// when the earlier one is older than the window.
const ACCEPT_DECIDED = `with lead_row as (
     insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
     values ($1, $2, $3, $4, $5, $6, $7)),
   keys as (
     insert into dedupe_key as k (key, lead_id, seen_at, window_ms)
     select decode(u.key, 'hex'), $1, $6, u.window_ms from unnest($13::text[], $14::bigint[]) as u(key, window_ms)
     on conflict (key) do update set
       lead_id = case when k.seen_at <= excluded.seen_at - excluded.window_ms * interval '1 millisecond' then excluded.lead_id else k.lead_id end,
       seen_at = case when k.seen_at <= excluded.seen_at - excluded.window_ms * interval '1 millisecond' then excluded.seen_at else k.seen_at end,
       window_ms = excluded.window_ms
     returning k.key, k.lead_id),
   planned as (
     select t.id, t.delivery_id, t.realtime,
            case when t.skip is not null then t.skip when k.lead_id <> $1::uuid then 'duplicate of lead ' || k.lead_id end as skip
       from unnest($8::uuid[], $9::text[], $10::text[], $11::text[], $12::boolean[]) as t(id, delivery_id, skip, key, realtime)
       left join keys k on k.key = decode(t.key, 'hex')),
   outbox_rows as (insert into dispatch_outbox (dispatch_id) select id from planned where realtime and skip is null)
   insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, reason, created_at, updated_at)
   select p.id, $1, $2, p.delivery_id, case when p.skip is null then 'pending' else 'skipped' end, p.skip, $6, $6 from planned p
   returning id, status, reason`;
const MAX_WAIT_MS = 30_000;

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Lead intake: validate, then one statement for the lead, its dispatches and the real-time ones'
 * outbox rows; the relay puts them on the queue after the commit, so Redis is off this path.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly registry: CampaignRegistry,
    private readonly db: Database,
    private readonly outbox: DispatchOutbox,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly pings: PingService,
  ) {}

  /** 404 for an unknown or archived campaign, 401 for a missing or wrong key. */
  authorise(campaignId: string, apiKey: string | undefined): ResolvedCampaign {
    const campaign = this.registry.get(campaignId);
    if (!campaign) throw new DomainError('not_found', `No campaign '${campaignId}' accepts leads.`);
    if (!apiKey || !campaign.intakeKeys.some((k) => sameKey(apiKey, k))) {
      throw new DomainError('unauthorized', 'Missing or wrong X-Api-Key for this campaign.');
    }
    return campaign;
  }

  /**
   * `pingId` (a key of the body, taken out of it before this): the lead is posted after that ping,
   * refused unless the ping may be used (PingService.check), and marked used in the lead's transaction.
   */
  async accept(campaign: ResolvedCampaign, submission: Record<string, unknown>, source: string | undefined, pingId?: unknown): Promise<AcceptedLead> {
    const { data, errors } = normaliseLead(campaign.fields, submission);
    if (errors.length) throw new DomainError('invalid', `The lead has ${errors.length} invalid field(s).`, errors);
    const id = randomUUID();
    const receivedAt = this.clock.now();
    const ping = pingId === undefined ? undefined : await this.pings.check(pingId, campaign, data, receivedAt);
    // Criteria and duplicate suppression are decided here, in the statement that accepts the
    // lead: a skipped dispatch never reaches a queue or a batch (docs/contracts.md).
    const dispatches = campaign.deliveries.map((d) => {
      const contract = contractOf(d);
      const verdict = contract.criteria ? contract.criteria(data, receivedAt) : true;
      const skip = verdict === true ? null : verdict;
      const key = skip === null && contract.dedupe ? contract.dedupe.key(campaign.id, d.id, data) : null;
      return { id: randomUUID(), delivery: d.id, realtime: d.mode.kind === 'realtime', skip, key, windowMs: contract.dedupe?.windowMs ?? 0 };
    });
    const controlsAct = dispatches.some((d) => d.skip !== null || d.key !== null);
    // $1–$9 of every intake statement: the lead, then its dispatches' ids and deliveries.
    const leadParams = [id, campaign.id, campaign.version, JSON.stringify(data), JSON.stringify(submission), receivedAt, source ?? null, dispatches.map((d) => d.id), dispatches.map((d) => d.delivery)];
    let rows: { id: string; status: string; reason: string | null }[];
    let db: Pick<PoolClient, 'query'> = this.db.pool;
    let client: PoolClient | undefined;
    if (ping) {
      // The ping is used by this lead or by none: its mark and the lead's statement commit together.
      client = await this.db.connect();
      db = client;
      await client.query('begin');
    }
    try {
      if (ping) await this.pings.use(client!, ping, id, receivedAt);
      if (!controlsAct) {
        // One statement, so one implicit transaction: the lead, all its dispatches and their outbox
        // rows, or nothing.
        const realtime = dispatches.filter((d) => d.realtime).map((d) => d.id);
        await db.query({ name: 'intake-accept', text: ACCEPT, values: [...leadParams, realtime] });
        rows = dispatches.map((d) => ({ id: d.id, status: 'pending', reason: null }));
      } else {
        const keys = new Map(dispatches.filter((d) => d.key !== null).map((d) => [d.key!, d.windowMs]));
        const keyParams = [[...keys.keys()], [...keys.values()]];
        rows = dispatches.map((d) => ({ id: d.id, status: d.skip === null ? 'pending' : 'skipped', reason: d.skip }));
        // Inside the ping's transaction a failed statement would end it: decide at once there.
        let deciding = ping !== undefined;
        if (!deciding) {
          // Named, as every intake statement: PostgreSQL parses and plans it once per connection.
          deciding = await db
            .query({
              name: 'intake-accept-claiming',
              text: ACCEPT_CLAIMING,
              values: [...leadParams, dispatches.filter((d) => d.realtime && d.skip === null).map((d) => d.id), rows.map((r) => r.status), ...keyParams, rows.map((r) => r.reason)],
            })
            .then(
              () => false,
              (err: { code?: string; constraint?: string }) => {
                if (keyTaken(err)) return true;
                throw err;
              },
            );
        }
        if (deciding) {
          ({ rows } = await db.query<{ id: string; status: string; reason: string | null }>({
            name: 'intake-accept-decided',
            text: ACCEPT_DECIDED,
            values: [...leadParams, dispatches.map((d) => d.skip), dispatches.map((d) => d.key), dispatches.map((d) => d.realtime && d.skip === null), ...keyParams],
          }));
        }
      }
      await client?.query('commit');
    } catch (err) {
      await client?.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client?.release();
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    this.metrics.leadAccepted(campaign.id);
    const answered = dispatches.map((d) => {
      const r = byId.get(d.id);
      return { id: d.id, delivery: d.delivery, status: r?.status ?? 'pending', ...(r?.reason ? { reason: r.reason } : {}) };
    });
    for (const d of answered) if (d.status === 'skipped') this.metrics.skipped(campaign.id, d.delivery);
    if (answered.some((d, i) => dispatches[i].realtime && d.status === 'pending')) this.outbox.wake();
    return { id, campaign: campaign.id, receivedAt: receivedAt.toISOString(), dispatches: answered };
  }

  /** Waits until every real-time dispatch is final or `waitMs` has passed; answers current statuses. */
  async waitForOutcome(campaign: ResolvedCampaign, accepted: AcceptedLead, waitMs: number): Promise<AcceptedLead> {
    const realtime = new Set(campaign.deliveries.filter((d) => d.mode.kind === 'realtime').map((d) => d.id));
    const deadline = Date.now() + Math.min(Math.max(waitMs, 0), MAX_WAIT_MS);
    let pause = 10;
    for (;;) {
      const { rows } = await this.db.query<{ id: string; delivery_id: string; status: string; reason: string | null }>(
        'select id, delivery_id, status, reason from dispatch where lead_id = $1',
        [accepted.id],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const dispatches = accepted.dispatches.map((d) => {
        const r = byId.get(d.id);
        return { id: d.id, delivery: d.delivery, status: r?.status ?? d.status, ...(r?.reason ? { reason: r.reason } : {}) };
      });
      const done = dispatches.every((d) => !realtime.has(d.delivery) || FINAL.has(d.status));
      if (done || Date.now() >= deadline) return { ...accepted, dispatches };
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(deadline - Date.now(), 1))));
      pause = Math.min(pause * 2, 200);
    }
  }
}
