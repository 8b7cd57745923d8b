import { Migration } from '@mikro-orm/migrations';

/**
 * Versions that can run again (docs/architecture.md, "Campaign versions"): each keeps the source
 * of its campaign file and the files it imports, so the dispatches of an archived campaign or a
 * removed delivery finish under the version they were accepted with; and whether the file
 * differed from the recorded git commit when it was applied (`dirty`).
 */
export class Migration20261204100000_version_sources extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table campaign_version add column sources jsonb, add column dirty boolean`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table campaign_version drop column sources, drop column dirty`);
  }
}
