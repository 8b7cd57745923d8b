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
    expect(await migrate(url)).toEqual(['Migration20261126000000_initial', 'Migration20261127000000_batch_retry_offset', 'Migration20261201000000_batch_mode', 'Migration20261202000000_dispatch_outbox']);
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
        ['attempt', 'batch', 'campaign', 'campaign_version', 'dispatch', 'dispatch_outbox', 'lead', 'mikro_orm_migrations', 'queue_state'],
      );
    } finally {
      await orm.close(true);
    }
  });

  it('runs safely when two instances migrate at once', async () => {
    const other = `${url}_b`;
    try {
      const results = await Promise.all([migrate(other), migrate(other)]);
      expect(results.flat()).toEqual(['Migration20261126000000_initial', 'Migration20261127000000_batch_retry_offset', 'Migration20261201000000_batch_mode', 'Migration20261202000000_dispatch_outbox']);
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
});
