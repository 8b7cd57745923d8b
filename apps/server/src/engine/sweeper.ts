import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { Clock, LOGGER } from '@leadrelay/campaigns';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { BatchDeliveries } from './batch.deliveries';
import { DispatchOutbox } from './dispatch.outbox';
import { DISPATCH_QUEUE, SCHEDULE_QUEUE, type DispatchJob, type ScheduleJob } from './queues';
import { ScheduleSync } from './schedule.sync';
import { runAlone } from './single-flight';

/** Any fixed number: the advisory lock that makes sweeps single-flight across every process. */
export const SWEEP_LOCK = 0x1ead5eed;
/** Failed jobs looked at per sweep (normally none: a job fails only when our own side failed 8 times). */
const FAILED_PAGE = 1_000;

export interface SweepResult {
  /** Dispatches put back through the outbox because their job is gone. */
  requeued: number;
  /** Pending batches whose send job was added again. */
  batches: number;
  /** Whether Redis was found to be a different one (flushed, restarted empty) than last time. */
  newRedis: boolean;
  /** False when another sweep was running (nothing was done). */
  ran: boolean;
  /** Inbound pings deleted, an hour past their expiry. */
  pings?: number;
  /** Duplicate keys deleted, their window passed (looked for at most every DEDUPE_PURGE_EVERY_MS). */
  dedupeKeys?: number;
}

/** How long an expired ping's record stays, so a late post is told it expired rather than unknown. */
const EXPIRED_PING_KEEP = '1 hour';
const PING_PURGE_BATCH = 10_000;
/**
 * Duplicate keys have no index but their primary key (every accepted lead with `dedupe` writes
 * one per key, so intake is spared a second), and finding the expired ones reads the table: once
 * an hour, in batches, for at most DEDUPE_PURGE_BUDGET_MS.
 */
const DEDUPE_PURGE_EVERY_MS = 60 * 60_000;
const DEDUPE_PURGE_BATCH = 10_000;
const DEDUPE_PURGE_BUDGET_MS = 10_000;

/**
 * Finds real-time dispatches whose job is really gone and puts them back through the outbox,
 * without asking Redis about each pending dispatch (docs/architecture.md, "Sweeper"). Once the
 * outbox has handed a job over, it can be gone in two known ways:
 *
 * - Redis lost its data (flushed, restarted empty): Redis holds an incarnation key that the
 *   sweeper sets when missing; when it differs from the one PostgreSQL recorded at the last
 *   sweep, every pending real-time dispatch goes back through the outbox, once;
 * - the job failed past its own attempts (our side failing, e.g. PostgreSQL away for minutes): it
 *   stays in BullMQ's failed set, which the sweeper empties back into the outbox.
 *
 * - and, as a last net for anything unforeseen, a dispatch whose try is overdue by more than
 *   SWEEP_GRACE_MS has its job looked up, one call each; a missing one is put back.
 *
 * So a sweep at rest, however large the backlog of delayed retries, costs a few Redis calls.
 * Sweeps are single-flight across processes (a PostgreSQL advisory lock).
 */
@Injectable()
export class Sweeper {
  /** When this process last looked for expired duplicate keys, by the host's clock. */
  private dedupePurgedAt = -Infinity;

  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly outbox: DispatchOutbox,
    private readonly batches: BatchDeliveries,
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue<DispatchJob>,
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async sweep(graceMs = this.config.SWEEP_GRACE_MS): Promise<SweepResult> {
    const result = await runAlone(this.db, SWEEP_LOCK, async (client): Promise<SweepResult> => {
      const batches = (await this.batches.resumePending(graceMs)) + (await this.finishRetiredScheduled());
      const { requeued: lost, newRedis } = await this.reconcileIncarnation(client);
      const failed = await this.requeueFailedJobs();
      const overdue = await this.requeueOverdueWithoutJob(graceMs);
      const requeued = lost + failed + overdue;
      if (requeued) this.outbox.wake();
      if (requeued || batches) this.logger.info({ requeued, batches, newRedis }, 'sweeper put back work whose job was gone');
      const pings = await this.purgeExpiredPings();
      const dedupeKeys = await this.purgeExpiredDedupeKeys();
      return { requeued, batches, newRedis, ran: true, pings, dedupeKeys };
    });
    return result ?? { requeued: 0, batches: 0, newRedis: false, ran: false };
  }

  /**
   * Inbound pings (docs/api.md › Pings) are of no use once expired — a post with one is refused,
   * a sale pings afresh — so their records go an hour later, a bounded number per sweep.
   */
  private async purgeExpiredPings(): Promise<number> {
    const { rowCount } = await this.db.query(
      `delete from ping where id in (select id from ping where expires_at < now() - interval '${EXPIRED_PING_KEEP}' limit ${PING_PURGE_BATCH})`,
    );
    return rowCount ?? 0;
  }

  /**
   * A duplicate key whose lead is older than its window (the row's own `window_ms`) decides
   * nothing any more — intake would hand it to the next lead of that person — so it goes
   * (docs/contracts.md › Duplicate keys). By the host's clock, which stamped `seen_at`. A lead
   * claiming the key meanwhile is safe either way: after a delete it inserts afresh; its update
   * moves `seen_at` on, and the delete, re-checking the row it waited for, leaves it.
   */
  private async purgeExpiredDedupeKeys(): Promise<number> {
    const now = this.clock.now();
    if (Math.abs(now.getTime() - this.dedupePurgedAt) < DEDUPE_PURGE_EVERY_MS) return 0;
    this.dedupePurgedAt = now.getTime();
    const deadline = Date.now() + DEDUPE_PURGE_BUDGET_MS;
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.db.query(
        `delete from dedupe_key where ctid = any(array(
           select ctid from dedupe_key where seen_at <= $1::timestamptz - window_ms * interval '1 millisecond' limit ${DEDUPE_PURGE_BATCH}))
         and seen_at <= $1::timestamptz - window_ms * interval '1 millisecond'`,
        [now],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < DEDUPE_PURGE_BATCH || Date.now() > deadline) return deleted;
    }
  }

  /**
   * A scheduled delivery whose campaign was archived or which was removed has no schedule any
   * more: what it still holds goes out in one last batch, under its stored version.
   */
  private async finishRetiredScheduled(): Promise<number> {
    let sent = 0;
    for (const t of this.registry.retiredScheduled()) {
      const { batch } = await this.batches.tick(t.campaignId, t.deliveryId, new Date());
      if (batch) sent++;
    }
    return sent;
  }

  /** Sets the incarnation key when Redis has none, and compares it with the one last reconciled. */
  private async reconcileIncarnation(client: PoolClient): Promise<{ requeued: number; newRedis: boolean }> {
    const redis = await this.queue.getBackend().connection.client;
    const key = `${this.queue.qualifiedName}:incarnation`;
    // Get-then-set is safe: only a sweeper sets it, and sweeps are single-flight.
    let incarnation = await redis.get(key);
    if (!incarnation) {
      incarnation = randomUUID();
      await redis.set(key, incarnation);
    }
    const { rows } = await client.query<{ incarnation: string }>('select incarnation from queue_state where queue = $1', [this.queue.qualifiedName]);
    if (rows[0]?.incarnation === incarnation) return { requeued: 0, newRedis: false };
    const targets = this.registry.realtimeDeliveries();
    await client.query('begin');
    try {
      const moved = await client.query(
        `insert into dispatch_outbox (dispatch_id)
         select d.id from dispatch_row d
           join unnest($1::text[], $2::text[]) as t(campaign_id, delivery_id)
             on d.campaign_id = t.campaign_id and d.delivery_id = t.delivery_id
          where d.status = 'pending' and not exists (select 1 from dispatch_outbox o where o.dispatch_id = d.id)`,
        [targets.map((t) => t.campaignId), targets.map((t) => t.deliveryId)],
      );
      await client.query(
        `insert into queue_state (queue, incarnation) values ($1, $2)
         on conflict (queue) do update set incarnation = excluded.incarnation, reconciled_at = now()`,
        [this.queue.qualifiedName, incarnation],
      );
      await client.query('commit');
      if (rows.length) this.logger.warn({ requeued: moved.rowCount }, 'Redis lost its jobs (flushed or restarted empty): pending real-time dispatches go back on the queue');
      return { requeued: moved.rowCount ?? 0, newRedis: true };
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    }
  }

  /**
   * The last net: a pending real-time dispatch whose try is overdue by more than `graceMs` (never
   * tried, or its retry due long ago) should have a job running or waiting. Only those are looked
   * up in Redis, one job hash each, and the ones without a job go back through the outbox. A
   * dispatch waiting on a delayed retry is not overdue and costs nothing, however many there are.
   */
  private async requeueOverdueWithoutJob(graceMs: number): Promise<number> {
    const targets = this.registry.realtimeDeliveries();
    if (!targets.length) return 0;
    const { rows } = await this.db.query<{ id: string }>(
      `select d.id from dispatch_row d
         join unnest($1::text[], $2::text[]) as t(campaign_id, delivery_id)
           on d.campaign_id = t.campaign_id and d.delivery_id = t.delivery_id
        where d.status = 'pending'
          and coalesce(d.next_attempt_at, d.created_at) < now() - make_interval(secs => $3::double precision / 1000)
          and not exists (select 1 from dispatch_outbox o where o.dispatch_id = d.id)
        order by coalesce(d.next_attempt_at, d.created_at) limit $4`,
      [targets.map((t) => t.campaignId), targets.map((t) => t.deliveryId), graceMs, FAILED_PAGE],
    );
    if (!rows.length) return 0;
    const redis = await this.queue.getBackend().connection.client;
    const alive = await Promise.all(rows.map((r) => redis.hexists(`${this.queue.qualifiedName}:${r.id}`, 'name')));
    const gone = rows.filter((_, i) => !alive[i]).map((r) => r.id);
    if (!gone.length) return 0;
    const { rowCount } = await this.db.query(
      `insert into dispatch_outbox (dispatch_id) select id from dispatch_row where id = any($1::uuid[]) and status = 'pending'`,
      [gone],
    );
    return rowCount ?? 0;
  }

  /** Jobs BullMQ gave up on: removed, and their still-pending dispatches go back through the outbox. */
  private async requeueFailedJobs(): Promise<number> {
    const failed = await this.queue.getFailed(0, FAILED_PAGE - 1);
    if (!failed.length) return 0;
    const ids = failed.map((j) => j.data?.dispatchId ?? j.id).filter((id): id is string => Boolean(id));
    await Promise.all(failed.map((j) => j.remove().catch(() => undefined)));
    const { rowCount } = await this.db.query(
      `insert into dispatch_outbox (dispatch_id) select id from dispatch_row where id = any($1::uuid[]) and status = 'pending'`,
      [ids],
    );
    return rowCount ?? 0;
  }
}

/**
 * The sweeper runs from a BullMQ job scheduler, which lives in Redis: a Redis flushed or restarted
 * empty loses it, and with it the one thing that finds the dispatches whose jobs were lost too.
 * Each worker process checks now and then that it is there, and puts every schedule back if not.
 */
@Injectable()
export class SweeperWatch implements OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(SCHEDULE_QUEUE) private readonly queue: Queue<ScheduleJob>,
    private readonly schedules: ScheduleSync,
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  start(): void {
    const every = Math.min(this.config.SWEEP_EVERY_MS, 30_000);
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  /** Returns true when the schedules had to be put back. */
  async check(): Promise<boolean> {
    try {
      if (await this.queue.getJobScheduler('sweeper')) return false;
      this.logger.warn('the sweeper schedule is gone from Redis (flushed or restarted empty?): restoring every schedule');
      await this.schedules.sync();
      return true;
    } catch (err) {
      this.logger.warn({ err }, 'could not check the sweeper schedule');
      return false;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
