import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { Database } from '../common/database';
import { DISPATCH_QUEUE, type DispatchJob } from './queues';

/** Rows moved per relay round: one `delete … returning`, then this many job adds. */
const RELAY_BATCH = 500;
/** Longest the relay waits for Redis before it leaves the rows for its next round. */
const ENQUEUE_TIMEOUT_MS = 2_000;
/** Every process drains the outbox this often even when nobody woke it (a crash's leftovers). */
const RELAY_POLL_MS = 1_000;

/** The intake statement's part that writes outbox rows (`$n` is the array of real-time dispatch ids). */
export const outboxInsertSql = (param: string) => `insert into dispatch_outbox (dispatch_id) select unnest(${param}::uuid[])`;

/**
 * The transactional outbox between PostgreSQL (the truth) and BullMQ (the conveyor). Whoever
 * creates or re-opens a real-time dispatch writes an outbox row in the same transaction, then
 * wakes the relay; the relay claims rows (`FOR UPDATE SKIP LOCKED`, so relays of several processes
 * never share one), adds one job per dispatch (job id = dispatch id, so adding twice is harmless)
 * and deletes the rows in the same transaction. Redis being away holds up no lead source, and a
 * crash between commit and enqueue leaves the row for the next round (docs/architecture.md).
 *
 * Woken in-process rather than by `NOTIFY`: the process that writes a row drains it, and
 * PostgreSQL serialises the commits of notifying transactions on one lock, which would put every
 * intake on one queue. A one-second poll covers rows left by a process that died.
 */
@Injectable()
export class DispatchOutbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue<DispatchJob>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), RELAY_POLL_MS);
    this.timer.unref();
  }

  /** Lets a round in flight finish (its rows committed or rolled back) before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
  }

  /** Writes outbox rows for dispatches (in `client`'s transaction when given) and wakes the relay. */
  async add(dispatchIds: string[], client?: PoolClient): Promise<void> {
    if (!dispatchIds.length) return;
    if (client) {
      await client.query(outboxInsertSql('$1'), [dispatchIds]);
      return;
    }
    await this.db.query(outboxInsertSql('$1'), [dispatchIds]);
    this.wake();
  }

  /** Asks for a relay round soon; rounds never overlap within a process. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves when the outbox is empty as far as this process can see (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    await this.drain();
  }

  private async drain(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      do {
        this.again = false;
        while (!this.stopped && (await this.relayOnce()) === RELAY_BATCH);
      } while (this.again && !this.stopped);
    } catch (err) {
      // Redis or PostgreSQL away: the rows stay, and the poll tries again.
      this.logger.warn({ err }, 'outbox relay round failed; its dispatches stay in the outbox for the next round');
    }
  }

  /** One round: claim up to RELAY_BATCH rows, add their jobs, delete the rows; all or nothing. */
  private async relayOnce(): Promise<number> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ dispatch_id: string; next_attempt_at: Date | null }>({
        name: 'outbox-claim',
        text: `with moved as (
                 delete from dispatch_outbox where seq in (
                   select seq from dispatch_outbox order by seq limit $1 for update skip locked)
                 returning dispatch_id)
               select distinct m.dispatch_id, d.next_attempt_at from moved m left join dispatch_row d on d.id = m.dispatch_id`,
        values: [RELAY_BATCH],
      });
      if (rows.length) await this.addJobs(rows);
      return rows.length;
    });
  }

  private async addJobs(rows: { dispatch_id: string; next_attempt_at: Date | null }[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // With Redis away, ioredis holds commands until it is back: give up and roll back instead.
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    const now = Date.now();
    // Separate adds rather than addBulk: measured about twice as fast, and the jobs need not be
    // atomic together (each is idempotent by its id; a partial failure rolls the round back).
    const adds = Promise.all(
      rows.map((r) => {
        const delay = r.next_attempt_at ? r.next_attempt_at.getTime() - now : 0;
        return this.queue.add(
          'deliver',
          { dispatchId: r.dispatch_id },
          {
            jobId: r.dispatch_id,
            delay: delay > 0 ? delay : undefined,
            // Buyer trouble is handled inside the job; these attempts cover our own (a database
            // restart mid-job). A job past them stays failed in Redis, and the sweeper brings its
            // dispatch back through this outbox.
            attempts: 8,
            backoff: { type: 'exponential', delay: 1_000 },
            removeOnComplete: true,
            removeOnFail: false,
          },
        );
      }),
    );
    adds.catch(() => undefined);
    try {
      await Promise.race([adds, giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}
