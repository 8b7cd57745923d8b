import { Migration } from '@mikro-orm/migrations';

/**
 * Inbound pings (docs/api.md › Pings): what a source's ping was answered, kept until its post.
 * No personal data: the bids and the buyers' reasons of each sale, the names of the fields the
 * ping carried and a hash of their values (the post must carry the same), never the values.
 */
export class Migration20261215000000_pings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table ping (
      id uuid primary key,
      campaign_id text not null,
      accepted boolean not null,
      price numeric(12,2),
      sales jsonb not null default '{}',
      fields text[] not null,
      values_hash bytea,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      lead_id uuid,
      used_at timestamptz)`);
    this.addSql(`create unique index ping_lead_id_idx on ping (lead_id)`);
    this.addSql(`create index ping_expires_at_idx on ping (expires_at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table ping`);
  }
}
