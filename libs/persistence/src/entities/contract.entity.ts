import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Duplicate suppression (docs/contracts.md): one row per person per scope — a hash of the scope
 * and the normalised values — naming the lead that went and when. Intake decides with one
 * `insert … on conflict`, so of two concurrent leads of one person only one goes.
 */
@Entity({ tableName: 'dedupe_key' })
export class DedupeKey {
  /** The key's sha256, as bytes (`dedupeKey` gives it in hex; intake decodes it). */
  @PrimaryKey({ type: 'bytea' })
  key!: Buffer;

  @Property({ type: 'uuid' })
  leadId!: string;

  @Property({ type: 'timestamptz' })
  seenAt!: Date;

  /** The window the key was written with: a later lead within it is a duplicate. */
  @Property({ type: 'bigint' })
  windowMs!: string;
}

/** Leads counted against one cap window of one delivery; `cap_reserve` adds to every window or none. */
@Entity({ tableName: 'cap_usage' })
@Check({ name: 'cap_usage_used_check', expression: 'used >= 0' })
export class CapUsage {
  @PrimaryKey({ type: 'text' })
  campaignId!: string;

  @PrimaryKey({ type: 'text' })
  deliveryId!: string;

  /** e.g. `day@America/Chicago:2026-12-02`. */
  @PrimaryKey({ type: 'text' })
  windowKey!: string;

  @Property({ type: 'timestamptz' })
  windowEnd!: Date;

  @Property({ type: 'integer' })
  used!: number;
}

/** An operator's pause of one delivery: kept in PostgreSQL so it outlives a Redis restart. */
@Entity({ tableName: 'delivery_control' })
export class DeliveryControl {
  @PrimaryKey({ type: 'text' })
  campaignId!: string;

  @PrimaryKey({ type: 'text' })
  deliveryId!: string;

  @Property({ type: 'boolean', default: false })
  paused: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  changedAt: Date = new Date();

  /** The admin token's name that paused or resumed it, when known. */
  @Property({ type: 'text', nullable: true })
  changedBy?: string | null;
}
