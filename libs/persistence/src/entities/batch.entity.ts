import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Campaign } from './campaign.entity';

/** How the batch came about: a person asked for it (`on-demand`) or a schedule ticked (`scheduled`). */
export type BatchMode = 'on-demand' | 'scheduled';
export type BatchStatus = 'pending' | 'delivered' | 'failed';

/** Dispatches delivered together: one manual download, one email, one upload. Its file can be fetched again. */
@Entity({ tableName: 'batch' })
@Index({ name: 'batch_campaign_created_idx', expression: 'create index batch_campaign_created_idx on batch (campaign_id, created_at desc, id desc)' })
@Index({ name: 'batch_range_idx', expression: 'create index batch_range_idx on batch (campaign_id, delivery_id, to_txid) where to_txid is not null' })
export class Batch {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Campaign, { fieldName: 'campaign_id', mapToPk: true })
  campaignId!: string;

  @Property({ type: 'text' })
  deliveryId!: string;

  @Enum({ items: ['on-demand', 'scheduled'], type: 'text' })
  mode!: BatchMode;

  /**
   * A batch of a plugin that sends batches is delivered when the plugin's send succeeds; one of a
   * delivery that is delivered by its download (manual-file) is delivered when made.
   */
  @Enum({ items: ['pending', 'delivered', 'failed'], type: 'text', default: 'pending' })
  status: BatchStatus = 'pending';

  /** Everything needed to rebuild the file: format, quote, header, columns, file name. */
  @Property({ type: 'json' })
  options!: Record<string, unknown>;

  @Property({ type: 'integer' })
  leadCount!: number;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** `attempts` when an operator last sent it again: the retry policy counts tries from there. */
  @Property({ type: 'integer', default: 0 })
  retryOffset: number = 0;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  /**
   * The dispatches it covers: its delivery's pending ones written by transactions in
   * `[fromTxid, toTxid)`. Null for batches made before ranges (their dispatches carry `batch_id`).
   */
  @Property({ columnType: 'xid8', nullable: true })
  fromTxid?: string | null;

  @Property({ columnType: 'xid8', nullable: true })
  toTxid?: string | null;

  /** The receiving side's reference for a sent batch (e.g. the mail's message id). */
  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  /** A sender's lease: while it lasts, no other instance sends this batch. */
  @Property({ type: 'timestamptz', nullable: true })
  sendingUntil?: Date | null;

  /** The sender holding the lease: only it may record the try's outcome. */
  @Property({ type: 'uuid', nullable: true })
  sendToken?: string | null;

  /** When the next try of a pending batch is due: the sweeper re-enqueues from here if Redis lost the job. */
  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  /** The cap windows this batch's leads were counted in (`cap_usage`), freed again if it fails. */
  @Property({ columnType: 'text[]', nullable: true })
  capWindows?: string[] | null;
}
