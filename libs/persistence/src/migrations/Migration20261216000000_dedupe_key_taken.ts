import { Migration } from '@mikro-orm/migrations';

/**
 * `dedupe_key_taken()`: raises SQLSTATE LR409. Intake's quick statement for a lead with duplicate
 * keys claims them with `on conflict do nothing` and calls this when one was already held, so the
 * whole statement — lead, keys, dispatches, outbox rows — rolls back and intake decides again
 * with the statement that names the earlier lead (docs/contracts.md › Where each control acts).
 */
export class Migration20261216000000_dedupe_key_taken extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function dedupe_key_taken() returns text language plpgsql as $$
      begin
        raise exception 'a duplicate key of this lead is already held' using errcode = 'LR409';
      end $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function dedupe_key_taken()`);
  }
}
