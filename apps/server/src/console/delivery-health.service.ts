import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock, type ResolvedCampaign } from '@leadrelay/campaigns';
import { Database } from '../common/database';
import { DeliveryGate, type BreakerState } from '../engine/contracts/delivery.gate';

export const DISPATCH_STATUSES = ['pending', 'delivered', 'rejected', 'failed', 'skipped'] as const;
export const ATTEMPT_OUTCOMES = ['delivered', 'rejected', 'retry', 'failed'] as const;
type DispatchStatus = (typeof DISPATCH_STATUSES)[number];
type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** How the campaign list marks a delivery, worst first. */
export type HealthMark = 'breaker open' | 'breaker half-open' | 'paused' | 'failing' | 'ok';

export interface DeliveryOverview {
  counts: Record<DispatchStatus, number>;
  health: HealthMark;
}

export interface CampaignOverview {
  leadsToday: number;
  deliveries: Map<string, DeliveryOverview>;
}

/** One bucket, or a whole window, of a delivery's attempts. */
export interface AttemptStats {
  start: Date;
  attempts: number;
  outcomes: Record<AttemptOutcome, number>;
  /** Delivered attempts ÷ all attempts, 0–1; null without attempts. */
  successRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface AttemptWindow {
  name: 'hour' | 'day';
  start: Date;
  end: Date;
  bucketMs: number;
  total: AttemptStats;
  buckets: AttemptStats[];
}

export interface DeliveryError {
  at: Date;
  outcome: string;
  status: number | null;
  reason: string | null;
  lead: string | null;
  batch: string | null;
}

export interface DeliveryHealthView {
  windows: AttemptWindow[];
  errors: DeliveryError[];
  /** The first retry/failed attempt after the last delivered or rejected one (within `FAILING_LOOKBACK_DAYS`); null when the latest attempt answered. */
  failingSince: { at: Date; attempts: number; noSuccessInLookback: boolean } | null;
}

/** "Failing recently" on the list: the delivery's latest attempt in this long was a retry or a failure. */
const RECENT_MS = 60 * 60 * 1000;
/** How far back "failing since" looks for the last answer (a bounded scan, however old the delivery). */
export const FAILING_LOOKBACK_DAYS = 7;

/**
 * A delivery's attempts between $3 and $4: a real-time attempt belongs to its dispatch's delivery,
 * a batch's attempt to its batch's. Scanned from the attempts in the window (attempt_at_idx) and
 * joined on primary keys, so the cost follows the window, not the delivery's whole history.
 */
const ATTEMPTS_OF_DELIVERY = `select a.at, a.duration_ms, a.outcome, a.reason, a.error, a.response, d.lead_id, null::uuid as batch_id
    from attempt a join dispatch_row d on d.id = a.dispatch_id
   where a.at >= $3 and a.at < $4 and d.campaign_id = $1 and d.delivery_id = $2
  union all
  select a.at, a.duration_ms, a.outcome, a.reason, a.error, a.response, null::uuid, a.batch_id
    from attempt a join batch b on b.id = a.batch_id
   where a.at >= $3 and a.at < $4 and b.campaign_id = $1 and b.delivery_id = $2`;

/** The console's overview and delivery health, read from dispatches, attempts and the gate (docs/api.md › Console). */
@Injectable()
export class DeliveryHealth {
  constructor(
    private readonly db: Database,
    private readonly gate: DeliveryGate,
    private readonly clock: Clock,
  ) {}

  /**
   * Every campaign's leads received since midnight in `zone`, and each delivery's dispatches by
   * status with its health mark: one grouped statement for all campaigns, then the breakers of
   * the real-time deliveries in force (Redis).
   */
  async overview(inForce: ResolvedCampaign[], zone: string): Promise<Map<string, CampaignOverview>> {
    const now = this.clock.now();
    const today = DateTime.fromJSDate(now, { zone }).startOf('day').toJSDate();
    const { rows } = await this.db.query<{ kind: string; campaign_id: string; delivery_id: string | null; key: string | null; n: number }>(
      `with recent as (
         select distinct on (campaign_id, delivery_id) campaign_id, delivery_id, outcome from (
           select d.campaign_id, d.delivery_id, a.outcome, a.at from attempt a join dispatch_row d on d.id = a.dispatch_id where a.at >= $2
           union all
           select b.campaign_id, b.delivery_id, a.outcome, a.at from attempt a join batch b on b.id = a.batch_id where a.at >= $2) r
         order by campaign_id, delivery_id, at desc)
       select 'status' as kind, campaign_id, delivery_id, status as key, count(*)::int as n from dispatch group by campaign_id, delivery_id, status
       union all select 'today', campaign_id, null, null, count(*)::int from lead where received_at >= $1 group by campaign_id
       union all select 'last', campaign_id, delivery_id, outcome, 0 from recent
       union all select 'paused', campaign_id, delivery_id, null, 0 from delivery_control where paused`,
      [today, new Date(now.getTime() - RECENT_MS)],
    );
    const out = new Map<string, CampaignOverview>();
    const campaign = (id: string) => out.get(id) ?? out.set(id, { leadsToday: 0, deliveries: new Map() }).get(id)!;
    const flags = new Map<string, { failing?: boolean; paused?: boolean }>();
    const delivery = (c: string, d: string) => {
      const deliveries = campaign(c).deliveries;
      if (!deliveries.has(d)) deliveries.set(d, { counts: Object.fromEntries(DISPATCH_STATUSES.map((s) => [s, 0])) as DeliveryOverview['counts'], health: 'ok' });
      return deliveries.get(d)!;
    };
    for (const r of rows) {
      if (r.kind === 'today') campaign(r.campaign_id).leadsToday = r.n;
      else if (r.kind === 'status') delivery(r.campaign_id, r.delivery_id!).counts[r.key as DispatchStatus] = r.n;
      else flags.set(`${r.campaign_id}\n${r.delivery_id}`, { ...flags.get(`${r.campaign_id}\n${r.delivery_id}`), ...(r.kind === 'paused' ? { paused: true } : { failing: r.key === 'retry' || r.key === 'failed' }) });
    }
    const breakers = await Promise.all(
      inForce.flatMap((c) => c.deliveries.filter((d) => d.mode.kind === 'realtime').map(async (d) => [c.id, d.id, (await this.gate.state(c.id, d)).breaker] as const)),
    );
    const breakerOf = new Map(breakers.map(([c, d, b]) => [`${c}\n${d}`, b]));
    for (const [c, overview] of out) {
      for (const [d, o] of overview.deliveries) o.health = healthMark(breakerOf.get(`${c}\n${d}`), flags.get(`${c}\n${d}`) ?? {});
    }
    return out;
  }

  /** A delivery's attempts over the last hour (12 × 5 minutes) and day (24 × 1 hour, on `zone`'s hours), its last errors and its current run of failures. */
  async delivery(campaignId: string, deliveryId: string, zone: string): Promise<DeliveryHealthView> {
    const now = this.clock.now();
    const fiveMinutes = 5 * 60 * 1000;
    const hourEnd = new Date(Math.floor(now.getTime() / fiveMinutes) * fiveMinutes + fiveMinutes);
    const dayEnd = DateTime.fromJSDate(now, { zone }).startOf('hour').plus({ hours: 1 }).toJSDate();
    const lookback = new Date(now.getTime() - FAILING_LOOKBACK_DAYS * 24 * 60 * 60 * 1000);
    const key = [campaignId, deliveryId];
    const [hour, day, errors, failing] = await Promise.all([
      this.window(key, 'hour', hourEnd, fiveMinutes, 12),
      this.window(key, 'day', dayEnd, 60 * 60 * 1000, 24),
      this.db.query<{ at: Date; outcome: string; status: number | null; reason: string | null; lead_id: string | null; batch_id: string | null }>(
        `select at, outcome, (response->>'status')::int as status, coalesce(error, reason) as reason, lead_id, batch_id
           from (${ATTEMPTS_OF_DELIVERY}) a where outcome in ('retry', 'failed') order by at desc limit 10`,
        [...key, lookback, now],
      ),
      this.db.query<{ since: Date | null; n: number; answered: Date | null }>(
        `with a as (${ATTEMPTS_OF_DELIVERY}), answered as (select max(at) as at from a where outcome in ('delivered', 'rejected'))
         select min(a.at) as since, count(*)::int as n, (select at from answered) as answered
           from a where outcome in ('retry', 'failed') and a.at > coalesce((select at from answered), '-infinity')`,
        [...key, lookback, new Date(now.getTime() + 1)],
      ),
    ]);
    const run = failing.rows[0];
    return {
      windows: [hour, day],
      errors: errors.rows.map((r) => ({ at: r.at, outcome: r.outcome, status: r.status, reason: r.reason, lead: r.lead_id, batch: r.batch_id })),
      failingSince: run?.since ? { at: run.since, attempts: run.n, noSuccessInLookback: !run.answered } : null,
    };
  }

  /** `count` buckets of `bucketMs` ending at `end`, and the whole window: one statement, percentiles by `percentile_cont`. */
  private async window(key: string[], name: AttemptWindow['name'], end: Date, bucketMs: number, count: number): Promise<AttemptWindow> {
    const start = new Date(end.getTime() - bucketMs * count);
    const { rows } = await this.db.query<{ bucket: number | null; attempts: number; p50: number | null; p99: number | null } & Record<AttemptOutcome, number>>(
      `select bucket, count(*)::int as attempts,
              ${ATTEMPT_OUTCOMES.map((o) => `count(*) filter (where outcome = '${o}')::int as ${o}`).join(', ')},
              percentile_cont(0.5) within group (order by duration_ms) as p50,
              percentile_cont(0.99) within group (order by duration_ms) as p99
         from (select floor(extract(epoch from a.at - $3::timestamptz) * 1000 / $5)::int as bucket, a.outcome, a.duration_ms from (${ATTEMPTS_OF_DELIVERY}) a) b
        group by grouping sets ((bucket), ())`,
      [...key, start, end, bucketMs],
    );
    const stats = (row: (typeof rows)[number] | undefined, at: Date): AttemptStats => {
      const attempts = row?.attempts ?? 0;
      return {
        start: at,
        attempts,
        outcomes: Object.fromEntries(ATTEMPT_OUTCOMES.map((o) => [o, row?.[o] ?? 0])) as AttemptStats['outcomes'],
        successRate: attempts ? (row!.delivered ?? 0) / attempts : null,
        p50Ms: row?.p50 ?? null,
        p99Ms: row?.p99 ?? null,
      };
    };
    const byBucket = new Map(rows.filter((r) => r.bucket !== null).map((r) => [r.bucket, r]));
    return {
      name,
      start,
      end,
      bucketMs,
      total: stats(rows.find((r) => r.bucket === null), start),
      buckets: Array.from({ length: count }, (_, i) => stats(byBucket.get(i), new Date(start.getTime() + i * bucketMs))),
    };
  }
}

/** The worst thing the list can say of a delivery: its breaker, a pause, then its latest attempt failing. */
function healthMark(breaker: BreakerState | false | undefined, flags: { failing?: boolean; paused?: boolean }): HealthMark {
  if (breaker && breaker.state === 'open') return 'breaker open';
  if (breaker && breaker.state === 'half-open') return 'breaker half-open';
  if (flags.paused) return 'paused';
  return flags.failing ? 'failing' : 'ok';
}
