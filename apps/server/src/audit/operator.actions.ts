import { Injectable } from '@nestjs/common';
import type { FileFormatOptions } from '@leadrelay/sdk/plugin';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { BatchDeliveries, type BatchSummary, type RunSummary } from '../engine/batch.deliveries';
import { DispatchRetry, type ReplaySelection } from '../engine/dispatch.retry';
import { DeliveryStates } from '../engine/contracts/delivery.state';
import { AuditLog } from './audit.log';

/** Who acts, and through which door: `api` (the admin API) or `console`. */
export interface Actor {
  name: string;
  via: 'api' | 'console';
}

/**
 * The operator actions the admin API and the console share, each recorded in the audit log once
 * it has succeeded. One place, so the two doors cannot drift in what they record.
 */
@Injectable()
export class OperatorActions {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly batches: BatchDeliveries,
    private readonly retries: DispatchRetry,
    private readonly states: DeliveryStates,
    private readonly registry: CampaignRegistry,
  ) {}

  async manualDelivery(actor: Actor, campaignId: string, deliveryId: string | undefined, choice: Partial<FileFormatOptions>, allowEmpty = false): Promise<BatchSummary> {
    const batch = await this.batches.manual(campaignId, deliveryId, choice, allowEmpty);
    // Without a delivery named, the campaign's one on-demand delivery was chosen: record which.
    const { rows } = await this.db.query<{ delivery_id: string }>('select delivery_id from batch where id = $1', [batch.id]);
    await this.record(actor, 'manual-delivery', { campaignId, deliveryId: rows[0]?.delivery_id, count: batch.leadCount, detail: { batch: batch.id } });
    return batch;
  }

  async retryDispatch(actor: Actor, dispatchId: string): Promise<{ id: string; status: string }> {
    const result = await this.retries.retry(dispatchId);
    const { rows } = await this.db.query<{ campaign_id: string; delivery_id: string; lead_id: string }>(
      'select campaign_id, delivery_id, lead_id from dispatch where id = $1',
      [dispatchId],
    );
    const { campaign_id: campaignId, delivery_id: deliveryId, lead_id: lead } = rows[0];
    await this.record(actor, 'dispatch-retry', { campaignId, deliveryId, count: 1, detail: { dispatch: dispatchId, lead } });
    return result;
  }

  /**
   * Bulk replay of one delivery's failed or rejected dispatches (docs/api.md › Bulk replay): those
   * sent one by one are reopened, the failed batches among the rest retried, and the whole recorded
   * once with the selection. A dry run counts what would go and records nothing.
   */
  async replay(actor: Actor, selection: ReplaySelection, dryRun: boolean): Promise<{ count: number; dryRun: boolean }> {
    if (!this.registry.delivery(selection.campaignId, selection.deliveryId)) {
      throw new DomainError('not_found', `No delivery '${selection.deliveryId}' in campaign '${selection.campaignId}'.`);
    }
    const found = await this.retries.replay(selection, dryRun);
    let count = found.reopened;
    for (const batch of found.batches) {
      if (dryRun) count += batch.count;
      else count += await this.batches.retry(batch.id).then(
        () => batch.count,
        // One batch that cannot go now (its leads no longer fit a cap) does not stop the others.
        (err) => (err instanceof DomainError && err.code === 'conflict' ? 0 : Promise.reject(err)),
      );
    }
    if (!dryRun) {
      const { since, until, status } = selection;
      await this.record(actor, 'bulk-retry', {
        campaignId: selection.campaignId,
        deliveryId: selection.deliveryId,
        count,
        detail: { status, ...(since ? { since: since.toISOString() } : {}), ...(until ? { until: until.toISOString() } : {}) },
      });
    }
    return { count, dryRun };
  }

  async retryBatch(actor: Actor, batchId: string): Promise<{ id: string; status: string }> {
    const result = await this.batches.retry(batchId);
    const { rows } = await this.db.query<{ campaign_id: string; delivery_id: string; lead_count: number }>(
      'select campaign_id, delivery_id, lead_count from batch where id = $1',
      [batchId],
    );
    const { campaign_id: campaignId, delivery_id: deliveryId, lead_count: count } = rows[0];
    await this.record(actor, 'batch-retry', { campaignId, deliveryId, count, detail: { batch: batchId } });
    return result;
  }

  async setPaused(actor: Actor, campaignId: string, deliveryId: string, paused: boolean) {
    const result = await this.states.setPaused(campaignId, deliveryId, paused, actor.name);
    await this.record(actor, paused ? 'pause' : 'resume', { campaignId, deliveryId });
    return result;
  }

  async runNow(actor: Actor, campaignId: string, deliveryId: string): Promise<RunSummary> {
    const run = await this.batches.runNow(campaignId, deliveryId);
    await this.record(actor, 'run-now', { campaignId, deliveryId, count: run.leadCount, detail: { batch: run.id } });
    return run;
  }

  private record(actor: Actor, action: string, what: { campaignId: string; deliveryId?: string; count?: number; detail?: Record<string, unknown> }) {
    return this.audit.record({ actor: actor.name, action, ...what, detail: { ...what.detail, via: actor.via } });
  }
}
