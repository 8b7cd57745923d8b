import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Batch } from './batch.entity';
import { Dispatch } from './dispatch.entity';

/** One try of a dispatch or of a batch: what was sent and received (redacted, truncated). */
@Entity({ tableName: 'attempt' })
@Index({ name: 'attempt_dispatch_idx', properties: ['dispatchId'] })
@Index({ name: 'attempt_batch_idx', properties: ['batchId'] })
@Index({ name: 'attempt_at_idx', properties: ['at'] })
export class Attempt {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Dispatch, { fieldName: 'dispatch_id', mapToPk: true, nullable: true })
  dispatchId?: string | null;

  @ManyToOne(() => Batch, { fieldName: 'batch_id', mapToPk: true, nullable: true })
  batchId?: string | null;

  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'integer' })
  durationMs!: number;

  @Property({ type: 'json', nullable: true })
  request?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  response?: Record<string, unknown> | null;

  @Property({ type: 'text' })
  outcome!: string;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'decimal', precision: 12, scale: 4, nullable: true })
  price?: string | null;

  @Property({ type: 'text', nullable: true })
  reference?: string | null;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** What the classifier captured from this answer (name → text), e.g. `leadconduit()`'s `capture`. */
  @Property({ type: 'json', nullable: true })
  captured?: Record<string, string> | null;

  /** A ping-post sale's attempts: `ping` or `post`; null for any other delivery's. */
  @Enum({ items: ['ping', 'post'], type: 'text', nullable: true })
  phase?: 'ping' | 'post' | null;

  /** A ping-post sale's attempts: the buyer pinged or posted to. */
  @Property({ type: 'text', nullable: true })
  buyer?: string | null;
}
