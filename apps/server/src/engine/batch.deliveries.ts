import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Clock, LOGGER, PLUGIN_TOOLS, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import type { DeliveryResult, FileFormatOptions, PluginTools, RetryPolicy } from '@leadrelay/sdk';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { badRequest, conflict, notFound } from '../common/http-errors';
import { attemptSecrets, recordAttempt, storedReason } from './attempt.recorder';
import { BatchFiles, type StoredFileOptions } from './batch-files';
import { SCHEDULE_QUEUE, type ScheduleJob } from './queues';
import { RetrySchedule } from './retry.policy';

export interface BatchSummary {
  id: string;
  leadCount: number;
  file: string;
}

/** How long one send may hold a batch before another instance may take it over (crash recovery). */
const SEND_LEASE_MS = 15 * 60_000;

/**
 * Email batches retry a little slower than HTTP by default, as mail servers ask; an email
 * delivery's `retry` option overrides any of these.
 */
const BATCH_RETRY_DEFAULTS: RetryPolicy = { attempts: 8, firstDelayMs: 30_000, maxDelayMs: 3_600_000 };

/**
 * Batches: claim a delivery's pending dispatches atomically (`FOR UPDATE SKIP LOCKED`, so two
 * claims never share a lead), record the batch with everything needed to rebuild its file, and
 * for email send it, retrying transient failures. Manual batches are delivered when made.
 */
@Injectable()
export class BatchDeliveries {
  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly files: BatchFiles,
    private readonly clock: Clock,
    @InjectQueue(SCHEDULE_QUEUE) private readonly queue: Queue<ScheduleJob>,
    @Inject(PLUGIN_TOOLS) private readonly tools: PluginTools,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The campaign's delivery of the given plugin: named, or the only one. */
  pick(campaignId: string, plugin: string, deliveryId?: string): { campaign: ResolvedCampaign; delivery: ResolvedDelivery } {
    const campaign = this.registry.get(campaignId);
    if (!campaign) throw notFound(`No campaign '${campaignId}'.`);
    const candidates = campaign.deliveries.filter((d) => d.pluginName === plugin);
    if (deliveryId !== undefined) {
      const delivery = campaign.deliveries.find((d) => d.id === deliveryId);
      if (!delivery) throw notFound(`Campaign '${campaignId}' has no delivery '${deliveryId}'.`);
      if (delivery.pluginName !== plugin) throw badRequest(`Delivery '${deliveryId}' is not a ${plugin} delivery.`);
      return { campaign, delivery };
    }
    if (candidates.length !== 1) {
      throw badRequest(
        candidates.length
          ? `Campaign '${campaignId}' has ${candidates.length} ${plugin} deliveries; name one with "delivery".`
          : `Campaign '${campaignId}' has no ${plugin} delivery.`,
      );
    }
    return { campaign, delivery: candidates[0] };
  }

  /** Manual delivery: every pending dispatch of the delivery becomes delivered, in one new batch. */
  async manual(campaignId: string, deliveryId: string | undefined, choice: Partial<FileFormatOptions>): Promise<BatchSummary> {
    const { campaign, delivery } = this.pick(campaignId, 'manual-file', deliveryId);
    // The id is chosen first so that a file name pattern with `{{batch}}` names this batch.
    const batchId = randomUUID();
    const options = this.files.optionsFor(campaign, delivery, choice, batchId);
    const { id, leadCount } = await this.claim(campaign.id, delivery.id, 'manual', 'delivered', options, true, batchId);
    return { id, leadCount, file: `/v1/batches/${id}/file` };
  }

  /** A scheduled tick: claim what arrived since the last one into a batch, and send it. */
  async tick(campaignId: string, deliveryId: string, tickAt: Date): Promise<{ batch?: string; leadCount: number }> {
    const claimed = await this.claimScheduled(campaignId, deliveryId, tickAt);
    if (claimed.batch) await this.send(claimed.batch);
    return claimed;
  }

  /**
   * The first half of a tick: the delivery's unclaimed pending dispatches become one pending email
   * batch (none when there are no leads, unless `sendEmpty`). Committed before anything is sent,
   * so a crash from here on leaves a pending batch that the sweeper sends (`resumePending`).
   */
  async claimScheduled(campaignId: string, deliveryId: string, tickAt: Date): Promise<{ batch?: string; leadCount: number }> {
    const target = this.registry.delivery(campaignId, deliveryId);
    if (!target) return { leadCount: 0 };
    const { campaign, delivery } = target;
    // As for manual files: the id first, so that the stored file name can say `{{batch}}`.
    const batchId = randomUUID();
    const options = this.files.optionsFor(campaign, delivery, {}, batchId);
    const sendEmpty = Boolean(delivery.options?.sendEmpty);
    const { id, leadCount } = await this.claim(campaign.id, delivery.id, 'email', 'pending', options, sendEmpty, batchId);
    if (!leadCount && !sendEmpty) return { leadCount: 0 };
    this.logger.info({ campaign: campaignId, delivery: deliveryId, batch: id, leadCount, tickAt }, 'scheduled batch claimed');
    return { batch: id, leadCount };
  }

  /**
   * Claims into a new batch. `dispatchStatus` is what claimed dispatches become: `delivered` for
   * manual files; `pending` (but owned by the batch) for email until the mail server accepts it.
   */
  private async claim(
    campaignId: string,
    deliveryId: string,
    kind: 'manual' | 'email',
    dispatchStatus: 'delivered' | 'pending',
    options: StoredFileOptions,
    keepEmpty = true,
    id: string = randomUUID(),
  ): Promise<{ id: string; leadCount: number }> {
    const now = this.clock.now();
    return this.db.transaction(async (client) => {
      await client.query(
        `insert into batch (id, campaign_id, delivery_id, kind, status, options, lead_count, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, 0, $7, $7)`,
        [id, campaignId, deliveryId, kind, kind === 'manual' ? 'delivered' : 'pending', JSON.stringify(options), now],
      );
      const claimed = await client.query(
        `with picked as (
           select id from dispatch
            where campaign_id = $2 and delivery_id = $3 and status = 'pending' and batch_id is null
            for update skip locked)
         update dispatch d set batch_id = $1, status = $4, updated_at = $5
           from picked where d.id = picked.id`,
        [id, campaignId, deliveryId, dispatchStatus, now],
      );
      const leadCount = claimed.rowCount ?? 0;
      if (!leadCount && !keepEmpty) {
        await client.query('delete from batch where id = $1', [id]);
        return { id, leadCount };
      }
      await client.query('update batch set lead_count = $2 where id = $1', [id, leadCount]);
      if (kind === 'manual') {
        await client.query(
          `insert into attempt (batch_id, at, duration_ms, outcome, reason) values ($1, $2, 0, 'delivered', $3)`,
          [id, now, `manual delivery of ${leadCount} lead(s)`],
        );
      }
      return { id, leadCount };
    });
  }

  /** Sends a pending email batch once; a transient failure schedules the next try. */
  async send(batchId: string): Promise<{ status: string }> {
    const { rows } = await this.db.query(
      `update batch set sending_until = now() + make_interval(secs => $2::double precision / 1000)
        where id = $1 and kind = 'email' and status = 'pending' and (sending_until is null or sending_until < now())
        returning *`,
      [batchId, SEND_LEASE_MS],
    );
    const batch = rows[0];
    // Not pending, or another instance is sending it right now.
    if (!batch) return { status: 'skipped' };
    const target = this.registry.delivery(batch.campaign_id, batch.delivery_id);
    if (!target?.delivery.plugin.deliverBatch) {
      await this.finish(batch, { outcome: 'rejected', reason: `delivery '${batch.delivery_id}' is no longer configured` }, 0, undefined);
      return { status: 'failed' };
    }
    const { campaign, delivery } = target;
    const attempt = batch.attempts + 1;
    const startedAt = this.clock.now();
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await delivery.plugin.deliverBatch!({
        batchId,
        deliveryId: delivery.id,
        attempt,
        leadCount: batch.lead_count,
        campaign,
        options: delivery.options,
        prepared: delivery.prepared,
        file: this.files.forBatch(batch),
        createdAt: batch.created_at,
      }, this.tools);
    } catch (err) {
      this.logger.error({ err, batchId }, 'plugin threw instead of returning an outcome');
      result = { outcome: 'retry', error: `plugin error: ${(err as Error).message}` };
    }
    return this.finish(batch, result, performance.now() - started, delivery, startedAt);
  }

  /** Records try `attempts + 1` of a batch (a row as `send` leased it) and what comes next. */
  private async finish(batch: Record<string, any>, result: DeliveryResult, durationMs: number, delivery: ResolvedDelivery | undefined, at = this.clock.now()) {
    const batchId: string = batch.id;
    const attempt: number = batch.attempts + 1;
    const policy = new RetrySchedule({ ...BATCH_RETRY_DEFAULTS, ...delivery?.options?.retry });
    // Counted from the operator's last retry, which starts the schedule over.
    const retryInMs = result.outcome === 'retry' ? policy.delayAfter(attempt - batch.retry_offset, result.retryAfterMs) : undefined;
    const status = result.outcome === 'delivered' ? 'delivered' : retryInMs !== undefined ? 'pending' : 'failed';
    let reason = result.reason ?? result.error ?? null;
    if (status === 'failed' && result.outcome === 'retry') reason = `gave up after ${attempt - batch.retry_offset} attempt(s): ${reason ?? 'no reason given'}`;
    const secrets = delivery?.secrets ?? [];
    reason = storedReason(reason, attemptSecrets(secrets, result));
    await this.db.transaction(async (client) => {
      await client.query(`update batch set status = $2, attempts = $3, reason = $4, sending_until = null, updated_at = now() where id = $1`, [batchId, status, attempt, reason]);
      if (status !== 'pending') {
        await client.query(
          `update dispatch set status = $2, reason = $3, reference = $4, attempts = attempts + 1, updated_at = now() where batch_id = $1 and status = 'pending'`,
          [batchId, status, status === 'failed' ? reason : null, result.reference ?? null],
        );
      }
      await recordAttempt(client, { batchId, at, durationMs, result, outcome: result.outcome, secrets });
    });
    if (retryInMs !== undefined) {
      await this.queue.add('send', { kind: 'send', batchId }, { jobId: `send-${batchId}-${attempt}`, delay: retryInMs, removeOnComplete: true, removeOnFail: true });
    }
    return { status };
  }

  /** An operator sends a failed email batch again, with the same leads and the same file. */
  async retry(batchId: string): Promise<{ id: string; status: string }> {
    const attempts = await this.db.transaction(async (client) => {
      const res = await client.query<{ attempts: number }>(
        `update batch set status = 'pending', retry_offset = attempts, updated_at = now() where id = $1 and kind = 'email' and status = 'failed' returning attempts`,
        [batchId],
      );
      if (!res.rowCount) return undefined;
      await client.query(`update dispatch set status = 'pending', reason = null, updated_at = now() where batch_id = $1 and status = 'failed'`, [batchId]);
      return res.rows[0].attempts;
    });
    if (attempts === undefined) {
      const { rows } = await this.db.query('select kind, status from batch where id = $1', [batchId]);
      if (!rows.length) throw notFound(`No batch '${batchId}'.`);
      throw conflict(`Only failed email batches can be retried; this one is a ${rows[0].status} ${rows[0].kind} batch.`);
    }
    // The id every sender of this attempt uses (see resumePending): the sweeper finding the batch
    // pending before this job ran adds nothing, so the batch is never sent by two jobs at once.
    await this.queue.add('send', { kind: 'send', batchId }, { jobId: `send-${batchId}-${attempts}`, removeOnComplete: true, removeOnFail: true });
    return { id: batchId, status: 'pending' };
  }

  /** Email batches left pending with no job (a crash mid-send): the sweeper sends them again. */
  async resumePending(graceMs: number): Promise<number> {
    const { rows } = await this.db.query<{ id: string; attempts: number }>(
      `select id, attempts from batch where kind = 'email' and status = 'pending' and (sending_until is null or sending_until < now())
         and updated_at < now() - make_interval(secs => $1::double precision / 1000) limit 1000`,
      [graceMs],
    );
    for (const r of rows) {
      // Same id as the retry job for this attempt: a batch whose job is alive is not sent twice.
      await this.queue.add('send', { kind: 'send', batchId: r.id }, { jobId: `send-${r.id}-${r.attempts}`, removeOnComplete: true, removeOnFail: true });
    }
    return rows.length;
  }
}
