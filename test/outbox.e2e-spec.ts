import { Queue } from 'bullmq';
import { Client } from 'pg';
import { startServer, type StartedServer } from '../apps/server/src/bootstrap';
import { redisConnection } from '../apps/server/src/common/redis-connection';
import { DISPATCH_QUEUE } from '../apps/server/src/engine/queues';
import { SWEEP_LOCK, Sweeper } from '../apps/server/src/engine/sweeper';
import { ServerProcess } from './delivery/server.process';
import { RedisServer } from './support/redis-server';
import { TestBuyer } from './support/test-buyer';
import { dropDatabase, eventually, sql, testEnv } from './support/test-server';

async function submit(server: { url: string }, email: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/campaigns/outbox-test/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'outbox-key' },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).dispatches[0].id;
}

async function statuses(databaseUrl: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }>(databaseUrl, 'select status, count(*)::int as n from dispatch group by status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function outboxRows(databaseUrl: string): Promise<number> {
  const [{ n }] = await sql<{ n: number }>(databaseUrl, 'select count(*)::int as n from dispatch_outbox');
  return n;
}

/**
 * The transactional outbox (docs/architecture.md, "Outbox"): intake writes only PostgreSQL, a
 * relay moves new real-time dispatches to BullMQ, and the sweeper asks Redis about nothing but
 * jobs that are really gone. Each test has a Redis of its own, to take away and count.
 */
describe('outbox: Redis off the intake path, nothing accepted is lost', () => {
  const buyer = new TestBuyer();
  let redis: RedisServer;
  let env: NodeJS.ProcessEnv;
  let server: StartedServer | undefined;

  beforeAll(async () => {
    redis = await RedisServer.create();
    await redis.start();
    env = testEnv('outbox', { CAMPAIGNS_DIR: 'test/campaigns-outbox', REDIS_URL: redis.url, TEST_BUYER_URL: `${await buyer.start()}/leads` });
  });
  afterEach(async () => {
    await server?.app.close();
    server = undefined;
    buyer.received.length = 0;
    await sql(env.DATABASE_URL!, 'truncate attempt, dispatch_outbox, dispatch_row, batch, lead cascade');
    await redis.start().catch(() => undefined);
  });
  afterAll(async () => {
    await redis.stop();
    await buyer.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('accepts leads while Redis is down and delivers each once when it is back', async () => {
    server = await startServer(env);
    await redis.stop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit(server, `down-${i}@example.com`));
    expect(await outboxRows(env.DATABASE_URL!)).toBe(5);
    expect(buyer.received).toHaveLength(0);

    await redis.start();
    await eventually(async () => (await statuses(env.DATABASE_URL!)).delivered === 5, 30_000, 'all five delivered after Redis came back');
    // The relay deletes its rows in the transaction that adds their jobs: a worker may deliver a
    // job before that commit lands, so the rows go a moment after the deliveries, not before.
    await eventually(async () => (await outboxRows(env.DATABASE_URL!)) === 0, 10_000, 'the outbox emptied');
    expect(buyer.received.map((r) => r.headers['idempotency-key']).sort()).toEqual([...ids].sort());
  }, 60_000);

  it('loses nothing when the host is killed between commit and enqueue', async () => {
    const host = await ServerProcess.start(env);
    // Redis away, so every accepted dispatch is committed with its outbox row and no job yet.
    await redis.stop();
    const ids: string[] = [];
    try {
      const url = /"url":"(http:[^"]+)"/.exec(host.log)![1];
      for (let i = 0; i < 5; i++) ids.push(await submit({ url }, `killed-${i}@example.com`));
    } finally {
      expect((await host.stop('SIGKILL')).signal).toBe('SIGKILL');
    }
    expect(await outboxRows(env.DATABASE_URL!)).toBe(5);

    await redis.start();
    server = await startServer(env);
    await eventually(async () => (await statuses(env.DATABASE_URL!)).delivered === 5, 30_000, 'all five delivered by the next host');
    expect(buyer.received.map((r) => r.headers['idempotency-key']).sort()).toEqual([...ids].sort());
  }, 90_000);

  it('sweeps a large live backlog without enqueuing anything or asking Redis about it, and re-enqueues all of it once Redis is emptied', async () => {
    const BACKLOG = 300;
    buyer.handler = (_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    };
    server = await startServer({ ...env, SWEEP_GRACE_MS: '0' });
    const sweeper = server.app.get(Sweeper);
    // A sweep records which Redis it reconciled with (the first of a database, or the one run at start-up).
    expect(await sweeper.sweep()).toMatchObject({ ran: true, requeued: 0 });

    const ids: string[] = [];
    for (let i = 0; i < BACKLOG; i++) ids.push(await submit(server, `backlog-${i}@example.com`));
    // Each has had its first try and waits ten minutes for the next, as a delayed job.
    await eventually(async () => {
      const [{ n }] = await sql<{ n: number }>(env.DATABASE_URL!, `select count(*)::int as n from dispatch where status = 'pending' and attempts = 1 and next_attempt_at > now()`);
      return n === BACKLOG;
    }, 60_000, 'every dispatch waiting on its delayed retry');
    const queue = new Queue(DISPATCH_QUEUE, { connection: redisConnection(redis.url), prefix: env.QUEUE_PREFIX });
    const monitorClient = redis.client();
    try {
      await eventually(async () => (await queue.getDelayedCount()) === BACKLOG, 10_000, 'every job delayed in Redis');

      const monitor = await monitorClient.monitor();
      const commands: string[] = [];
      monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')));
      const result = await sweeper.sweep();
      await new Promise((r) => setTimeout(r, 200));
      monitor.disconnect();
      expect(result).toEqual({ ran: true, newRedis: false, requeued: 0, batches: 0, pings: 0, dedupeKeys: 0 });
      expect(await outboxRows(env.DATABASE_URL!)).toBe(0);
      const aboutBacklog = commands.filter((c) => ids.some((id) => c.includes(id)));
      expect(aboutBacklog).toEqual([]);

      // Redis emptied (a restart with nothing on disk): now every one of them is really gone.
      const admin = redis.client();
      await admin.flushall();
      admin.disconnect();
      expect(await sweeper.sweep()).toMatchObject({ ran: true, newRedis: true, requeued: BACKLOG });
      await eventually(async () => (await queue.getDelayedCount()) === BACKLOG, 20_000, 'every job back, delayed until its retry is due');
      expect(await sweeper.sweep()).toMatchObject({ newRedis: false, requeued: 0 });
      // Each was tried once, before the flush: none was sent again early.
      expect(buyer.received).toHaveLength(BACKLOG);
    } finally {
      monitorClient.disconnect();
      await queue.close();
    }
  }, 120_000);

  it('runs one sweep at a time: while another holds the sweep lock, a sweep does nothing', async () => {
    server = await startServer(env);
    const holder = new Client({ connectionString: env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [SWEEP_LOCK]);
      expect(await server.app.get(Sweeper).sweep()).toMatchObject({ ran: false, requeued: 0 });
      await holder.query('select pg_advisory_unlock($1)', [SWEEP_LOCK]);
      expect(await server.app.get(Sweeper).sweep()).toMatchObject({ ran: true });
    } finally {
      await holder.end();
    }
  });
});
