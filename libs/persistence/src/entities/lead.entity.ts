import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Campaign } from './campaign.entity';

/**
 * One accepted submission. Immutable once written — files are rebuilt from it byte for byte — until
 * its data is erased (retention or an erasure request: docs/architecture.md › Retention and erasure).
 */
@Entity({ tableName: 'lead' })
@Index({ name: 'lead_campaign_received_idx', expression: 'create index lead_campaign_received_idx on lead (campaign_id, received_at desc, id desc)' })
export class Lead {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => Campaign, { fieldName: 'campaign_id', mapToPk: true })
  campaignId!: string;

  /** Hash of the campaign version the lead was accepted under. */
  @Property({ type: 'text' })
  campaignVersion!: string;

  /** Normalised values of the declared fields. */
  @Property({ type: 'json' })
  data!: Record<string, string | number | boolean | null>;

  /** The submission as received (unknown fields included). */
  @Property({ type: 'json' })
  raw!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  receivedAt!: Date;

  /** Where it came from: remote address. */
  @Property({ type: 'text', nullable: true })
  source?: string | null;

  /** When `data`, `raw` and `source` were erased (they are then empty); null while they are kept. */
  @Property({ type: 'timestamptz', nullable: true })
  erasedAt?: Date | null;
}
