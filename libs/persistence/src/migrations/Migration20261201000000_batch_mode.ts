import { Migration } from '@mikro-orm/migrations';

/**
 * A batch records its delivery's mode (`on-demand`: a person asked for it; `scheduled`: a tick
 * made it) instead of a kind named after two built-in plugins: the host knows a delivery by its
 * mode, so any plugin's batches fit (docs/architecture.md).
 */
export class Migration20261201000000_batch_mode extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table batch drop constraint batch_kind_check`);
    this.addSql(`alter table batch rename column kind to mode`);
    this.addSql(`update batch set mode = case mode when 'manual' then 'on-demand' else 'scheduled' end`);
    this.addSql(`alter table batch add constraint batch_mode_check check (mode in ('on-demand', 'scheduled'))`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table batch drop constraint batch_mode_check`);
    this.addSql(`update batch set mode = case mode when 'on-demand' then 'manual' else 'email' end`);
    this.addSql(`alter table batch rename column mode to kind`);
    this.addSql(`alter table batch add constraint batch_kind_check check (kind in ('manual', 'email'))`);
  }
}
