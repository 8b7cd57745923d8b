import { Pool, type PoolClient } from 'pg';

/**
 * A plain `pg` pool for the hot paths (intake's one statement, claims, streamed COPY): measured
 * faster than the ORM's unit of work for single statements (see README, B1). Entities, migrations
 * and campaign bookkeeping go through MikroORM.
 */
export class Database {
  readonly pool: Pool;

  constructor(url: string, max = 20) {
    this.pool = new Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
    // An idle client losing its server (PostgreSQL restarted) must not crash the process.
    this.pool.on('error', () => undefined);
  }

  query<R extends Record<string, any> = Record<string, any>>(sql: string, params: unknown[] = []) {
    return this.pool.query<R>(sql, params);
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
