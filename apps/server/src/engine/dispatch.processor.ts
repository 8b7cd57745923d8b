import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Clock, LOGGER, PLUGIN_TOOLS } from '@leadrelay/campaigns';
import type { DeliveryResult, LeadRecord, PluginTools } from '@leadrelay/sdk/plugin';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { QueryBatcher } from '../common/query.batcher';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { Metrics } from './metrics';
import { BatchFiles } from './batch-files';
import { DISPATCH_QUEUE, type DispatchJob } from './queues';
import { DispatchOutcomes, type HeldBy } from './dispatch.outcomes';
import { CapLedger } from './contracts/cap.ledger';
import { contractOf } from './contracts/contract';
import { DeliveryGate } from './contracts/delivery.gate';
import { withDeadline } from './send.deadline';
import { AuctionRunner, type Sale } from './auction/auction.runner';
import { PingBids } from './auction/ping.bids';

/** Longest a plugin may take over one try before the host gives up on it (it should time out itself). */
const PLUGIN_GUARD_MS = 180_000;
/**
 * How long a claim holds a dispatch (docs/architecture.md › Leases). A send renews it every third
 * of that while it runs, so it never loses it; after a crash, another worker may claim the
 * dispatch at most this long after the last renewal.
 */
export const DISPATCH_LEASE_MS = 30_000;

interface DispatchRow {
  id: string;
  delivery_id: string;
  status: string;
  attempts: number;
  retry_offset: number;
  next_attempt_at: Date | null;
  held_by: string | null;
  created_at: Date;
  lead_id: string;
  campaign_version: string;
  campaign_id: string;
  data: LeadRecord['data'];
  received_at: Date;
  /** This send now holds the dispatch's lease; false: another send does, until `lease_until`. */
  claimed: boolean;
  lease_until: Date | null;
}

// Reads each dispatch and, when it is pending and no other send holds it, claims it for this one
// (a fresh token, until the lease ends). The select sees the rows as they were before the claim.
const CLAIM = `with claimed as (
     update dispatch_row d set lease_token = t.token, lease_until = now() + make_interval(secs => $3::double precision / 1000)
       from unnest($1::uuid[], $2::uuid[]) as t(id, token)
      where d.id = t.id and d.status = 'pending' and (d.lease_until is null or d.lease_until < now())
      returning d.id)
   select d.id, d.delivery_id, d.status, d.attempts, d.retry_offset, d.next_attempt_at, d.held_by, d.created_at, d.lease_until,
          l.id as lead_id, l.campaign_version, l.campaign_id, l.data, l.received_at, c.id is not null as claimed
     from dispatch_row d join lead l on l.id = d.lead_id left join claimed c on c.id = d.id
    where d.id = any($1::uuid[])`;

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
  private readonly reader = new QueryBatcher<{ id: string; token: string }, DispatchRow | undefined>((items) => this.claim(items), {
    maxBatch: 64,
    maxInFlight: 4,
    key: (item) => item.id,
  });

  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly outcomes: DispatchOutcomes,
    private readonly files: BatchFiles,
    private readonly clock: Clock,
    @Inject(PLUGIN_TOOLS) private readonly tools: PluginTools,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly gate: DeliveryGate,
    private readonly caps: CapLedger,
    private readonly auction: AuctionRunner,
    private readonly pingBids: PingBids,
    @Inject(APP_CONFIG) config: ServerConfig,
  ) {
    super();
    this.recheckMs = config.CONTRACT_RECHECK_MS;
    this.parkMs = config.CONTRACT_PARK_MS;
  }

  private readonly recheckMs: number;
  private readonly parkMs: number;

  /**
   * A graceful stop lets the attempts in flight finish and record their outcome: Nest closes the
   * database pool in `onApplicationShutdown`, after this, while its own close of the worker
   * would come too late.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.gate.stopWaiting();
    await this.worker.close();
    this.logger.info({ queue: this.worker.name }, 'dispatch worker drained');
  }

  /** Redis trouble (a restart, a flush under a running job): logged, never fatal; the sweeper recovers lost jobs. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err }, 'dispatch worker error');
  }

  /** A job that failed (our side: the database away, a bug) is tried again by BullMQ; say so. */
  @OnWorkerEvent('failed')
  onJobFailed(job: Job<DispatchJob> | undefined, err: Error): void {
    this.logger.warn({ err, dispatchId: job?.data.dispatchId, attemptsMade: job?.attemptsMade }, 'dispatch job failed');
  }

  async process(job: Job<DispatchJob>, token?: string): Promise<void> {
    const { dispatchId } = job.data;
    const leaseToken = randomUUID();
    const row = await this.reader.add({ id: dispatchId, token: leaseToken });
    // A job never completes while its dispatch is pending and unseen: it fails instead, so that
    // BullMQ tries it again and, past its attempts, the sweeper finds it in the failed set.
    if (!row) throw new Error(`dispatch ${dispatchId} not found`);
    if (row.status !== 'pending') return;
    if (!row.claimed) {
      // Another send holds it (a job delivered twice, a worker that stalled): this one looks
      // again when that lease ends, and by then finds the outcome.
      const waitMs = Math.max((row.lease_until?.getTime() ?? 0) - this.clock.now().getTime(), 0) + 1_000;
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    const lease = { token: leaseToken, open: true };
    const renewing = setInterval(() => void this.outcomes.renewLease(dispatchId, leaseToken, DISPATCH_LEASE_MS).catch(() => undefined), DISPATCH_LEASE_MS / 3);
    try {
      await this.send(job, token, row, lease);
    } finally {
      clearInterval(renewing);
      // Writing the outcome ends the lease; any other way out (a hold, a skip, an error) gives it
      // back. If that write fails too (the database away), the lease simply runs out.
      if (lease.open) this.outcomes.releaseLease(dispatchId, leaseToken).catch((err) => this.logger.warn({ err, dispatchId }, 'lease not given back; it runs out'));
    }
  }

  /** A claimed dispatch through its contract to the plugin. */
  private async send(job: Job<DispatchJob>, token: string | undefined, row: DispatchRow, lease: { token: string; open: boolean }): Promise<void> {
    const dispatchId = row.id;
    const now = this.clock.now().getTime();
    // A held dispatch looks at its contract again whenever it wakes; any other with a retry due
    // later was re-enqueued early (by the sweeper, or a restart) and waits for it.
    if (!row.held_by && row.next_attempt_at && row.next_attempt_at.getTime() > now + 1_000) {
      await job.moveToDelayed(Date.now() + (row.next_attempt_at.getTime() - now), token);
      throw new DelayedError();
    }
    // The delivery as configured now; once it is gone, under the version its lead was accepted with.
    const target = this.registry.delivery(row.campaign_id, row.delivery_id, row.campaign_version);
    if (!target) {
      await this.outcomes.giveUp(dispatchId, `delivery '${row.delivery_id}' is no longer configured in campaign '${row.campaign_id}'`);
      return;
    }
    const { campaign, delivery } = target;
    const contract = contractOf(delivery);
    // The buyer's contract, cheapest first: hours (no I/O), then the shared gate (one Redis
    // script: pause, breaker, in-flight slots, pacing), then the caps (one PostgreSQL call).
    if (contract.hours && !contract.hours.isOpen(this.clock.now())) {
      if (contract.outsideHours === 'skip') return this.skip(campaign.id, delivery.id, dispatchId, 'outside delivery hours');
      return this.hold(job, token, campaign.id, delivery.id, dispatchId, 'hours', contract.hours.nextOpening(this.clock.now()), row);
    }
    const gate = await this.gate.acquire(campaign.id, delivery, dispatchId, row.created_at);
    if (!gate.ok) return this.hold(job, token, campaign.id, delivery.id, dispatchId, gate.heldBy, gate.until === undefined ? null : new Date(gate.until), row);
    let counted: string[] = [];
    let outcome: 'delivered' | 'rejected' | 'retry' | 'none' = 'none';
    let reason: string | undefined;
    let released = false;
    const stopRenewing = this.gate.holdSlot(campaign.id, delivery.id, dispatchId);
    try {
      if (contract.caps.length) {
        const slots = contract.capSlots(this.clock.now());
        const full = await this.caps.reserveOne(campaign.id, delivery.id, slots);
        if (full) {
          // Freed before the hold parks the job: a release takes a send out of the waiting line.
          released = true;
          await this.gate.release(campaign.id, delivery, dispatchId, 'none', undefined, gate.rateMember);
          if (contract.onCap === 'skip') return await this.skip(campaign.id, delivery.id, dispatchId, full.reason);
          return await this.hold(job, token, campaign.id, delivery.id, dispatchId, 'cap', full.end, row);
        }
        counted = slots.map((slot) => slot.key);
      }
      const lead: LeadRecord = { id: row.lead_id, campaignId: row.campaign_id, receivedAt: row.received_at, data: row.data };
      const attempt = row.attempts + 1;
      const startedAt = this.clock.now();
      const started = performance.now();
      let result: DeliveryResult;
      let sale: Sale | undefined;
      try {
        if (delivery.auction) {
          // A ping-post delivery: a sale in place of one plugin call, bounded by its own deadline;
          // a lead posted with an inbound ping's id reuses that ping's bids while they last.
          const gathered = await this.pingBids.forSale(lead.id, delivery.id, this.clock.now());
          sale = await this.auction.sell(campaign, delivery, { id: dispatchId, lead, arrivedAt: row.created_at, attempt }, gathered);
          result = sale.result;
        } else {
          const file = delivery.plugin.fileOptions ? this.files.forLead(campaign, delivery, lead) : undefined;
          result = await withDeadline(
            delivery.plugin.deliver!({ dispatchId, deliveryId: delivery.id, attempt, lead, campaign, options: delivery.options, prepared: delivery.prepared, file }, this.tools),
            PLUGIN_GUARD_MS,
          );
        }
      } catch (err) {
        this.logger.error({ err, dispatchId, delivery: delivery.id }, 'plugin threw instead of returning an outcome');
        result = { outcome: 'retry', error: `plugin error: ${(err as Error).message}` };
      }
      const durationMs = performance.now() - started;
      outcome = result.outcome;
      reason = result.reason ?? result.error;
      // The buyer has answered: its slot is free while the outcome is written.
      stopRenewing();
      released = true;
      void this.gate.release(campaign.id, delivery, dispatchId, outcome, reason, '', durationMs);
      const next = await this.outcomes.record({ dispatchId, attempt: attempt - row.retry_offset, at: startedAt, durationMs, result, delivery, leaseToken: lease.token, sale });
      lease.open = false;
      this.metrics.attempt(campaign.id, delivery.id, next.outcome, durationMs);
      if (next.retryInMs !== undefined) {
        await job.moveToDelayed(Date.now() + next.retryInMs, token);
        throw new DelayedError();
      }
    } finally {
      stopRenewing();
      // A cap counts leads the buyer took: any other end gives the slot back.
      if (counted.length && outcome !== 'delivered') await this.caps.release(campaign.id, delivery.id, counted);
      // A send that never went out (a full cap, our own error) also gives back its place in the
      // pacing. Releases go on their way unawaited; a graceful stop waits for them.
      if (!released) void this.gate.release(campaign.id, delivery, dispatchId, outcome, reason, outcome === 'none' ? gate.rateMember : '');
    }
  }

  /** A send the contract will not make: the dispatch is `skipped`, final, with no attempt. */
  private async skip(campaignId: string, deliveryId: string, dispatchId: string, reason: string): Promise<void> {
    if (await this.outcomes.skip(dispatchId, reason)) this.metrics.skipped(campaignId, deliveryId);
  }

  /**
   * A send the contract holds back: written down (except a full `concurrency`, which clears in
   * moments), then the job sleeps until the hold ends, `CONTRACT_RECHECK_MS` at most — or, parked
   * with no end, until a release, a resume or a breaker's trial wakes it. Holds cost no attempt.
   */
  private async hold(
    job: Job<DispatchJob>,
    token: string | undefined,
    campaignId: string,
    deliveryId: string,
    dispatchId: string,
    by: HeldBy | 'concurrency',
    until: Date | null,
    row: DispatchRow,
  ): Promise<never> {
    this.metrics.held(campaignId, deliveryId, by);
    const known = row.held_by === by && (row.next_attempt_at?.getTime() ?? null) === (until?.getTime() ?? null);
    if (by !== 'concurrency' && !known) await this.outcomes.hold(dispatchId, by, until);
    // Windows and hours end by the clock: look again at least every CONTRACT_RECHECK_MS. A
    // breaker's pause or a pacing wait is short and exact.
    const left = until ? Math.max(until.getTime() - this.clock.now().getTime(), 0) : this.parkMs;
    const sleep = by === 'cap' || by === 'hours' ? Math.min(left, this.recheckMs) : left;
    await job.moveToDelayed(Date.now() + sleep, token);
    await this.gate.park(campaignId, deliveryId, dispatchId, row.created_at);
    throw new DelayedError();
  }

  private async claim(items: { id: string; token: string }[]): Promise<(DispatchRow | undefined)[]> {
    const { rows } = await this.db.pool.query<DispatchRow>({
      name: 'dispatch-claim',
      text: CLAIM,
      values: [items.map((i) => i.id), items.map((i) => i.token), DISPATCH_LEASE_MS],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return items.map((item) => byId.get(item.id));
  }
}
