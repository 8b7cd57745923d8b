import { Migration } from '@mikro-orm/migrations';

/**
 * Retention and erasure (docs/architecture.md › Retention and erasure): a lead whose data was
 * erased keeps its row, its dispatches and its counts, and says when it lost its data; each
 * campaign's retention job remembers how far back it has erased, so a run reads only the leads
 * that came of age since the last one.
 */
export class Migration20261209000000_erasure extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table lead add column erased_at timestamptz`);
    this.addSql(`create table retention_mark (
      campaign_id text primary key,
      erased_before timestamptz not null,
      updated_at timestamptz not null default now())`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table retention_mark`);
    this.addSql(`alter table lead drop column erased_at`);
  }
}
