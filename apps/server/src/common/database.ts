import { Pool, type PoolClient } from 'pg';

export interface DatabaseLimits {
  /** Connections of the main pool (requests, workers). */
  size?: number;
  /** Connections of the stream pool (COPY downloads). */
  streams?: number;
  /** Longest wait for a free connection; past it the query fails and the API answers 503. */
  waitMs?: number;
  /** `statement_timeout` of the main pool's connections. */
  statementTimeoutMs?: number;
}

/**
 * Plain `pg` pools for the hot paths (intake's one statement, claims, streamed COPY): measured
 * faster than the ORM's unit of work for single statements (see README, B1). Entities, migrations
 * and campaign bookkeeping go through MikroORM.
 *
 * Two pools: `pool` for short statements, bounded by a statement time-out, and `streams` for
 * COPY downloads that last as long as their reader, so ten slow readers cannot leave intake
 * waiting. Both give up waiting for a connection after `waitMs` (docs/scale.md).
 */
export class Database {
  readonly pool: Pool;
  readonly streams: Pool;

  constructor(url: string, limits: DatabaseLimits = {}) {
    const waitMs = limits.waitMs ?? 5_000;
    // No JIT: it compiled each export query for about 300 ms of CPU before its first row (measured,
    // bench slow-readers), and no statement of ours runs long enough on CPU to win it back.
    const options = '-c jit=off';
    this.pool = new Pool({
      connectionString: url,
      options,
      max: limits.size ?? 20,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: waitMs,
      statement_timeout: limits.statementTimeoutMs ?? 60_000,
    });
    this.streams = new Pool({ connectionString: url, options, max: limits.streams ?? 10, idleTimeoutMillis: 10_000, connectionTimeoutMillis: waitMs });
    // An idle client losing its server (PostgreSQL restarted) must not crash the process.
    this.pool.on('error', () => undefined);
    this.streams.on('error', () => undefined);
  }

  query<R extends Record<string, any> = Record<string, any>>(sql: string, params: unknown[] = []) {
    return this.pool.query<R>(sql, params);
  }

  /**
   * A client of the main pool for several statements. A client held across a PostgreSQL restart
   * gets an `error` event of its own (the pool only listens on idle ones): it is swallowed here,
   * since the statement in flight fails with the same error; release it with that error.
   */
  async connect(): Promise<PoolClient> {
    const client = await this.pool.connect();
    if (!client.listenerCount('error')) client.on('error', () => undefined);
    return client;
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      client.release();
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      client.release(err as Error);
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool, this.streams].filter((p) => !p.ended).map((p) => p.end()));
  }
}
