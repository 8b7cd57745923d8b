import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { BatchDeliveries } from './batch.deliveries';
import { DispatchEnqueuer } from './dispatch.enqueuer';
import { SCHEDULE_QUEUE, type ScheduleJob } from './queues';
import { ScheduleSync } from './schedule.sync';

const SWEEP_LIMIT = 5_000;

/**
 * Finds pending real-time dispatches and puts them back on the queue. Job ids are dispatch ids,
 * so a dispatch whose job is alive (waiting, delayed or active) is untouched; one whose job was
 * lost (crash between commit and enqueue, Redis restarted empty) gets a new one.
 */
@Injectable()
export class Sweeper {
  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly enqueuer: DispatchEnqueuer,
    private readonly batches: BatchDeliveries,
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sweep(graceMs = this.config.SWEEP_GRACE_MS): Promise<number> {
    let total = await this.batches.resumePending(graceMs);
    const targets = this.registry.realtimeDeliveries();
    if (!targets.length) return total;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await this.db.query<{ id: string; next_attempt_at: Date | null }>(
        `select d.id, d.next_attempt_at from dispatch d
           join unnest($1::text[], $2::text[]) as t(campaign_id, delivery_id)
             on d.campaign_id = t.campaign_id and d.delivery_id = t.delivery_id
          where d.status = 'pending' and d.created_at < now() - make_interval(secs => $3::double precision / 1000)
            and d.id > $4
          order by d.id limit $5`,
        [targets.map((t) => t.campaignId), targets.map((t) => t.deliveryId), graceMs, after, SWEEP_LIMIT],
      );
      if (!rows.length) break;
      const now = Date.now();
      await this.enqueuer.enqueue(rows.map((r) => ({ id: r.id, delayMs: r.next_attempt_at ? r.next_attempt_at.getTime() - now : 0 })));
      total += rows.length;
      after = rows[rows.length - 1].id;
      if (rows.length < SWEEP_LIMIT) break;
    }
    if (total) this.logger.debug({ total }, 'sweeper checked pending dispatches');
    return total;
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
