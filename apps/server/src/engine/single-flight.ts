import type { PoolClient } from 'pg';
import type { Database } from '../common/database';

/**
 * Runs `work` unless another process is running the same job: a PostgreSQL advisory lock on `lock`
 * (any fixed number per job), held on one connection for the whole run and handed to `work`.
 * Returns undefined, having done nothing, when another holds it.
 */
export async function runAlone<T>(db: Database, lock: number, work: (client: PoolClient) => Promise<T>): Promise<T | undefined> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [lock]);
    if (!rows[0].locked) return undefined;
    try {
      return await work(client);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [lock]);
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A connection that failed mid-run may still hold the lock: never hand it back to the pool.
    client.release(broken);
  }
}
