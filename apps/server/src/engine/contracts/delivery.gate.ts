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
  /** Longest expected wait for a slot that a send spends in memory rather than parked. */
  private readonly waitMs: number;
  /** Per delivery: how long its sends hold a slot, a moving average over this process's recent sends. */
  private readonly slotMs = new Map<string, number>();
  /** Sends of this process waiting in memory for an in-flight slot, by dispatch id. */
  private readonly waitingHere = new Map<string, () => void>();
  /** Sends of this process between asking for a slot and waiting for it, and those woken meanwhile. */
  private readonly asking = new Set<string>();
  private readonly wokenEarly = new Set<string>();
  /** Releases still on their way to Redis (a send's outcome is recorded before its slot is freed). */
  private readonly releasing = new Set<Promise<void>>();
  private subscriber?: Redis;
  private readonly wakeChannel: string;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue<DispatchJob>,
    @Inject(APP_CONFIG) config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // Many sends ask at once: commands of one turn of the event loop go out in one write.
    this.redis = new Redis({ ...redisConnection(config.REDIS_URL), lazyConnect: true, enableAutoPipelining: true }) as GateRedis;
    this.redis.on('error', (err) => this.logger.debug({ err }, 'gate redis error'));
    this.redis.defineCommand('gateAcquire', { numberOfKeys: 6, lua: ACQUIRE });
    this.redis.defineCommand('gateRelease', { numberOfKeys: 6, lua: RELEASE });
    this.redis.defineCommand('gatePark', { numberOfKeys: 6, lua: PARK });
    this.redis.defineCommand('gateSetPaused', { numberOfKeys: 6, lua: SET_PAUSED });
    this.prefix = `${config.QUEUE_PREFIX}:gate`;
    this.leaseMs = config.WORKER_LOCK_MS;
    this.waitMs = config.CONTRACT_WAIT_MS;
    this.wakeChannel = `${this.prefix}:wake`;
    // A waiter parks again at least this often; one not seen for twice as long is gone.
    this.staleMs = 2 * Math.max(config.CONTRACT_RECHECK_MS, config.CONTRACT_PARK_MS) + 10_000;
  }

  /**
   * After the workers' graceful stop (their `beforeApplicationShutdown`), whose sends in flight
   * still release their slots here: closing earlier would leave those slots taken until their lease ran out.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopWaiting();
    await Promise.all([...this.releasing]);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Before the workers stop: sends waiting in memory go back to asking now, and from then on a
   * full `concurrency` parks the job in BullMQ, so a graceful stop waits for no slot.
   */
  stopWaiting(): void {
    this.stopping = true;
    for (const wake of [...this.waitingHere.values()]) wake();
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

  /**
   * May this dispatch's send start now? On `ok` it holds an in-flight slot until `release`.
   * Behind a full `concurrency`, a send whose turn is expected within `CONTRACT_WAIT_MS` (its
   * place in line over the slots, times how long the buyer's sends hold a slot) waits here, in
   * memory, woken by the release that frees a slot for it — in this process or another, through a
   * Redis channel — and looks again at least every `CONTRACT_WAIT_MS`. One expected to wait
   * longer returns `concurrency` and its job parks in BullMQ, so that a slow buyer's line holds no
   * worker slot that another buyer's send could use. `once`: asked a single time, never waiting
   * and never left in the line (a ping-post sale skips a buyer its gate holds back).
   */
  async acquire(campaignId: string, delivery: ResolvedDelivery, dispatchId: string, arrivedAt: Date, options: { once?: boolean } = {}): Promise<GateVerdict> {
    const c = contractOf(delivery);
    const keys = this.keys(campaignId, delivery.id);
    let synced = false;
    for (;;) {
      this.asking.add(dispatchId);
      let verdict: string, until: string | number, rateMember: string, woken: string[];
      try {
        [verdict, until, rateMember, ...woken] = await this.redis.gateAcquire(
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
      } finally {
        this.asking.delete(dispatchId);
      }
      // A wake that came while this send was asking is for the wait it is about to start.
      const wokenMeanwhile = this.wokenEarly.delete(dispatchId);
      await this.wake(woken);
      if (verdict === 'ok') return { ok: true, rateMember };
      if (verdict === 'unsynced' && !synced) {
        synced = true;
        await this.syncPause(campaignId, delivery.id);
        continue;
      }
      if (verdict === 'unsynced') throw new Error(`the gate of ${campaignId}/${delivery.id} could not learn its pause`);
      if (options.once) {
        await Promise.all([this.redis.zrem(keys[3], dispatchId), this.redis.zrem(keys[4], dispatchId)]);
      } else if (verdict === 'concurrency' && (wokenMeanwhile || (await this.waitHere(dispatchId, this.expectedWaitMs(campaignId, delivery.id, c.concurrency, Number(until)))))) {
        continue;
      }
      return { ok: false, heldBy: verdict as 'paused' | 'concurrency' | 'breaker' | 'rate', until: until && verdict !== 'concurrency' ? Number(until) : undefined };
    }
  }

  /**
   * When a send with `ahead` sends before it beyond the free slots is expected to get one. A buyer
   * not seen yet counts as slow (a send holds its slot for all of `CONTRACT_WAIT_MS`), so only one
   * `concurrency` of sends waits here for it: guessing fast let a buyer that never answers fill
   * every worker slot with waiters until its first sends timed out, and starve the other buyers.
   */
  private expectedWaitMs(campaignId: string, deliveryId: string, concurrency: number, ahead: number): number {
    return ((ahead + 1) / concurrency) * (this.slotMs.get(`${campaignId}/${deliveryId}`) ?? this.waitMs);
  }

  /** Waits in memory for a wake (false: the wait is expected to be long, or the worker stops — the caller parks the job). */
  private async waitHere(dispatchId: string, expectedMs: number): Promise<boolean> {
    if (this.stopping || expectedMs > this.waitMs) return false;
    await this.subscribe();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.waitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waitingHere.set(dispatchId, done);
    });
    this.waitingHere.delete(dispatchId);
    return true;
  }

  /** Wakes from other processes' releases reach this process's waiters through one channel. */
  private async subscribe(): Promise<void> {
    if (this.subscriber) return;
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (err) => this.logger.debug({ err }, 'gate subscriber error'));
    this.subscriber.on('message', (_channel: string, message: string) => {
      for (const id of message.split(',')) this.waitingHere.get(id)?.();
    });
    // Without the channel a waiter still looks again after CONTRACT_PARK_MS.
    await this.subscriber.subscribe(this.wakeChannel).catch((err) => this.logger.warn({ err }, 'gate could not subscribe to wakes'));
  }

  /**
   * Frees the slot and tells the breaker how the send went (`none`: it never went out, e.g. a cap
   * was full), then wakes as many parked sends as there are free slots. The send's outcome is
   * already recorded, so the caller need not wait: a graceful stop waits for every release.
   * `heldMs`, how long the send took, teaches the expected wait for this buyer's slots.
   */
  release(campaignId: string, delivery: ResolvedDelivery, dispatchId: string, outcome: 'delivered' | 'rejected' | 'retry' | 'none', reason: string | undefined, rateMember = '', heldMs?: number): Promise<void> {
    const c = contractOf(delivery);
    if (heldMs !== undefined) {
      const key = `${campaignId}/${delivery.id}`;
      const known = this.slotMs.get(key);
      this.slotMs.set(key, known === undefined ? heldMs : known * 0.9 + heldMs * 0.1);
    }
    const done = this.redis
      .gateRelease(
        ...this.keys(campaignId, delivery.id),
        dispatchId,
        outcome,
        this.clock.now().getTime(),
        c.breaker?.failures ?? 0,
        (reason ?? '').slice(0, 500),
        c.concurrency,
        rateMember,
        Date.now(),
      )
      .then((woken) => this.wake(woken))
      .catch((err) => this.logger.warn({ err, dispatchId }, 'gate release failed; the slot frees itself when its lease ends'))
      .finally(() => this.releasing.delete(done));
    this.releasing.add(done);
    return done;
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

  /**
   * Wakes sends: one waiting in this process's memory at once (one still asking is told when it
   * would start waiting); any other is a parked job here (promoted: a delayed job only, one that
   * runs needs no waking) or a waiter in another process (told through the channel).
   */
  private async wake(dispatchIds: string[]): Promise<void> {
    const elsewhere: string[] = [];
    for (const id of dispatchIds) {
      const waiter = this.waitingHere.get(id);
      if (waiter) waiter();
      else if (this.asking.has(id)) this.wokenEarly.add(id);
      else elsewhere.push(id);
    }
    if (!elsewhere.length) return;
    await Promise.all([
      this.redis.publish(this.wakeChannel, elsewhere.join(',')).catch(() => undefined),
      ...elsewhere.map(async (id) => {
        const job = await this.queue.getJob(id);
        if (!job) return;
        await job.promote().catch(() => undefined);
      }),
    ]);
  }

  private keys(campaignId: string, deliveryId: string): [string, string, string, string, string, string] {
    const tag = `${this.prefix}:{${campaignId}/${deliveryId}}`;
    return [`${tag}:state`, `${tag}:inflight`, `${tag}:starts`, `${tag}:waiters`, `${tag}:seen`, `${tag}:woken`];
  }
}
