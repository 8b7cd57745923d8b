import { BeforeApplicationShutdown, Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Clock, LOGGER, PLUGIN_TOOLS } from '@leadrelay/campaigns';
import type { DeliveryResult, LeadRecord, PluginTools } from '@leadrelay/sdk/plugin';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { QueryBatcher } from '../common/query.batcher';
import type { ServerConfig } from '../config.token';
import { Metrics } from './metrics';
import { BatchFiles } from './batch-files';
import { DISPATCH_QUEUE, type DispatchJob } from './queues';
import { DispatchOutcomes } from './dispatch.outcomes';

/** Longest a plugin may take over one try before the host gives up on it (it should time out itself). */
const PLUGIN_GUARD_MS = 180_000;

interface DispatchRow {
  id: string;
  delivery_id: string;
  status: string;
  attempts: number;
  retry_offset: number;
  next_attempt_at: Date | null;
  lead_id: string;
  campaign_id: string;
  data: LeadRecord['data'];
  received_at: Date;
}

const LOAD = `select d.id, d.delivery_id, d.status, d.attempts, d.retry_offset, d.next_attempt_at, l.id as lead_id, l.campaign_id, l.data, l.received_at
                from dispatch_row d join lead l on l.id = d.lead_id where d.id = any($1::uuid[])`;

/** Delivers real-time dispatches one job at a time; the only caller of `plugin.deliver`. */
// Started by main once the campaigns are loaded: a job must never meet an empty registry.
@Processor(DISPATCH_QUEUE, { autorun: false })
export class DispatchProcessor extends WorkerHost implements BeforeApplicationShutdown {
  /**
   * Worker options from the environment. `@Processor` fixes them when the class is declared, and
   * the lock timing cannot be changed once the worker exists, so they are restated here before
   * Nest creates the worker (AppModule.forRoot).
   */
  static configure(config: ServerConfig): void {
    Processor(DISPATCH_QUEUE, {
      autorun: false,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    })(DispatchProcessor);
  }

  /** Jobs starting together read their dispatches and leads in one query. */
  private readonly reader = new QueryBatcher<string, DispatchRow | undefined>((ids) => this.load(ids), { maxBatch: 64, maxInFlight: 4 });

  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly outcomes: DispatchOutcomes,
    private readonly files: BatchFiles,
    private readonly clock: Clock,
    @Inject(PLUGIN_TOOLS) private readonly tools: PluginTools,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  /**
   * A graceful stop lets the attempts in flight finish and record their outcome: Nest closes the
   * database pool in `onApplicationShutdown`, after this, while its own close of the worker
   * would come too late.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  /** Redis trouble (a restart, a flush under a running job): logged, never fatal; the sweeper recovers lost jobs. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err }, 'dispatch worker error');
  }

  async process(job: Job<DispatchJob>, token?: string): Promise<void> {
    const { dispatchId } = job.data;
    const row = await this.reader.add(dispatchId);
    // A job never completes while its dispatch is pending and unseen: it fails instead, so that
    // BullMQ tries it again and, past its attempts, the sweeper finds it in the failed set.
    if (!row) throw new Error(`dispatch ${dispatchId} not found`);
    if (row.status !== 'pending') return;
    const now = this.clock.now().getTime();
    if (row.next_attempt_at && row.next_attempt_at.getTime() > now + 1_000) {
      // Re-enqueued early (by the sweeper, or a restart): wait for the retry that is due.
      await job.moveToDelayed(Date.now() + (row.next_attempt_at.getTime() - now), token);
      throw new DelayedError();
    }
    const target = this.registry.delivery(row.campaign_id, row.delivery_id);
    if (!target) {
      await this.outcomes.giveUp(dispatchId, `delivery '${row.delivery_id}' is no longer configured in campaign '${row.campaign_id}'`);
      return;
    }
    const { campaign, delivery } = target;
    const lead: LeadRecord = { id: row.lead_id, campaignId: row.campaign_id, receivedAt: row.received_at, data: row.data };
    const attempt = row.attempts + 1;
    const startedAt = this.clock.now();
    const started = performance.now();
    let result: DeliveryResult;
    try {
      const file = delivery.plugin.fileOptions ? this.files.forLead(campaign, delivery, lead) : undefined;
      result = await withGuard(
        delivery.plugin.deliver!({ dispatchId, deliveryId: delivery.id, attempt, lead, campaign, options: delivery.options, prepared: delivery.prepared, file }, this.tools),
        PLUGIN_GUARD_MS,
      );
    } catch (err) {
      this.logger.error({ err, dispatchId, delivery: delivery.id }, 'plugin threw instead of returning an outcome');
      result = { outcome: 'retry', error: `plugin error: ${(err as Error).message}` };
    }
    const durationMs = performance.now() - started;
    const next = await this.outcomes.record({ dispatchId, attempt: attempt - row.retry_offset, at: startedAt, durationMs, result, delivery });
    this.metrics.attempt(campaign.id, delivery.id, next.outcome, durationMs);
    if (next.retryInMs !== undefined) {
      await job.moveToDelayed(Date.now() + next.retryInMs, token);
      throw new DelayedError();
    }
  }

  private async load(ids: string[]): Promise<(DispatchRow | undefined)[]> {
    const { rows } = await this.db.pool.query<DispatchRow>({ name: 'dispatch-load', text: LOAD, values: [ids] });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id));
  }
}

function withGuard<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome after ${ms} ms`)), ms);
  });
  return Promise.race([work, guard]).finally(() => clearTimeout(timer));
}
