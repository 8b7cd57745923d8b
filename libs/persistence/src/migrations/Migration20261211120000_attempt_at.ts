import { Migration } from '@mikro-orm/migrations';

/**
 * Attempts by time, for the console's overview and delivery page (docs/api.md › Console › Delivery
 * page): their windows (the last hour, day, 7 days) start from the attempts in the window instead
 * of every attempt stored. Measured on 200,000 attempts of 100,000 dispatches: the day's charts
 * 47 → 14 ms, "failing since" 74 → 39 ms, the campaign list 198 → 96 ms (the rest is counting
 * every dispatch by status).
 */
export class Migration20261211120000_attempt_at extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index attempt_at_idx on attempt (at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index attempt_at_idx`);
  }
}
