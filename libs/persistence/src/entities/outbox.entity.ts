import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A real-time dispatch waiting for the relay to put it on the queue (docs/architecture.md,
 * "Outbox"). Written in the same transaction as the dispatch; deleted when its job is added.
 */
@Entity({ tableName: 'dispatch_outbox' })
export class DispatchOutboxRow {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string;

  @Property({ type: 'uuid' })
  dispatchId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** Which Redis (its incarnation key) the sweeper last reconciled a queue with. */
@Entity({ tableName: 'queue_state' })
export class QueueState {
  @PrimaryKey({ type: 'text' })
  queue!: string;

  @Property({ type: 'text' })
  incarnation!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  reconciledAt: Date = new Date();
}
