import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Campaign } from './campaign.entity';

export type BatchKind = 'manual' | 'email';
export type BatchStatus = 'pending' | 'delivered' | 'failed';

/** Dispatches delivered together: one manual download or one email. Its file can be fetched again. */
@Entity({ tableName: 'batch' })
@Index({ name: 'batch_campaign_created_idx', expression: 'create index batch_campaign_created_idx on batch (campaign_id, created_at desc, id desc)' })
export class Batch {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Campaign, { fieldName: 'campaign_id', mapToPk: true })
  campaignId!: string;

  @Property({ type: 'text' })
  deliveryId!: string;

  @Enum({ items: ['manual', 'email'], type: 'text' })
  kind!: BatchKind;

  /** Manual batches are delivered when made; email batches when the mail server accepts them. */
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

  /** A sender's lease: while it lasts, no other instance sends this batch. */
  @Property({ type: 'timestamptz', nullable: true })
  sendingUntil?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
