import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Batch } from './batch.entity';
import { Lead } from './lead.entity';

export type DispatchStatus = 'pending' | 'delivered' | 'rejected' | 'failed' | 'skipped';

/** Why a pending real-time dispatch waits (docs/contracts.md). */
export type HeldBy = 'cap' | 'hours' | 'rate' | 'breaker' | 'paused';

/**
 * One lead travelling through one delivery, as written. Only the host's engine writes it; everyone
 * reads the view `dispatch`, which lays the batch covering a row over it (a batch claims its
 * dispatches by `txid` range instead of rewriting them: docs/architecture.md, "Batches").
 */
@Entity({ tableName: 'dispatch_row' })
@Index({ name: 'dispatch_campaign_delivery_status_idx', properties: ['campaignId', 'deliveryId', 'status', 'txid'] })
@Index({ name: 'dispatch_lead_idx', properties: ['leadId'] })
@Index({ name: 'dispatch_batch_idx', expression: 'create index dispatch_batch_idx on dispatch_row (batch_id) where batch_id is not null' })
export class Dispatch {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Lead, { fieldName: 'lead_id', mapToPk: true })
  leadId!: string;

  @Property({ type: 'text' })
  campaignId!: string;

  @Property({ type: 'text' })
  deliveryId!: string;

  @Enum({ items: ['pending', 'delivered', 'rejected', 'failed', 'skipped'], type: 'text', default: 'pending' })
  status: DispatchStatus = 'pending';

  /** Tries so far (attempt rows of this dispatch). */
  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  /** `attempts` when an operator last retried it: the retry policy counts tries from there. */
  @Property({ type: 'integer', default: 0 })
  retryOffset: number = 0;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'decimal', precision: 12, scale: 4, nullable: true })
  price?: string | null;

  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  /** What the attempt that decided the dispatch captured from the answer (name → text). */
  @Property({ type: 'json', nullable: true })
  captured?: Record<string, string> | null;

  /** A ping-post dispatch that was sold: the buyer it went to (`price` and `reference` are its bid and token). */
  @Property({ type: 'text', nullable: true })
  buyer?: string | null;

  @ManyToOne(() => Batch, { fieldName: 'batch_id', mapToPk: true, nullable: true })
  batchId?: string | null;

  /** When the next try is due (retries); the sweeper leaves younger ones to their delayed job. */
  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt?: Date | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  /** A pending dispatch the host holds back (a cap, delivery hours, pacing, the breaker, a pause); `nextAttemptAt` says until when. */
  @Enum({ items: ['cap', 'hours', 'rate', 'breaker', 'paused'], type: 'text', nullable: true })
  heldBy?: HeldBy | null;

  /**
   * The real-time send that holds the dispatch (docs/architecture.md › Leases): a worker claims it
   * with a fresh token before sending and writes the outcome only while the token is still its own.
   */
  @Property({ type: 'uuid', nullable: true })
  leaseToken?: string | null;

  /** Until when the lease holds; past it, another worker may claim the dispatch. */
  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  /** The transaction that wrote the row: batches cover dispatches by ranges of it. */
  @Property({ columnType: 'xid8', defaultRaw: 'pg_current_xact_id()' })
  txid!: string;
}
