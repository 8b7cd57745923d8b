import { Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { BatchDeliveries } from './batch.deliveries';
import { LeadRetention } from './lead.retention';
import { SCHEDULE_QUEUE, type ScheduleJob } from './queues';
import { Sweeper } from './sweeper';

/** Runs job-scheduler ticks: the sweeper, the retention job and scheduled batch deliveries (once per tick across instances). */
@Processor(SCHEDULE_QUEUE, { concurrency: 4, autorun: false })
export class ScheduleProcessor extends WorkerHost {
  constructor(
    private readonly sweeper: Sweeper,
    private readonly batches: BatchDeliveries,
    private readonly retention: LeadRetention,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  /** Redis trouble (a restart, a flush under a running tick): logged, never an unhandled error event. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err }, 'schedule worker error');
  }

  /** Before the database pool closes: a send in flight records its outcome (see DispatchProcessor). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
    this.logger.info({ queue: this.worker.name }, 'schedule worker drained');
  }

  async process(job: Job<ScheduleJob>): Promise<unknown> {
    if (job.data.kind === 'sweep') return this.sweeper.sweep();
    if (job.data.kind === 'batch' && job.data.campaignId && job.data.deliveryId) {
      return this.batches.tick(job.data.campaignId, job.data.deliveryId, new Date(job.timestamp));
    }
    if (job.data.kind === 'send' && job.data.batchId) return this.batches.send(job.data.batchId);
    if (job.data.kind === 'retention') return this.retention.run();
    this.logger.warn({ job: job.name, data: job.data }, 'unknown schedule job');
    return undefined;
  }
}
