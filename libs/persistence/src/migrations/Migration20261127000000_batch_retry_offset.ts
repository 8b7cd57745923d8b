import { Migration } from '@mikro-orm/migrations';

/**
 * A batch remembers how many tries it had when an operator last sent it again, so that its retry
 * schedule starts over from there (as a dispatch's `retry_offset` does) instead of giving up at
 * the first 4xx of the operator's try.
 */
export class Migration20261127000000_batch_retry_offset extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table batch add column retry_offset integer not null default 0`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table batch drop column retry_offset`);
  }
}
