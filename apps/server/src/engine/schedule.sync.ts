import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { nextFireTimes, repeatOptionsFor, type RepeatOptions } from '@leadrelay/schedules';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { SCHEDULE_QUEUE, type ScheduleJob } from './queues';

const BATCH_PREFIX = 'batch:';

/**
 * Ticks are made every few seconds to every few hours, forever: keep the last ones for the queue
 * dashboard, never all of them (BullMQ keeps every finished job unless told otherwise).
 */
const TICK_JOB_OPTS = { removeOnComplete: { count: 500 }, removeOnFail: { count: 500 } };

/**
 * Makes the BullMQ job schedulers match the campaign files: the sweeper, the retention job, and one scheduler per
 * scheduled delivery time; added, changed and removed ones are reflected at every start.
 */
@Injectable()
export class ScheduleSync {
  constructor(
    @InjectQueue(SCHEDULE_QUEUE) private readonly queue: Queue<ScheduleJob>,
    private readonly registry: CampaignRegistry,
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async sync(): Promise<{ upserted: string[]; removed: string[] }> {
    await this.queue.upsertJobScheduler('sweeper', { every: this.config.SWEEP_EVERY_MS }, { name: 'sweep', data: { kind: 'sweep' }, opts: TICK_JOB_OPTS });
    // First tick one interval after the scheduler is made, not at once (a restart keeps the chain).
    const retentionEvery = this.config.RETENTION_EVERY_MS;
    await this.queue.upsertJobScheduler(
      'retention',
      { every: retentionEvery, startDate: new Date(Date.now() + retentionEvery) },
      { name: 'retention', data: { kind: 'retention' }, opts: TICK_JOB_OPTS },
    );
    const wanted = new Map<string, { repeat: RepeatOptions & { startDate?: Date }; data: ScheduleJob }>();
    for (const c of this.registry.all()) {
      for (const d of c.deliveries) {
        if (d.mode.kind !== 'scheduled') continue;
        for (const entry of repeatOptionsFor(d.mode.schedule)) {
          // `every` ticks fall on multiples of the interval (:00, :15, :30, :45 for 15m), as
          // nextFireTimes and the CLI say; without a start BullMQ would tick at once and from then on.
          // It reads startDate only for a new or changed scheduler: a restart keeps the running chain.
          const repeat = entry.repeat.every ? { ...entry.repeat, startDate: nextFireTimes(d.mode.schedule, new Date(), 1)[0] } : entry.repeat;
          wanted.set(`${BATCH_PREFIX}${c.id}:${d.id}:${entry.key}`, { repeat, data: { kind: 'batch', campaignId: c.id, deliveryId: d.id } });
        }
      }
    }
    const removed: string[] = [];
    for (const existing of await this.queue.getJobSchedulers(0, -1)) {
      const key = existing.key;
      if (key.startsWith(BATCH_PREFIX) && !wanted.has(key)) {
        await this.queue.removeJobScheduler(key);
        removed.push(key);
      }
    }
    for (const [key, s] of wanted) {
      await this.queue.upsertJobScheduler(key, s.repeat, { name: 'batch', data: s.data, opts: TICK_JOB_OPTS });
    }
    this.logger.info({ schedules: [...wanted.keys()], removed }, 'job schedulers in sync with campaign files');
    return { upserted: [...wanted.keys()], removed };
  }
}
