import { Migration } from '@mikro-orm/migrations';

/** The dispatch as everyone reads it: a dispatch_row, with the batch that covers it laid over. */
export const DISPATCH_VIEW = `create view dispatch as
  select d.id, d.lead_id, d.campaign_id, d.delivery_id,
         coalesce(b.status, d.status) as status,
         coalesce(b.attempts, d.attempts) as attempts,
         d.retry_offset,
         case when b.id is null then d.reason when b.status = 'failed' then b.reason end as reason,
         d.price,
         coalesce(b.reference, d.reference) as reference,
         coalesce(b.id, d.batch_id) as batch_id,
         d.next_attempt_at, d.created_at,
         coalesce(b.updated_at, d.updated_at) as updated_at
    from dispatch_row d
    left join lateral (
      select b.id, b.status, b.attempts, b.reason, b.reference, b.updated_at from batch b
       where d.batch_id is null and d.status = 'pending'
         and b.campaign_id = d.campaign_id and b.delivery_id = d.delivery_id
         and b.to_txid > d.txid and b.from_txid <= d.txid
       order by b.to_txid limit 1) b on true`;

/**
 * Batch claims that rewrite no dispatch (README, B3): a batch covers its delivery's pending
 * dispatches by the transaction that wrote them, `from_txid <= txid < to_txid`, where `to_txid` is
 * the oldest transaction still running when the batch was made — so every dispatch below it is
 * committed and none can turn up later. The table becomes `dispatch_row`; `dispatch` is a view that
 * answers each dispatch's status, batch and attempts with its covering batch laid over it, so
 * every reader asks the same question as before (docs/architecture.md, "Batches").
 * Dispatches claimed before this migration keep their `batch_id` and status in the row.
 */
export class Migration20261202100000_batch_ranges extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatch rename to dispatch_row`);
    for (const c of ['pkey', 'lead_id_foreign', 'batch_id_foreign', 'status_check']) {
      this.addSql(`alter table dispatch_row rename constraint dispatch_${c} to dispatch_row_${c}`);
    }
    // A constant default first (no table rewrite), then the transaction id for every new row.
    this.addSql(`alter table dispatch_row add column txid xid8 not null default '0'`);
    this.addSql(`alter table dispatch_row alter column txid set default pg_current_xact_id()`);
    this.addSql(`drop index dispatch_campaign_delivery_status_idx`);
    this.addSql(`create index dispatch_campaign_delivery_status_idx on dispatch_row (campaign_id, delivery_id, status, txid)`);
    this.addSql(`alter table batch add column from_txid xid8, add column to_txid xid8, add column reference text`);
    this.addSql(`create index batch_range_idx on batch (campaign_id, delivery_id, to_txid) where to_txid is not null`);
    this.addSql(DISPATCH_VIEW);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view dispatch`);
    // Dispatches covered by a range take their batch back into the row before the ranges go.
    this.addSql(`update dispatch_row d set batch_id = b.id, status = b.status, attempts = b.attempts, reference = b.reference,
                   reason = case when b.status = 'failed' then b.reason end
                  from batch b
                 where d.batch_id is null and d.status = 'pending' and b.to_txid is not null
                   and b.campaign_id = d.campaign_id and b.delivery_id = d.delivery_id and d.txid >= b.from_txid and d.txid < b.to_txid`);
    this.addSql(`drop index batch_range_idx`);
    this.addSql(`alter table batch drop column from_txid, drop column to_txid, drop column reference`);
    this.addSql(`drop index dispatch_campaign_delivery_status_idx`);
    this.addSql(`create index dispatch_campaign_delivery_status_idx on dispatch_row (campaign_id, delivery_id, status)`);
    this.addSql(`alter table dispatch_row drop column txid`);
    for (const c of ['pkey', 'lead_id_foreign', 'batch_id_foreign', 'status_check']) {
      this.addSql(`alter table dispatch_row rename constraint dispatch_row_${c} to dispatch_${c}`);
    }
    this.addSql(`alter table dispatch_row rename to dispatch`);
  }
}
