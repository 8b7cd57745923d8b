import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { Clock, LOGGER, PLUGIN_TOOLS, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import type { BatchMode } from '@leadrelay/persistence';
import type { DeliveryResult, FileFormatOptions, PluginTools } from '@leadrelay/sdk/plugin';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { attemptSecrets, recordAttempt, storedReason } from './attempt.recorder';
import { BatchFiles, type StoredFileOptions } from './batch-files';
import { SCHEDULE_QUEUE, type ScheduleJob } from './queues';
import { decideOutcome, retryScheduleFor } from './outcome.decision';
import { CapLedger } from './contracts/cap.ledger';
import { withDeadline } from './send.deadline';
import { contractOf } from './contracts/contract';

export interface BatchSummary {
  id: string;
  leadCount: number;
  file: string;
  /** `delivered` when the download is the delivery; `pending` until a sending plugin's send succeeds. */
  status: 'delivered' | 'pending';
}

/** What running a schedule now made: the batch going out, or `id: null` when there was nothing to send. */
export interface RunSummary {
  id: string | null;
  leadCount: number;
  file: string | null;
  status: 'pending' | null;
}

/** How long one send may hold a batch before another instance may take it over (crash recovery). */
const SEND_LEASE_MS = 15 * 60_000;
/** A batch send that has not answered by now is a `retry`: its outcome is recorded within the lease. */
const BATCH_SEND_DEADLINE_MS = SEND_LEASE_MS - 60_000;

/**
 * Batches of any plugin's scheduled or on-demand delivery: claim the delivery's pending
 * dispatches atomically (`FOR UPDATE SKIP LOCKED`, so two claims never share a lead), record the
 * batch with everything needed to rebuild its file, and — when the plugin sends batches
 * (`deliverBatch`) — send it, retrying by the delivery's policy. A delivery without
 * `deliverBatch` (manual-file) is delivered by its download, so its batch is delivered when made.
 * The host knows a delivery here by its mode and settings only (docs/architecture.md).
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
    private readonly caps: CapLedger,
  ) {}

  /** Whether an operator paused the delivery (docs/contracts.md): no batch is made while it is. */
  async paused(campaignId: string, deliveryId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ paused: boolean }>('select paused from delivery_control where campaign_id = $1 and delivery_id = $2', [campaignId, deliveryId]);
    return rows[0]?.paused ?? false;
  }

  /** The campaign's on-demand delivery: the one named, or the only one. */
  pick(campaignId: string, deliveryId?: string): { campaign: ResolvedCampaign; delivery: ResolvedDelivery } {
    // An archived campaign's leads can still be delivered by hand, under its last version.
    const campaign = this.registry.forReading(campaignId);
    if (!campaign) throw new DomainError('not_found', `No campaign '${campaignId}'.`);
    if (deliveryId !== undefined) {
      const delivery = campaign.deliveries.find((d) => d.id === deliveryId);
      if (!delivery) throw new DomainError('not_found', `Campaign '${campaignId}' has no delivery '${deliveryId}'.`);
      if (delivery.mode.kind !== 'on-demand') {
        throw new DomainError('bad_request', `Delivery '${deliveryId}' is ${delivery.mode.kind}, not on-demand: it cannot be delivered by request.`);
      }
      return { campaign, delivery };
    }
    const candidates = campaign.deliveries.filter((d) => d.mode.kind === 'on-demand');
    if (candidates.length !== 1) {
      throw new DomainError(
        'bad_request',
        candidates.length
          ? `Campaign '${campaignId}' has ${candidates.length} on-demand deliveries (${candidates.map((d) => d.id).join(', ')}); name one with "delivery".`
          : `Campaign '${campaignId}' has no on-demand delivery.`,
      );
    }
    return { campaign, delivery: candidates[0] };
  }

  /**
   * A manual delivery: every pending dispatch of an on-demand delivery goes into one new batch.
   * Delivered at once when the download is the delivery; otherwise sent by the plugin from a job.
   * One that would take no lead — none pending, or a cap with no room — stores nothing and is
   * refused (`nothing_pending`), unless `allowEmpty` asks for the empty batch all the same
   * (docs/api.md › Manual deliveries): a second press must not record a 0-lead "delivery".
   */
  async manual(campaignId: string, deliveryId: string | undefined, choice: Partial<FileFormatOptions>, allowEmpty = false): Promise<BatchSummary> {
    const { campaign, delivery } = this.pick(campaignId, deliveryId);
    await this.refuseWhilePaused(campaign.id, delivery.id, 'deliver');
    const sends = Boolean(delivery.plugin.deliverBatch);
    // The id is chosen first so that a file name pattern with `{{batch}}` names this batch.
    const batchId = randomUUID();
    const options = this.files.optionsFor(campaign, delivery, choice, batchId);
    const { id, leadCount, made, fullCap, unsettled } = await this.claim(campaign.id, delivery.id, 'on-demand', sends ? 'pending' : 'delivered', options, allowEmpty ? 'always' : 'never', batchId);
    if (!made) {
      throw new DomainError(
        'nothing_pending',
        fullCap
          ? `Delivery '${delivery.id}' took no lead: ${fullCap}, so its pending leads wait for the next window. Nothing was delivered and no batch made.`
          : unsettled
            ? `Delivery '${delivery.id}' took no lead: its ${unsettled} pending lead(s) are not settled yet (an older transaction is still open). Nothing was delivered and no batch made; try again in a moment.`
            : `Delivery '${delivery.id}' has no pending leads. Nothing was delivered and no batch made.`,
      );
    }
    if (sends) await this.enqueueSend(id, 0);
    return { id, leadCount, file: `/v1/batches/${id}/file`, status: sends ? 'pending' : 'delivered' };
  }

  /** A request to act on a paused delivery is refused (409), never silently skipped as a tick is. */
  private async refuseWhilePaused(campaignId: string, deliveryId: string, action: string): Promise<void> {
    if (await this.paused(campaignId, deliveryId)) {
      throw new DomainError('conflict', `Delivery '${deliveryId}' is paused; resume it (POST /v1/campaigns/${campaignId}/deliveries/${deliveryId}/resume) to ${action}.`);
    }
  }

  /**
   * A scheduled delivery's batch now, between its ticks (docs/api.md, "Run a schedule now"). It is
   * the tick's own claim (`claimScheduled`), so a tick at the same moment never shares a lead with
   * it, and the tick's controls hold (caps, `sendEmpty`). The batch is sent by the send job, as a
   * manual delivery through a sending plugin is: the request does not wait for the buyer, and a
   * send that fails is retried by the delivery's policy.
   */
  async runNow(campaignId: string, deliveryId: string): Promise<RunSummary> {
    const { campaign, delivery } = this.scheduledDelivery(campaignId, deliveryId);
    await this.refuseWhilePaused(campaign.id, delivery.id, 'run it');
    const claimed = await this.claimScheduled(campaign.id, delivery.id, this.clock.now());
    if (!claimed.batch) return { id: null, leadCount: 0, file: null, status: null };
    await this.enqueueSend(claimed.batch, 0);
    return { id: claimed.batch, leadCount: claimed.leadCount, file: `/v1/batches/${claimed.batch}/file`, status: 'pending' };
  }

  /** The delivery to run now: unknown campaign or delivery → not found; one without a schedule → conflict. */
  private scheduledDelivery(campaignId: string, deliveryId: string): { campaign: ResolvedCampaign; delivery: ResolvedDelivery } {
    // As for manual deliveries: an archived campaign's pending leads can still go, under its last version.
    const campaign = this.registry.forReading(campaignId);
    if (!campaign) throw new DomainError('not_found', `No campaign '${campaignId}'.`);
    const delivery = campaign.deliveries.find((d) => d.id === deliveryId);
    if (!delivery) throw new DomainError('not_found', `Campaign '${campaignId}' has no delivery '${deliveryId}'.`);
    if (delivery.mode.kind === 'realtime') {
      throw new DomainError('conflict', `Delivery '${deliveryId}' is real-time, not scheduled: each lead is sent as it arrives, so there is no batch to run now.`);
    }
    if (delivery.mode.kind === 'on-demand') {
      throw new DomainError('conflict', `Delivery '${deliveryId}' is on-demand, not scheduled: deliver its leads with POST /v1/campaigns/${campaignId}/manual-deliveries.`);
    }
    return { campaign, delivery };
  }

  /** A scheduled tick: claim what arrived since the last one into a batch, and send it. */
  async tick(campaignId: string, deliveryId: string, tickAt: Date): Promise<{ batch?: string; leadCount: number }> {
    const claimed = await this.claimScheduled(campaignId, deliveryId, tickAt);
    if (claimed.batch) await this.send(claimed.batch);
    return claimed;
  }

  /**
   * The first half of a tick: the delivery's unclaimed pending dispatches become one pending
   * batch (none when there are no leads, unless `sendEmpty`). Committed before anything is sent,
   * so a crash from here on leaves a pending batch that the sweeper sends (`resumePending`).
   */
  async claimScheduled(campaignId: string, deliveryId: string, tickAt: Date): Promise<{ batch?: string; leadCount: number }> {
    const target = this.registry.delivery(campaignId, deliveryId);
    if (!target || target.delivery.mode.kind !== 'scheduled') return { leadCount: 0 };
    const { campaign, delivery } = target;
    if (await this.paused(campaign.id, delivery.id)) {
      this.logger.info({ campaign: campaignId, delivery: deliveryId, tickAt }, 'scheduled tick skipped: the delivery is paused');
      return { leadCount: 0 };
    }
    // As for manual files: the id first, so that the stored file name can say `{{batch}}`.
    const batchId = randomUUID();
    const options = this.files.optionsFor(campaign, delivery, {}, batchId);
    const sendEmpty = delivery.settings.sendEmpty ?? false;
    const { id, leadCount, made } = await this.claim(campaign.id, delivery.id, 'scheduled', 'pending', options, sendEmpty ? 'when-none-pending' : 'never', batchId);
    // None with no leads and no `sendEmpty`, nor when a cap left no room (an empty "no new leads" would be untrue).
    if (!made) return { leadCount: 0 };
    this.logger.info({ campaign: campaignId, delivery: deliveryId, batch: id, leadCount, tickAt }, 'scheduled batch claimed');
    return { batch: id, leadCount };
  }

  /**
   * Claims into a new batch. `dispatchStatus` is what claimed dispatches become: `delivered` when
   * the download is the delivery; `pending` (but owned by the batch) until the plugin's send succeeds.
   * `empty` says when a batch of no lead is made: a tick's `sendEmpty` only when none is pending
   * (under a full cap "no new leads" would be untrue); a manual `allowEmpty` whatever the reason.
   * `fullCap` names the cap that left no room, when that is why nothing was taken; `unsettled`
   * counts pending leads the range could not take yet.
   */
  private async claim(
    campaignId: string,
    deliveryId: string,
    mode: BatchMode,
    dispatchStatus: 'delivered' | 'pending',
    options: StoredFileOptions,
    empty: 'never' | 'when-none-pending' | 'always',
    id: string,
  ): Promise<{ id: string; leadCount: number; made: boolean; fullCap?: string; unsettled?: number }> {
    const now = this.clock.now();
    return this.db.transaction(async (client) => {
      // Claims of one delivery take turns (each starts where the last one ended); intake and
      // other deliveries' claims are never held up.
      await client.query('select pg_advisory_xact_lock(hashtext($1), hashtext($2))', [campaignId, deliveryId]);
      // The range: from where the delivery's last batch ended to the oldest transaction still
      // running, below which every dispatch is committed and no new one can appear. Not a row
      // of `dispatch_row` is written: the view `dispatch` answers each one's status from here.
      const { rows } = await client.query<{ from_txid: string; to_txid: string; lead_count: number }>(
        `with bounds as (
           select coalesce((select max(to_txid) from batch where campaign_id = $1 and delivery_id = $2 and to_txid is not null), '0'::xid8) as from_txid,
                  pg_snapshot_xmin(pg_current_snapshot()) as high)
         select from_txid, greatest(from_txid, high) as to_txid,
                (select count(*)::int from dispatch_row d
                  where d.campaign_id = $1 and d.delivery_id = $2 and d.status = 'pending' and d.batch_id is null
                    and d.txid >= from_txid and d.txid < high) as lead_count
           from bounds`,
        [campaignId, deliveryId],
      );
      let { from_txid: fromTxid, to_txid: toTxid, lead_count: leadCount } = rows[0];
      // Pending leads past the range's end wait for an older transaction still open: they exist,
      // they are just not settled yet, and a refusal must not say there are none.
      const unsettled = leadCount ? 0 : await this.countUnsettled(client, campaignId, deliveryId, fromTxid);
      // A cap takes at most what is left of its windows; the range ends before the first lead
      // past that, and those wait for the next batch (docs/contracts.md, "Caps").
      const target = this.registry.delivery(campaignId, deliveryId);
      const slots = target && leadCount ? contractOf(target.delivery).capSlots(now) : [];
      let fullCap: string | undefined;
      if (slots.length) {
        const used = await this.caps.used(campaignId, deliveryId, slots, client);
        const room = Math.max(Math.min(...slots.map((slot, i) => slot.max - used[i])), 0);
        if (room < leadCount) {
          ({ to_txid: toTxid, lead_count: leadCount } = await this.cutRange(client, campaignId, deliveryId, fromTxid, toTxid, room));
          this.logger.info({ campaign: campaignId, delivery: deliveryId, room, leadCount }, 'batch limited by its cap');
        }
        if (!leadCount) {
          fullCap = slots.find((slot, i) => slot.max - used[i] <= 0)?.reason;
          if (empty !== 'always') return { id, leadCount, made: false, fullCap, unsettled };
        } else {
          await this.caps.reserve(campaignId, deliveryId, slots, leadCount, client);
        }
      }
      if (!leadCount && empty === 'never') return { id, leadCount, made: false, fullCap, unsettled };
      await client.query(
        `insert into batch (id, campaign_id, delivery_id, mode, status, options, lead_count, from_txid, to_txid, cap_windows, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10)`,
        [id, campaignId, deliveryId, mode, dispatchStatus, JSON.stringify(options), leadCount, fromTxid, toTxid, now, slots.length && leadCount ? slots.map((slot) => slot.key) : null],
      );
      if (dispatchStatus === 'delivered') {
        const result: DeliveryResult = { outcome: 'delivered', reason: `manual delivery of ${leadCount} lead(s)` };
        await recordAttempt(client, { batchId: id, at: now, durationMs: 0, result, outcome: 'delivered', secrets: [] });
      }
      return { id, leadCount, made: true };
    });
  }

  private async countUnsettled(client: PoolClient, campaignId: string, deliveryId: string, fromTxid: string): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from dispatch_row d
        where d.campaign_id = $1 and d.delivery_id = $2 and d.status = 'pending' and d.batch_id is null and d.txid >= $3::xid8`,
      [campaignId, deliveryId, fromTxid],
    );
    return rows[0].n;
  }

  /** Ends a range before its `room + 1`-th pending lead (by transaction), and counts what it then holds. */
  private async cutRange(client: PoolClient, campaignId: string, deliveryId: string, fromTxid: string, toTxid: string, room: number) {
    const { rows } = await client.query<{ to_txid: string; lead_count: number }>(
      `with cut as (
         select coalesce((select d.txid from dispatch_row d
                           where d.campaign_id = $1 and d.delivery_id = $2 and d.status = 'pending' and d.batch_id is null
                             and d.txid >= $3::xid8 and d.txid < $4::xid8
                           order by d.txid offset $5 limit 1), $4::xid8) as to_txid)
       select to_txid, (select count(*)::int from dispatch_row d
                         where d.campaign_id = $1 and d.delivery_id = $2 and d.status = 'pending' and d.batch_id is null
                           and d.txid >= $3::xid8 and d.txid < cut.to_txid) as lead_count
         from cut`,
      [campaignId, deliveryId, fromTxid, toTxid, room],
    );
    return rows[0];
  }

  /** Sends a pending batch once through its plugin; a transient failure schedules the next try. */
  async send(batchId: string): Promise<{ status: string }> {
    // The lease: a token and an end, so only this sender records the try (docs/architecture.md › Leases).
    const { rows } = await this.db.query(
      `update batch set sending_until = now() + make_interval(secs => $2::double precision / 1000), send_token = gen_random_uuid()
        where id = $1 and status = 'pending' and (sending_until is null or sending_until < now())
        returning *`,
      [batchId, SEND_LEASE_MS],
    );
    const batch = rows[0];
    // Not pending, or another instance is sending it right now.
    if (!batch) return { status: 'skipped' };
    const target = this.registry.delivery(batch.campaign_id, batch.delivery_id);
    if (!target?.delivery.plugin.deliverBatch) {
      const result: DeliveryResult = { outcome: 'rejected', configError: true, reason: `delivery '${batch.delivery_id}' is no longer configured` };
      return this.finish(batch, result, 0, undefined);
    }
    const { campaign, delivery } = target;
    const startedAt = this.clock.now();
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await withDeadline(
        delivery.plugin.deliverBatch!(
          {
            batchId,
            deliveryId: delivery.id,
            attempt: batch.attempts + 1,
            leadCount: batch.lead_count,
            campaign,
            options: delivery.options,
            prepared: delivery.prepared,
            file: this.files.forBatch(batch),
            createdAt: batch.created_at,
          },
          this.tools,
        ),
        BATCH_SEND_DEADLINE_MS,
      );
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
    // Counted from the operator's last retry, which starts the schedule over.
    const decision = decideOutcome(result, attempt - batch.retry_offset, retryScheduleFor(delivery));
    // A batch is delivered, waiting for its next try, or failed (a refusal fails the whole batch).
    const status = decision.status === 'delivered' || decision.status === 'pending' ? decision.status : 'failed';
    const secrets = attemptSecrets(delivery?.secrets ?? [], result);
    const reason = storedReason(decision.reason, secrets);
    const nextAttemptAt = decision.retryInMs === undefined ? null : new Date(this.clock.now().getTime() + decision.retryInMs);
    const held = await this.db.transaction(async (client) => {
      // Only the lease's holder writes the try: one whose lease ran out (and was taken) writes nothing.
      const { rowCount } = await client.query(
        `update batch set status = $2, attempts = $3, reason = $4, reference = $5, next_attempt_at = $7, sending_until = null, send_token = null, updated_at = now()
          where id = $1 and send_token is not distinct from $6`,
        [batchId, status, attempt, reason, status === 'delivered' ? (result.reference ?? null) : null, batch.send_token ?? null, nextAttemptAt],
      );
      if (!rowCount) return false;
      // A batch made before ranges carries its dispatches' statuses in their rows; a range batch's
      // dispatches read theirs from the batch (the view `dispatch`).
      if (status !== 'pending' && !batch.to_txid) {
        await client.query(
          `update dispatch_row set status = $2, reason = $3, reference = $4, attempts = attempts + 1, updated_at = now() where batch_id = $1 and status = 'pending'`,
          [batchId, status, status === 'failed' ? reason : null, result.reference ?? null],
        );
      }
      await recordAttempt(client, { batchId, at, durationMs, result, outcome: decision.outcome, secrets });
      // A failed batch's leads never reached the buyer: their cap slots are free again.
      if (status === 'failed' && batch.cap_windows?.length) await this.caps.release(batch.campaign_id, batch.delivery_id, batch.cap_windows, batch.lead_count, client);
      return true;
    });
    if (!held) {
      this.logger.warn({ batchId, attempt }, 'batch send outlived its lease: its outcome was not recorded');
      return { status: 'lease lost' };
    }
    if (decision.retryInMs !== undefined) await this.enqueueSend(batchId, attempt, decision.retryInMs);
    return { status };
  }

  /** An operator sends a failed batch again, with the same leads and the same file. */
  async retry(batchId: string): Promise<{ id: string; status: string }> {
    const attempts = await this.db.transaction(async (client) => {
      const res = await client.query<{ attempts: number; campaign_id: string; delivery_id: string; lead_count: number; cap_windows: string[] | null }>(
        `update batch set status = 'pending', retry_offset = attempts, updated_at = now() where id = $1 and status = 'failed'
         returning attempts, campaign_id, delivery_id, lead_count, cap_windows`,
        [batchId],
      );
      if (!res.rowCount) return undefined;
      // Its leads count against the caps again, in today's windows: a retry may not pass a cap either.
      const b = res.rows[0];
      const target = b.cap_windows?.length ? this.registry.delivery(b.campaign_id, b.delivery_id) : undefined;
      const slots = target ? contractOf(target.delivery).capSlots(this.clock.now()) : [];
      const full = await this.caps.reserve(b.campaign_id, b.delivery_id, slots, b.lead_count, client);
      if (full) throw new DomainError('conflict', `The batch's ${b.lead_count} lead(s) do not fit: ${full.reason}. Retry it when the window rolls over.`);
      if (slots.length) await client.query('update batch set cap_windows = $2 where id = $1', [batchId, slots.map((slot) => slot.key)]);
      await client.query(`update dispatch_row set status = 'pending', reason = null, updated_at = now() where batch_id = $1 and status = 'failed'`, [batchId]);
      return res.rows[0].attempts;
    });
    if (attempts === undefined) {
      const { rows } = await this.db.query('select status from batch where id = $1', [batchId]);
      if (!rows.length) throw new DomainError('not_found', `No batch '${batchId}'.`);
      throw new DomainError('conflict', `Only failed batches can be retried; this one is ${rows[0].status}.`);
    }
    await this.enqueueSend(batchId, attempts);
    return { id: batchId, status: 'pending' };
  }

  /** Batches left pending with no job (a crash mid-send, a lost job): the sweeper sends them again. */
  async resumePending(graceMs: number): Promise<number> {
    // A retry's time is the batch's own (`next_attempt_at`), so a job lost from Redis comes back
    // when it was due, not early.
    const { rows } = await this.db.query<{ id: string; attempts: number; wait_ms: number }>(
      `select id, attempts, greatest(0, extract(epoch from (next_attempt_at - now())) * 1000)::float8 as wait_ms
         from batch where status = 'pending' and (sending_until is null or sending_until < now())
         and updated_at < now() - make_interval(secs => $1::double precision / 1000) limit 1000`,
      [graceMs],
    );
    for (const r of rows) await this.enqueueSend(r.id, r.attempts, r.wait_ms > 0 ? Math.ceil(r.wait_ms) : undefined);
    return rows.length;
  }

  /**
   * The job that sends try `attempts + 1`. Every sender of one try (the first send, a retry, the
   * sweeper) uses the same job id, so a batch whose job is alive is never sent by two jobs at once.
   */
  private async enqueueSend(batchId: string, attempts: number, delayMs?: number): Promise<void> {
    await this.queue.add('send', { kind: 'send', batchId }, { jobId: `send-${batchId}-${attempts}`, delay: delayMs, removeOnComplete: true, removeOnFail: true });
  }
}
