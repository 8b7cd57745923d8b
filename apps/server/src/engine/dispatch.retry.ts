import { Injectable } from '@nestjs/common';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { DispatchOutbox } from './dispatch.outbox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    if (!UUID.test(id)) throw new DomainError('not_found', `No dispatch '${id}'.`);
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
}
