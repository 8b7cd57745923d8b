import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { databaseName, maintenanceUrl } from './database-url';
import { ormConfig } from './orm.config';

/** Creates the database when it does not exist yet (a fresh machine has none). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  const client = new Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`create database "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      // Two instances starting at once: the other one created it.
      if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
    }
    return true;
  } finally {
    await client.end();
  }
}

/** Creates the database if needed and runs every pending migration; returns the names it ran. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const orm = await MikroORM.init(ormConfig(url));
  try {
    // Several instances may start together: one migrates, the others wait on the lock.
    const conn = orm.em.getConnection();
    await conn.execute('select pg_advisory_lock(7262001)');
    try {
      const ran = await orm.getMigrator().up();
      return ran.map((m) => m.name);
    } finally {
      await conn.execute('select pg_advisory_unlock(7262001)');
    }
  } finally {
    await orm.close(true);
  }
}
