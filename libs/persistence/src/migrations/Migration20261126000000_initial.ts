import { Migration } from '@mikro-orm/migrations';

/** The first schema: campaigns and their versions, leads, dispatches, attempts, batches. */
export class Migration20261126000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table campaign (
      id text primary key,
      name text not null,
      version text not null,
      definition jsonb not null,
      archived boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now())`);
    this.addSql(`create table campaign_version (
      id bigserial primary key,
      campaign_id text not null constraint campaign_version_campaign_id_foreign references campaign (id) on update cascade,
      hash text not null,
      git_commit text,
      definition jsonb not null,
      created_at timestamptz not null default now(),
      constraint campaign_version_campaign_id_hash_unique unique (campaign_id, hash))`);
    this.addSql(`create table lead (
      id uuid primary key,
      campaign_id text not null constraint lead_campaign_id_foreign references campaign (id) on update cascade,
      campaign_version text not null,
      data jsonb not null,
      raw jsonb not null,
      received_at timestamptz not null,
      source text)`);
    this.addSql(`create index lead_campaign_received_idx on lead (campaign_id, received_at desc, id desc)`);
    this.addSql(`create table batch (
      id uuid primary key,
      campaign_id text not null constraint batch_campaign_id_foreign references campaign (id) on update cascade,
      delivery_id text not null,
      kind text not null check (kind in ('manual', 'email')),
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      options jsonb not null,
      lead_count integer not null,
      attempts integer not null default 0,
      reason text,
      sending_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now())`);
    this.addSql(`create index batch_campaign_created_idx on batch (campaign_id, created_at desc, id desc)`);
    this.addSql(`create table dispatch (
      id uuid primary key,
      lead_id uuid not null constraint dispatch_lead_id_foreign references lead (id) on update cascade,
      campaign_id text not null,
      delivery_id text not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'rejected', 'failed')),
      attempts integer not null default 0,
      retry_offset integer not null default 0,
      reason text,
      price numeric(12,4),
      reference text,
      batch_id uuid constraint dispatch_batch_id_foreign references batch (id) on update cascade on delete set null,
      next_attempt_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now())`);
    this.addSql(`create index dispatch_campaign_delivery_status_idx on dispatch (campaign_id, delivery_id, status)`);
    this.addSql(`create index dispatch_lead_idx on dispatch (lead_id)`);
    // Most dispatches never join a batch (real-time ones): a partial index costs intake nothing for them.
    this.addSql(`create index dispatch_batch_idx on dispatch (batch_id) where batch_id is not null`);
    this.addSql(`create table attempt (
      id bigserial primary key,
      dispatch_id uuid constraint attempt_dispatch_id_foreign references dispatch (id) on update cascade on delete set null,
      batch_id uuid constraint attempt_batch_id_foreign references batch (id) on update cascade on delete set null,
      at timestamptz not null,
      duration_ms integer not null,
      request jsonb,
      response jsonb,
      outcome text not null,
      reason text,
      price numeric(12,4),
      reference text,
      error text)`);
    this.addSql(`create index attempt_dispatch_idx on attempt (dispatch_id)`);
    this.addSql(`create index attempt_batch_idx on attempt (batch_id)`);
  }

  override async down(): Promise<void> {
    for (const table of ['attempt', 'dispatch', 'batch', 'lead', 'campaign_version', 'campaign']) {
      this.addSql(`drop table if exists ${table} cascade`);
    }
  }
}
