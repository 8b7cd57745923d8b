import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { DISPATCH_QUEUE, type DispatchJob } from './queues';

const ENQUEUE_TIMEOUT_MS = 2_000;

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
    let timer: NodeJS.Timeout | undefined;
    // With Redis away, ioredis holds commands until it is back: never hold the lead source too.
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      // Separate adds rather than addBulk: measured about twice as fast, and the jobs need not be
      // atomic together (each is idempotent by its id, and the sweeper covers a partial failure).
      const adds = Promise.all(
        dispatches.map((d) =>
          this.queue.add(
            'deliver',
            { dispatchId: d.id },
            {
              jobId: d.id,
              delay: d.delayMs && d.delayMs > 0 ? d.delayMs : undefined,
              // Buyer trouble is handled inside the job; these attempts cover our own (a database
              // restart mid-job). Past them the sweeper still finds the pending dispatch.
              attempts: 8,
              backoff: { type: 'exponential', delay: 1_000 },
              removeOnComplete: true,
              removeOnFail: true,
            },
          ),
        ),
      );
      adds.catch(() => undefined);
      await Promise.race([adds, giveUp]);
      return true;
    } catch (err) {
      this.logger.warn({ err, count: dispatches.length }, 'enqueue failed; the sweeper will pick these dispatches up');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
