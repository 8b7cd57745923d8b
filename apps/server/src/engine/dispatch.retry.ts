import { Injectable } from '@nestjs/common';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { DispatchOutbox } from './dispatch.outbox';
import { isUuid } from '../common/uuid';

/** Which dispatches of one delivery a bulk replay takes: a final status, and when they reached it. */
export interface ReplaySelection {
  campaignId: string;
  deliveryId: string;
  status: 'failed' | 'rejected';
  /** Inclusive lower bound on the time the dispatch reached its status. */
  since?: Date;
  /** Exclusive upper bound on the same time. */
  until?: Date;
}

/** The selection as SQL on `dispatch_row` or the `dispatch` view (as `alias`, when given), its values in `params`. */
function replayConditions(selection: ReplaySelection, params: unknown[], alias = ''): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  params.push(selection.campaignId, selection.deliveryId, selection.status);
  const where = [`${col('campaign_id')} = $1`, `${col('delivery_id')} = $2`, `${col('status')} = $3`];
  if (selection.since) where.push(`${col('updated_at')} >= $${params.push(selection.since)}`);
  if (selection.until) where.push(`${col('updated_at')} < $${params.push(selection.until)}`);
  return where.join(' and ');
}

/**
 * An operator sends a `failed` or `rejected` dispatch again: back to `pending` (the old reason stays
 * in its attempts), a fresh set of tries under the retry policy, attempts appended.
 */
@Injectable()
export class DispatchRetry {
  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly outbox: DispatchOutbox,
  ) {}

  async retry(id: string): Promise<{ id: string; status: string }> {
    // Exactly a UUID's shape: anything else would make PostgreSQL refuse the cast (a 500, not a 404).
    if (!isUuid(id)) throw new DomainError('not_found', `No dispatch '${id}'.`);
    // The dispatch and its outbox row in one transaction: a crash in between cannot leave a
    // pending real-time dispatch that no job will ever take (docs/architecture.md, "Outbox").
    const rows = await this.db.transaction(async (client) => {
      const reopened = await client.query<{ id: string; campaign_id: string; delivery_id: string }>(
        // A dispatch that went out in a batch stays in it (the batch's file must keep its bytes): its
        // batch is retried instead.
        `update dispatch_row set status = 'pending', retry_offset = attempts, reason = null, next_attempt_at = null, updated_at = now()
          where id = $1 and status in ('failed', 'rejected') and batch_id is null returning id, campaign_id, delivery_id`,
        [id],
      );
      const row = reopened.rows[0];
      if (row && this.registry.delivery(row.campaign_id, row.delivery_id)?.delivery.mode.kind === 'realtime') await this.outbox.add([id], client);
      return reopened.rows;
    });
    if (!rows.length) {
      const found = await this.db.query<{ status: string; batch_id: string | null }>('select status, batch_id from dispatch where id = $1', [id]);
      if (!found.rowCount) throw new DomainError('not_found', `No dispatch '${id}'.`);
      const { status, batch_id: batchId } = found.rows[0];
      if (batchId && (status === 'failed' || status === 'rejected')) {
        throw new DomainError('conflict', `This dispatch went out in batch ${batchId}; retry the batch (POST /v1/batches/${batchId}/retry).`);
      }
      throw new DomainError('conflict', `Only failed or rejected dispatches can be retried; this one is ${status}.`);
    }
    this.outbox.wake();
    return { id, status: 'pending' };
  }

  /**
   * Bulk replay (docs/api.md › Bulk replay): every dispatch of the selection goes back to `pending`
   * as a single retry would, in one transaction with its outbox rows. Dispatches that went out in a
   * batch are left to their batch (its file must keep its bytes): the answer names the failed
   * batches among them for `BatchDeliveries.retry`, with how many of the selection each holds; a
   * dispatch of a rejected batch is not replayed. `dryRun` counts the same and changes nothing.
   */
  async replay(selection: ReplaySelection, dryRun: boolean): Promise<{ reopened: number; batches: { id: string; count: number }[] }> {
    const params: unknown[] = [];
    const where = replayConditions(selection, params);
    // Same selection and values, the same $n placeholders: `params` serves both statements.
    // Batched ones through the `dispatch` view, which lays a range batch over the rows it covers.
    const inFailedBatches = `select d.batch_id as id, count(*)::int as count from dispatch d join batch b on b.id = d.batch_id
       where ${replayConditions(selection, [], 'd')} and b.status = 'failed' group by d.batch_id order by d.batch_id`;
    if (dryRun) {
      const single = await this.db.query<{ n: number }>(`select count(*)::int as n from dispatch_row where ${where} and batch_id is null`, params);
      const batches = await this.db.query<{ id: string; count: number }>(inFailedBatches, params);
      return { reopened: single.rows[0].n, batches: batches.rows };
    }
    const realtime = this.registry.delivery(selection.campaignId, selection.deliveryId)?.delivery.mode.kind === 'realtime';
    const result = await this.db.transaction(async (client) => {
      const single = await client.query<{ id: string }>(
        `update dispatch_row set status = 'pending', retry_offset = attempts, reason = null, next_attempt_at = null, updated_at = now()
          where ${where} and batch_id is null returning id`,
        params,
      );
      if (realtime && single.rows.length) await this.outbox.add(single.rows.map((r) => r.id), client);
      const batches = await client.query<{ id: string; count: number }>(inFailedBatches, params);
      return { reopened: single.rows.length, batches: batches.rows };
    });
    if (result.reopened) this.outbox.wake();
    return result;
  }
}
