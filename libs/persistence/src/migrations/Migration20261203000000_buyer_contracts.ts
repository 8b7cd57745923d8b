import { Migration } from '@mikro-orm/migrations';
import { DISPATCH_VIEW } from './Migration20261202100000_batch_ranges';

/** The view `dispatch` as of buyer contracts: the same overlay, plus why a pending dispatch is held. */
export const DISPATCH_VIEW_HELD = DISPATCH_VIEW.replace(
  'coalesce(b.updated_at, d.updated_at) as updated_at',
  'coalesce(b.updated_at, d.updated_at) as updated_at,\n         case when b.id is null then d.held_by end as held_by',
);

/**
 * Buyer contracts (docs/contracts.md): a final status `skipped`; why a pending dispatch is held;
 * the duplicate keys intake checks in its statement; cap windows reserved all-or-nothing by
 * `cap_reserve`; an operator's pause, which must outlive a Redis restart.
 */
export class Migration20261203000000_buyer_contracts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop view dispatch`);
    this.addSql(`alter table dispatch_row drop constraint dispatch_row_status_check`);
    this.addSql(`alter table dispatch_row add constraint dispatch_row_status_check check (status in ('pending', 'delivered', 'rejected', 'failed', 'skipped'))`);
    this.addSql(`alter table dispatch_row add column held_by text check (held_by in ('cap', 'hours', 'rate', 'breaker', 'paused'))`);
    this.addSql(DISPATCH_VIEW_HELD);
    // One row per person per scope: the lead that went, and when. Intake's insert … on conflict
    // decides, so two concurrent leads of one person cannot both go.
    this.addSql(`create table dedupe_key (
      key text primary key,
      lead_id uuid not null,
      seen_at timestamptz not null,
      window_ms bigint not null)`);
    this.addSql(`create index dedupe_key_seen_idx on dedupe_key (seen_at)`);
    this.addSql(`create table cap_usage (
      campaign_id text not null,
      delivery_id text not null,
      window_key text not null,
      window_end timestamptz not null,
      used integer not null check (used >= 0),
      primary key (campaign_id, delivery_id, window_key))`);
    // Reserves n slots in every window or in none: returns 0, or the (1-based) cap that is full.
    this.addSql(`create function cap_reserve(p_campaign text, p_delivery text, p_keys text[], p_ends timestamptz[], p_max integer[], p_n integer)
      returns integer language plpgsql as $$
      declare i integer;
      begin
        for i in 1 .. coalesce(array_length(p_keys, 1), 0) loop
          insert into cap_usage as c (campaign_id, delivery_id, window_key, window_end, used)
          values (p_campaign, p_delivery, p_keys[i], p_ends[i], p_n)
          on conflict (campaign_id, delivery_id, window_key) do update set used = c.used + p_n where c.used + p_n <= p_max[i];
          if not found or p_n > p_max[i] then
            raise exception using errcode = 'LRCAP', message = i::text;
          end if;
        end loop;
        return 0;
      exception when sqlstate 'LRCAP' then
        return sqlerrm::integer;
      end $$`);
    this.addSql(`create table delivery_control (
      campaign_id text not null,
      delivery_id text not null,
      paused boolean not null default false,
      changed_at timestamptz not null default now(),
      changed_by text,
      primary key (campaign_id, delivery_id))`);
    this.addSql(`alter table batch add column cap_windows text[]`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table batch drop column cap_windows`);
    this.addSql(`drop table delivery_control`);
    this.addSql(`drop function cap_reserve`);
    this.addSql(`drop table cap_usage`);
    this.addSql(`drop table dedupe_key`);
    this.addSql(`drop view dispatch`);
    this.addSql(`update dispatch_row set status = 'failed', reason = 'skipped: ' || coalesce(reason, '') where status = 'skipped'`);
    this.addSql(`alter table dispatch_row drop column held_by`);
    this.addSql(`alter table dispatch_row drop constraint dispatch_row_status_check`);
    this.addSql(`alter table dispatch_row add constraint dispatch_row_status_check check (status in ('pending', 'delivered', 'rejected', 'failed'))`);
    this.addSql(DISPATCH_VIEW);
  }
}
