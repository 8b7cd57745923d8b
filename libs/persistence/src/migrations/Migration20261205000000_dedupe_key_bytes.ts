import { Migration } from '@mikro-orm/migrations';

/**
 * Duplicate keys as the 32 bytes of their sha256, not 64 hex characters, and without the index
 * on `seen_at` that nothing reads: half the key's size in the primary key every accepted lead
 * with `dedupe` writes to, one index fewer to maintain (docs/contracts.md › Duplicate keys; bench B1).
 */
export class Migration20261205000000_dedupe_key_bytes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index dedupe_key_seen_idx`);
    this.addSql(`alter table dedupe_key alter column key type bytea using decode(key, 'hex')`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table dedupe_key alter column key type text using encode(key, 'hex')`);
    this.addSql(`create index dedupe_key_seen_idx on dedupe_key (seen_at)`);
  }
}
