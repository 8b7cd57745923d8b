import { Migration } from '@mikro-orm/migrations';

/**
 * Exact leases (docs/architecture.md › Leases): a real-time send claims its dispatch in PostgreSQL
 * (token + expiry) and a batch send holds a token beside its `sending_until`, so an outcome is
 * written only by the sender that holds the lease; a batch's next retry time is kept here, not
 * only in Redis.
 */
export class Migration20261208000000_send_leases extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table dispatch_row add column lease_token uuid, add column lease_until timestamptz`);
    this.addSql(`alter table batch add column send_token uuid, add column next_attempt_at timestamptz`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table dispatch_row drop column lease_token, drop column lease_until`);
    this.addSql(`alter table batch drop column send_token, drop column next_attempt_at`);
  }
}
