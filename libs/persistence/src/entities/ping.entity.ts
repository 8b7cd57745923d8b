import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An inbound ping (docs/api.md › Pings): how it was answered, and the bids its post's sale may
 * reuse until `expiresAt`. It holds no personal data: the fields it carried by name and a hash
 * of their values, so the post can be held to the same values, never the values themselves.
 */
@Entity({ tableName: 'ping' })
@Index({ name: 'ping_expires_at_idx', properties: ['expiresAt'] })
export class Ping {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  campaignId!: string;

  @Property({ type: 'boolean' })
  accepted!: boolean;

  /** The price quoted: the best bid less the campaign's margin; null without a bid. */
  @Property({ type: 'decimal', precision: 12, scale: 2, nullable: true })
  price?: string | null;

  /** Per `pingPost` delivery id: `{ bids: [{ buyer, price, reference }], reasons: [{ buyer, stage, reason, transient }] }`. */
  @Property({ type: 'jsonb', default: "'{}'" })
  sales!: Record<string, unknown>;

  /** The campaign fields the ping carried, by name. */
  @Property({ columnType: 'text[]' })
  fields!: string[];

  /** sha256 of the ping's id and its values of `fields`, as normalised. */
  @Property({ type: 'bytea', nullable: true })
  valuesHash?: Buffer | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  /** The lead posted with this ping: set in the statement's transaction that stores it, so one lead per ping. */
  @Property({ type: 'uuid', nullable: true })
  @Unique({ name: 'ping_lead_id_idx' })
  leadId?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;
}
