import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { DISPATCH_QUEUE, type DispatchJob } from './queues';

/**
 * Puts real-time dispatches on the queue, job id = dispatch id, so adding one twice is harmless.
 * PostgreSQL stays the truth: a failed enqueue is left to the sweeper, never to the lead source.
 */
@Injectable()
export class DispatchEnqueuer {
  constructor(
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue<DispatchJob>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async enqueue(dispatches: { id: string; delayMs?: number }[]): Promise<boolean> {
    if (!dispatches.length) return true;
    try {
      // Separate adds rather than addBulk: measured about twice as fast, and the jobs need not be
      // atomic together (each is idempotent by its id, and the sweeper covers a partial failure).
      await Promise.all(
        dispatches.map((d) =>
          this.queue.add(
            'deliver',
            { dispatchId: d.id },
            { jobId: d.id, delay: d.delayMs && d.delayMs > 0 ? d.delayMs : undefined, removeOnComplete: true, removeOnFail: true },
          ),
        ),
      );
      return true;
    } catch (err) {
      this.logger.warn({ err, count: dispatches.length }, 'enqueue failed; the sweeper will pick these dispatches up');
      return false;
    }
  }
}
