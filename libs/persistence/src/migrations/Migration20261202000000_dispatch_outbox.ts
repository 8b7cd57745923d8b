import { Migration } from '@mikro-orm/migrations';

/**
 * A transactional outbox for real-time dispatches: intake writes the dispatch and its outbox row in
 * one statement, and a relay moves outbox rows to the queue (docs/architecture.md, "Outbox").
 * `queue_state` remembers which Redis the sweeper last reconciled with (its incarnation).
 */
export class Migration20261202000000_dispatch_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table dispatch_outbox (
      seq bigserial primary key,
      dispatch_id uuid not null,
      created_at timestamptz not null default now())`);
    this.addSql(`create table queue_state (
      queue text primary key,
      incarnation text not null,
      reconciled_at timestamptz not null default now())`);
    // Dispatches pending before this migration were enqueued the old way: the first sweep after it
    // finds no incarnation recorded and puts every pending real-time dispatch through the outbox.
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists queue_state`);
    this.addSql(`drop table if exists dispatch_outbox`);
  }
}
