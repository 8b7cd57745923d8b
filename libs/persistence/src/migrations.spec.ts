import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ensureDatabase, migrate } from './database-setup';
import { ormConfig } from './orm.config';

const url = `postgres://postgres@127.0.0.1:5432/leadrelay_test_migrations_${randomBytes(4).toString('hex')}`;

async function admin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('migrations from an empty database', () => {
  afterAll(async () => {
    await admin((c) => c.query(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`));
  });

  it('creates the database, runs every migration once, and is a no-op the second time', async () => {
    const exists = () => admin(async (c) => (await c.query('select 1 from pg_database where datname = $1', [new URL(url).pathname.slice(1)])).rowCount);
    expect(await exists()).toBe(0);
    expect(await migrate(url)).toEqual(['Migration20261126000000_initial', 'Migration20261127000000_batch_retry_offset', 'Migration20261201000000_batch_mode', 'Migration20261202000000_dispatch_outbox', 'Migration20261202100000_batch_ranges', 'Migration20261203000000_buyer_contracts', 'Migration20261204100000_version_sources', 'Migration20261205000000_dedupe_key_bytes', 'Migration20261206000000_captured', 'Migration20261208000000_send_leases', 'Migration20261209000000_erasure', 'Migration20261210000000_console_sessions', 'Migration20261211120000_attempt_at', 'Migration20261214000000_ping_post', 'Migration20261215000000_pings']);
    expect(await exists()).toBe(1);
    expect(await migrate(url)).toEqual([]);
    expect(await ensureDatabase(url)).toBe(false);
  });

  it('leaves a schema that matches the entities exactly (no pending schema diff)', async () => {
    const orm = await MikroORM.init(ormConfig(url));
    try {
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: true });
      expect(diff.trim()).toBe('');
      const tables: { table_name: string }[] = await orm.em.getConnection().execute(`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(
        ['attempt', 'audit_log', 'batch', 'campaign', 'campaign_version', 'cap_usage', 'console_login_failure', 'console_session', 'dedupe_key', 'delivery_control', 'dispatch', 'dispatch_outbox', 'dispatch_row', 'lead', 'mikro_orm_migrations', 'ping', 'queue_state', 'retention_mark'],
      );
    } finally {
      await orm.close(true);
    }
  });

  it('runs safely when two instances migrate at once', async () => {
    const other = `${url}_b`;
    try {
      const results = await Promise.all([migrate(other), migrate(other)]);
      expect(results.flat()).toEqual(['Migration20261126000000_initial', 'Migration20261127000000_batch_retry_offset', 'Migration20261201000000_batch_mode', 'Migration20261202000000_dispatch_outbox', 'Migration20261202100000_batch_ranges', 'Migration20261203000000_buyer_contracts', 'Migration20261204100000_version_sources', 'Migration20261205000000_dedupe_key_bytes', 'Migration20261206000000_captured', 'Migration20261208000000_send_leases', 'Migration20261209000000_erasure', 'Migration20261210000000_console_sessions', 'Migration20261211120000_attempt_at', 'Migration20261214000000_ping_post', 'Migration20261215000000_pings']);
    } finally {
      await admin((c) => c.query(`drop database if exists "${new URL(other).pathname.slice(1)}" with (force)`));
    }
  });

  it('turns the old batch kinds into modes (manual → on-demand, email → scheduled)', async () => {
    const old = `${url}_c`;
    try {
      await ensureDatabase(old);
      const orm = await MikroORM.init(ormConfig(old));
      try {
        await orm.getMigrator().up({ to: 'Migration20261127000000_batch_retry_offset' });
        const run = (q: string) => orm.em.getConnection().execute(q);
        await run(`insert into campaign (id, name, version, definition) values ('c', 'C', 'v1', '{}')`);
        await run(`insert into batch (id, campaign_id, delivery_id, kind, status, options, lead_count) values
          ('00000000-0000-4000-8000-000000000001', 'c', 'download', 'manual', 'delivered', '{}', 1),
          ('00000000-0000-4000-8000-000000000002', 'c', 'daily', 'email', 'pending', '{}', 2)`);
        await orm.getMigrator().up();
        const rows = (await run('select delivery_id, mode from batch order by delivery_id')) as unknown[];
        expect(rows).toEqual([{ delivery_id: 'daily', mode: 'scheduled' }, { delivery_id: 'download', mode: 'on-demand' }]);
        await expect(run(`update batch set mode = 'manual'`)).rejects.toThrow(/batch_mode_check/);
      } finally {
        await orm.close(true);
      }
    } finally {
      await admin((c) => c.query(`drop database if exists "${new URL(old).pathname.slice(1)}" with (force)`));
    }
  });

  it('keeps dispatches claimed before batch ranges in their batch, and covers unclaimed ones by the first range', async () => {
    const old = `${url}_d`;
    try {
      await ensureDatabase(old);
      const orm = await MikroORM.init(ormConfig(old));
      try {
        await orm.getMigrator().up({ to: 'Migration20261202000000_dispatch_outbox' });
        const run = (q: string) => orm.em.getConnection().execute(q);
        await run(`insert into campaign (id, name, version, definition) values ('c', 'C', 'v1', '{}')`);
        await run(`insert into lead (id, campaign_id, campaign_version, data, raw, received_at) values
          ('00000000-0000-4000-8000-0000000000a1', 'c', 'v1', '{}', '{}', now()), ('00000000-0000-4000-8000-0000000000a2', 'c', 'v1', '{}', '{}', now())`);
        await run(`insert into batch (id, campaign_id, delivery_id, mode, status, options, lead_count) values
          ('00000000-0000-4000-8000-000000000001', 'c', 'download', 'on-demand', 'delivered', '{}', 1)`);
        await run(`insert into dispatch (id, lead_id, campaign_id, delivery_id, status, batch_id) values
          ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000a1', 'c', 'download', 'delivered', '00000000-0000-4000-8000-000000000001'),
          ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000a2', 'c', 'download', 'pending', null)`);
        await orm.getMigrator().up();
        const read = async () => (await run('select id, status, batch_id from dispatch order by id')) as unknown[];
        expect(await read()).toEqual([
          { id: '00000000-0000-4000-8000-0000000000d1', status: 'delivered', batch_id: '00000000-0000-4000-8000-000000000001' },
          { id: '00000000-0000-4000-8000-0000000000d2', status: 'pending', batch_id: null },
        ]);
        // A range batch from the start covers the unclaimed one; the view answers its status.
        await run(`insert into batch (id, campaign_id, delivery_id, mode, status, options, lead_count, from_txid, to_txid) values
          ('00000000-0000-4000-8000-000000000002', 'c', 'download', 'on-demand', 'delivered', '{}', 1, '0', pg_snapshot_xmin(pg_current_snapshot()))`);
        expect(await read()).toEqual([
          { id: '00000000-0000-4000-8000-0000000000d1', status: 'delivered', batch_id: '00000000-0000-4000-8000-000000000001' },
          { id: '00000000-0000-4000-8000-0000000000d2', status: 'delivered', batch_id: '00000000-0000-4000-8000-000000000002' },
        ]);
        // Down again: the range's dispatches take their batch back into their rows.
        await orm.getMigrator().down({ to: 'Migration20261202000000_dispatch_outbox' });
        expect(await run('select id, status, batch_id from dispatch order by id')).toEqual([
          { id: '00000000-0000-4000-8000-0000000000d1', status: 'delivered', batch_id: '00000000-0000-4000-8000-000000000001' },
          { id: '00000000-0000-4000-8000-0000000000d2', status: 'delivered', batch_id: '00000000-0000-4000-8000-000000000002' },
        ]);
      } finally {
        await orm.close(true);
      }
    } finally {
      await admin((c) => c.query(`drop database if exists "${new URL(old).pathname.slice(1)}" with (force)`));
    }
  });
});
