import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';

export const ADMIN_TOKEN = 'test-admin-token';
const PG = 'postgres://postgres@127.0.0.1:5432';

export interface TestServer extends StartedServer {
  databaseUrl: string;
  env: NodeJS.ProcessEnv;
  admin: Record<string, string>;
  stop(): Promise<void>;
}

/** A unique database and queue prefix per test server, so suites never see each other's data. */
export function testEnv(name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const id = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `${PG}/leadrelay_test_${id}`,
    QUEUE_PREFIX: `lrtest_${id}`,
    ADMIN_TOKENS: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    CAMPAIGNS_DIR: 'test/campaigns',
    OUTBOX_DIR: `/tmp/leadrelay-outbox-${id}`,
    SWEEP_EVERY_MS: '600000',
    DEMO_BUYER: 'off',
    ...extra,
  };
}

export async function startTestServer(name: string, extra: NodeJS.ProcessEnv = {}, options: Parameters<typeof startServer>[1] = {}): Promise<TestServer> {
  const env = testEnv(name, extra);
  const started = await startServer(env, options);
  return {
    ...started,
    env,
    databaseUrl: env.DATABASE_URL!,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    async stop() {
      await started.app.close();
      await dropDatabase(env.DATABASE_URL!);
    },
  };
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Direct SQL against a test server's database (to check what was stored). */
export async function sql<R extends Record<string, any> = Record<string, any>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Polls until `check` returns a truthy value or the time runs out (then throws with the last value). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
