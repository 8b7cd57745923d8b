import { Migration } from '@mikro-orm/migrations';

/**
 * Console sessions kept in PostgreSQL, so every instance checks the same ones and signing out
 * ends a session everywhere; failed sign-ins, counted for the sign-in limit across instances; and
 * the audit log of operator actions (docs/api.md › Console › Sessions, › Audit log).
 */
export class Migration20261210000000_console_sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table console_session (
      id uuid primary key,
      token_name text not null,
      token_check text not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null)`);
    this.addSql(`create table console_login_failure (
      id bigserial primary key,
      key text not null,
      failed_at timestamptz not null default now())`);
    this.addSql(`create index console_login_failure_key_idx on console_login_failure (key, failed_at)`);
    this.addSql(`create table audit_log (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor text not null,
      action text not null,
      campaign_id text,
      delivery_id text,
      lead_count integer,
      detail jsonb not null default '{}')`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table audit_log`);
    this.addSql(`drop table console_login_failure`);
    this.addSql(`drop table console_session`);
  }
}
