import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Attempt } from './entities/attempt.entity';
import { AuditEntry } from './entities/audit-entry.entity';
import { Batch } from './entities/batch.entity';
import { Campaign } from './entities/campaign.entity';
import { CampaignVersion } from './entities/campaign-version.entity';
import { ConsoleLoginFailure, ConsoleSession } from './entities/console-session.entity';
import { CapUsage, DedupeKey, DeliveryControl } from './entities/contract.entity';
import { Dispatch } from './entities/dispatch.entity';
import { Lead } from './entities/lead.entity';
import { Ping } from './entities/ping.entity';
import { DispatchOutboxRow, QueueState } from './entities/outbox.entity';
import { RetentionMark } from './entities/retention-mark.entity';
import { Migration20261126000000_initial } from './migrations/Migration20261126000000_initial';
import { Migration20261127000000_batch_retry_offset } from './migrations/Migration20261127000000_batch_retry_offset';
import { Migration20261201000000_batch_mode } from './migrations/Migration20261201000000_batch_mode';
import { Migration20261202000000_dispatch_outbox } from './migrations/Migration20261202000000_dispatch_outbox';
import { Migration20261202100000_batch_ranges } from './migrations/Migration20261202100000_batch_ranges';
import { Migration20261203000000_buyer_contracts } from './migrations/Migration20261203000000_buyer_contracts';
import { Migration20261204100000_version_sources } from './migrations/Migration20261204100000_version_sources';
import { Migration20261205000000_dedupe_key_bytes } from './migrations/Migration20261205000000_dedupe_key_bytes';
import { Migration20261206000000_captured } from './migrations/Migration20261206000000_captured';
import { Migration20261208000000_send_leases } from './migrations/Migration20261208000000_send_leases';
import { Migration20261209000000_erasure } from './migrations/Migration20261209000000_erasure';
import { Migration20261210000000_console_sessions } from './migrations/Migration20261210000000_console_sessions';
import { Migration20261211120000_attempt_at } from './migrations/Migration20261211120000_attempt_at';
import { Migration20261214000000_ping_post } from './migrations/Migration20261214000000_ping_post';
import { Migration20261215000000_pings } from './migrations/Migration20261215000000_pings';

export const ENTITIES = [Campaign, CampaignVersion, Lead, Dispatch, Attempt, Batch, DispatchOutboxRow, QueueState, DedupeKey, CapUsage, DeliveryControl, RetentionMark, ConsoleSession, ConsoleLoginFailure, AuditEntry, Ping];

/** Migrations are listed here (not globbed) so they work the same from ts-jest and from dist/. */
export const MIGRATIONS = [
  { name: 'Migration20261126000000_initial', class: Migration20261126000000_initial },
  { name: 'Migration20261127000000_batch_retry_offset', class: Migration20261127000000_batch_retry_offset },
  { name: 'Migration20261201000000_batch_mode', class: Migration20261201000000_batch_mode },
  { name: 'Migration20261202000000_dispatch_outbox', class: Migration20261202000000_dispatch_outbox },
  { name: 'Migration20261202100000_batch_ranges', class: Migration20261202100000_batch_ranges },
  { name: 'Migration20261203000000_buyer_contracts', class: Migration20261203000000_buyer_contracts },
  { name: 'Migration20261204100000_version_sources', class: Migration20261204100000_version_sources },
  { name: 'Migration20261205000000_dedupe_key_bytes', class: Migration20261205000000_dedupe_key_bytes },
  { name: 'Migration20261206000000_captured', class: Migration20261206000000_captured },
  { name: 'Migration20261208000000_send_leases', class: Migration20261208000000_send_leases },
  { name: 'Migration20261209000000_erasure', class: Migration20261209000000_erasure },
  { name: 'Migration20261210000000_console_sessions', class: Migration20261210000000_console_sessions },
  { name: 'Migration20261211120000_attempt_at', class: Migration20261211120000_attempt_at },
  { name: 'Migration20261214000000_ping_post', class: Migration20261214000000_ping_post },
  { name: 'Migration20261215000000_pings', class: Migration20261215000000_pings },
];

export function ormConfig(clientUrl: string) {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, tableName: 'mikro_orm_migrations', silent: true },
    pool: { min: 0, max: 10 },
    allowGlobalContext: false,
    debug: false,
  });
}
