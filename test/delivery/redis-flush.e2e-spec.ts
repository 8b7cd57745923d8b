import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { redisConnection } from '../../apps/server/src/common/redis-connection';
import { SCHEDULE_QUEUE } from '../../apps/server/src/engine/queues';
import { TestBuyer } from '../support/test-buyer';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';
import { deliveryEnv, keysByLead, statusCounts, submitMany } from './delivery.fixtures';

const LEADS = 600;
const RETRIED = 60;

/**
 * Deletes every key under this server's queue prefix in one atomic step, as a Redis restarted
 * empty would lose them — for this server alone, since other suites share the Redis.
 */
async function flushQueues(redis: Redis, prefix: string): Promise<number> {
  const script = `
    local deleted, cursor = 0, '0'
    repeat
      local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
      cursor = page[1]
      for _, key in ipairs(page[2]) do deleted = deleted + redis.call('DEL', key) end
    until cursor == '0'
    return deleted`;
  return Number(await redis.eval(script, 0, `${prefix}:*`));
}

/**
 * R3 (docs/quality.md): Redis loses everything mid-run — the waiting, active and delayed dispatch jobs,
 * and the sweeper's own schedule. PostgreSQL is the truth: the schedule is put back, the sweeper
 * finds the pending dispatches without a job, and every dispatch still ends final.
 */
describe('R3: Redis flushed mid-run', () => {
  const buyer = new TestBuyer();
  const redis = new Redis('redis://127.0.0.1:6379');
  let server: TestServer;

  beforeAll(async () => {
    buyer.handler = (req, res) => {
      const email = new URLSearchParams(req.body).get('email') ?? '';
      const tries = buyer.received.filter((r) => r.headers['idempotency-key'] === req.headers['idempotency-key']).length;
      setTimeout(() => {
        // Some leads are turned away once, so that delayed retries are in Redis when it is flushed.
        if (email.startsWith('retried-') && tries === 1) {
          res.writeHead(503);
          return void res.end('busy');
        }
        res.setHeader('content-type', 'application/json');
        res.end('{"result":"success"}');
      }, 10);
    };
    const buyerUrl = await buyer.start();
    server = await startTestServer(
      'r3_flush',
      deliveryEnv(buyerUrl, { WORKER_CONCURRENCY: '8', SWEEP_EVERY_MS: '500', SWEEP_GRACE_MS: '500', WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' }),
    );
  });
  afterAll(async () => {
    await server?.stop();
    await flushQueues(redis, server.env.QUEUE_PREFIX!);
    redis.disconnect();
    await buyer.stop();
  });

  it('ends every dispatch in a final status', async () => {
    const leads = [
      ...Array.from({ length: RETRIED }, (_, i) => ({ scenario: 'load', email: `retried-${i}@example.com` })),
      ...Array.from({ length: LEADS - RETRIED }, (_, i) => ({ scenario: 'load', email: `r3-${i}@example.com` })),
    ];
    const dispatchOf = await submitMany(server, 'delivery-load', leads, 16);
    await eventually(async () => buyer.received.length >= 150, 30_000, 'deliveries under way');
    expect(await flushQueues(redis, server.env.QUEUE_PREFIX!)).toBeGreaterThan(0);
    expect((await statusCounts(server.databaseUrl)).pending ?? 0).toBeGreaterThan(0);

    await eventually(async () => !(await statusCounts(server.databaseUrl)).pending, 60_000, 'no dispatch pending');
    expect(await statusCounts(server.databaseUrl)).toEqual({ delivered: LEADS });
    // The sweeper's schedule is back for the next time.
    const schedules = new Queue(SCHEDULE_QUEUE, { connection: redisConnection('redis://127.0.0.1:6379'), prefix: server.env.QUEUE_PREFIX });
    try {
      expect(await schedules.getJobScheduler('sweeper')).toBeTruthy();
    } finally {
      await schedules.close();
    }
    for (const [email, keys] of keysByLead(buyer.received)) expect({ email, keys: [...new Set(keys)] }).toEqual({ email, keys: [dispatchOf.get(email)] });
    const [{ n }] = await sql(server.databaseUrl, `select count(*)::int as n from dispatch d where not exists (select 1 from attempt a where a.dispatch_id = d.id)`);
    expect(n).toBe(0);
  }, 120_000);
});
