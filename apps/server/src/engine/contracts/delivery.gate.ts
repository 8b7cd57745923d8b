import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { Clock, LOGGER, type ResolvedDelivery } from '@leadrelay/campaigns';
import { Database } from '../../common/database';
import { redisConnection } from '../../common/redis-connection';
import { APP_CONFIG, type ServerConfig } from '../../config.token';
import { DISPATCH_QUEUE, type DispatchJob } from '../queues';
import { contractOf } from './contract';
import { ACQUIRE, PARK, RELEASE, SET_PAUSED } from './gate.scripts';

/** Why a send may not start now. `until` (epoch ms, the host's clock) when known; parked ones are woken. */
export type GateVerdict =
  | { ok: true; rateMember: string }
  | { ok: false; heldBy: 'paused' | 'concurrency' | 'breaker' | 'rate'; until?: number };

export interface BreakerState {
  state: 'closed' | 'open' | 'half-open';
  since: string | null;
  lastError: string | null;
  /** Consecutive `retry` outcomes so far. */
  failures: number;
}

type GateRedis = Redis & {
  gateAcquire(...args: (string | number)[]): Promise<[string, number, string, ...string[]]>;
  gateRelease(...args: (string | number)[]): Promise<string[]>;
  gatePark(...args: (string | number)[]): Promise<number>;
  gateSetPaused(...args: (string | number)[]): Promise<string[]>;
};


/**
 * The shared half of a buyer contract (docs/contracts.md): in-flight slots (`concurrency`),
 * pacing (`rate`), the circuit breaker and the pause, each decided by one atomic Lua script in
 * Redis, so any number of workers and instances see one state. The pause's truth is PostgreSQL
 * (`delivery_control`): Redis mirrors it, and a Redis that does not know a delivery asks first.
 */
@Injectable()
export class DeliveryGate implements OnApplicationShutdown {
  private readonly redis: GateRedis;
  private readonly prefix: string;
  private readonly staleMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue<DispatchJob>,
    @Inject(APP_CONFIG) config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.redis = new Redis({ ...redisConnection(config.REDIS_URL), lazyConnect: true }) as GateRedis;
    this.redis.on('error', (err) => this.logger.debug({ err }, 'gate redis error'));
    this.redis.defineCommand('gateAcquire', { numberOfKeys: 6, lua: ACQUIRE });
    this.redis.defineCommand('gateRelease', { numberOfKeys: 6, lua: RELEASE });
    this.redis.defineCommand('gatePark', { numberOfKeys: 6, lua: PARK });
    this.redis.defineCommand('gateSetPaused', { numberOfKeys: 6, lua: SET_PAUSED });
    this.prefix = `${config.QUEUE_PREFIX}:gate`;
    this.leaseMs = config.WORKER_LOCK_MS;
    // A waiter parks again at least this often; one not seen for twice as long is gone.
    this.staleMs = 2 * Math.max(config.CONTRACT_RECHECK_MS, config.CONTRACT_PARK_MS) + 10_000;
  }

  /**
   * After the workers' graceful stop (their `beforeApplicationShutdown`), whose sends in flight
   * still release their slots here: closing earlier would leave those slots taken until their lease ran out.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Keeps a send's slot while it runs: a slot is leased for the workers' lock time
   * (`WORKER_LOCK_MS`) and renewed at half of it, so a dead worker's slots free themselves as
   * soon as its jobs would be handed to another worker. Answers the function that stops renewing.
   */
  holdSlot(campaignId: string, deliveryId: string, dispatchId: string): () => void {
    const [, inflight] = this.keys(campaignId, deliveryId);
    const timer = setInterval(() => {
      this.redis.zadd(inflight, 'XX', Date.now() + this.leaseMs, dispatchId).catch(() => undefined);
    }, this.leaseMs / 2);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** May this dispatch's send start now? On `ok` it holds an in-flight slot until `release`. */
  async acquire(campaignId: string, delivery: ResolvedDelivery, dispatchId: string, arrivedAt: Date): Promise<GateVerdict> {
    const c = contractOf(delivery);
    const keys = this.keys(campaignId, delivery.id);
    for (let round = 0; ; round++) {
      const [verdict, until, rateMember, ...woken] = await this.redis.gateAcquire(
        ...keys,
        this.clock.now().getTime(),
        dispatchId,
        c.concurrency,
        this.leaseMs,
        c.rate?.max ?? 0,
        c.rate?.perMs ?? 0,
        c.breaker ? 1 : 0,
        c.breaker?.pauseMs ?? 0,
        arrivedAt.getTime(),
        this.staleMs,
        Date.now(),
      );
      await this.wake(woken);
      if (verdict === 'ok') return { ok: true, rateMember };
      if (verdict === 'unsynced' && round === 0) {
        await this.syncPause(campaignId, delivery.id);
        continue;
      }
      if (verdict === 'unsynced') throw new Error(`the gate of ${campaignId}/${delivery.id} could not learn its pause`);
      return { ok: false, heldBy: verdict as 'paused' | 'concurrency' | 'breaker' | 'rate', until: until ? Number(until) : undefined };
    }
  }

  /**
   * Frees the slot and tells the breaker how the send went (`none`: it never went out, e.g. a cap
   * was full), then wakes as many parked sends as there are free slots.
   */
  async release(campaignId: string, delivery: ResolvedDelivery, dispatchId: string, outcome: 'delivered' | 'rejected' | 'retry' | 'none', reason: string | undefined, rateMember = ''): Promise<void> {
    const c = contractOf(delivery);
    const woken = await this.redis.gateRelease(
      ...this.keys(campaignId, delivery.id),
      dispatchId,
      outcome,
      this.clock.now().getTime(),
      c.breaker?.failures ?? 0,
      (reason ?? '').slice(0, 500),
      c.concurrency,
      rateMember,
      Date.now(),
    );
    await this.wake(woken);
  }

  /**
   * After a held job moved to delayed: it waits in line by arrival, and if a wake was meant for it
   * while it was still running, it wakes itself.
   */
  async park(campaignId: string, deliveryId: string, dispatchId: string, arrivedAt: Date): Promise<void> {
    if (await this.redis.gatePark(...this.keys(campaignId, deliveryId), dispatchId, arrivedAt.getTime(), Date.now())) await this.wake([dispatchId]);
  }

  /** Pauses or resumes in PostgreSQL (the truth), then in Redis; a resume wakes every parked send. */
  async setPaused(campaignId: string, deliveryId: string, paused: boolean, by: string | null): Promise<void> {
    await this.db.query(
      `insert into delivery_control (campaign_id, delivery_id, paused, changed_at, changed_by) values ($1, $2, $3, now(), $4)
       on conflict (campaign_id, delivery_id) do update set paused = excluded.paused, changed_at = now(), changed_by = excluded.changed_by`,
      [campaignId, deliveryId, paused, by],
    );
    await this.wake(await this.redis.gateSetPaused(...this.keys(campaignId, deliveryId), paused ? 1 : 0));
  }

  /** Live state for the admin API: in flight now, and the breaker. */
  async state(campaignId: string, delivery: ResolvedDelivery): Promise<{ inFlight: number; breaker: BreakerState | false }> {
    const [state, inflight] = this.keys(campaignId, delivery.id);
    const now = this.clock.now().getTime();
    const [fields, count] = await Promise.all([this.redis.hmget(state, 'bstate', 'bsince', 'blast', 'bfail'), this.redis.zcount(inflight, Date.now(), '+inf')]);
    const c = contractOf(delivery);
    if (!c.breaker) return { inFlight: count, breaker: false };
    const [bstate, bsince, blast, bfail] = fields;
    // An open breaker whose pause is over lets the next send through as its trial.
    const shown = bstate === 'open' && Number(bsince) + c.breaker.pauseMs <= now ? 'half-open' : (bstate as BreakerState['state'] | null) ?? 'closed';
    return {
      inFlight: count,
      breaker: { state: shown, since: bsince ? new Date(Number(bsince)).toISOString() : null, lastError: blast || null, failures: Number(bfail ?? 0) },
    };
  }

  private async syncPause(campaignId: string, deliveryId: string): Promise<void> {
    const { rows } = await this.db.query<{ paused: boolean }>('select paused from delivery_control where campaign_id = $1 and delivery_id = $2', [campaignId, deliveryId]);
    await this.wake(await this.redis.gateSetPaused(...this.keys(campaignId, deliveryId), rows[0]?.paused ? 1 : 0));
  }

  /** Promotes parked jobs (a delayed job only: one that already runs needs no waking). */
  private async wake(dispatchIds: string[]): Promise<void> {
    await Promise.all(
      dispatchIds.map(async (id) => {
        const job = await this.queue.getJob(id);
        if (!job) return;
        await job.promote().catch(() => undefined);
      }),
    );
  }

  private keys(campaignId: string, deliveryId: string): [string, string, string, string, string, string] {
    const tag = `${this.prefix}:{${campaignId}/${deliveryId}}`;
    return [`${tag}:state`, `${tag}:inflight`, `${tag}:starts`, `${tag}:waiters`, `${tag}:seen`, `${tag}:woken`];
  }
}
