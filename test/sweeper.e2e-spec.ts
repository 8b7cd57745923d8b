import { Queue } from 'bullmq';
import { Sweeper } from '../apps/server/src/engine/sweeper';
import { redisConnection } from '../apps/server/src/common/redis-connection';
import { DISPATCH_QUEUE } from '../apps/server/src/engine/queues';
import { startServer } from '../apps/server/src/bootstrap';
import { TestBuyer } from './support/test-buyer';
import { dropDatabase, eventually, sql, testEnv } from './support/test-server';

describe('sweeper (PostgreSQL is the truth, Redis the conveyor)', () => {
  const buyer = new TestBuyer();
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = testEnv('sweeper', { TEST_BUYER_URL: `${await buyer.start()}/leads`, SWEEP_GRACE_MS: '0' });
  });
  afterAll(async () => {
    await buyer.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('re-enqueues a pending real-time dispatch whose job was lost, and it is delivered', async () => {
    // An API-only instance accepts the lead and its relay enqueues the job; nobody works the queue yet.
    const api = await startServer({ ...env, LEADRELAY_ROLE: 'api' });
    const res = await fetch(`${api.url}/v1/campaigns/realtime-test/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'rt-key' },
      body: JSON.stringify({ first_name: 'Lost', email: 'lost@example.com' }),
    });
    expect(res.status).toBe(201);
    const { dispatches } = await res.json();
    const dispatchId = dispatches[0].id;

    // Redis loses the job (a restart with nothing on disk).
    const queue = new Queue(DISPATCH_QUEUE, { connection: redisConnection(env.REDIS_URL ?? 'redis://127.0.0.1:6379'), prefix: env.QUEUE_PREFIX });
    await eventually(async () => Boolean(await queue.getJob(dispatchId)), 10_000, 'the relay to enqueue the job');
    await queue.obliterate({ force: true });
    expect(await queue.getJob(dispatchId)).toBeFalsy();
    await api.app.close();

    // A worker comes up; its sweeper finds the pending dispatch with no job and enqueues it again.
    const worker = await startServer({ ...env, LEADRELAY_ROLE: 'worker', PORT: '0' });
    try {
      expect((await worker.app.get(Sweeper).sweep(0)).requeued).toBeGreaterThanOrEqual(1);
      const row = await eventually(async () => {
        const [found] = await sql(env.DATABASE_URL!, 'select status, attempts from dispatch where id = $1', [dispatchId]);
        return found?.status === 'delivered' ? found : undefined;
      });
      expect(row!.attempts).toBe(1);
      expect(buyer.received).toHaveLength(1);
      expect(buyer.received[0].headers['idempotency-key']).toBe(dispatchId);
      // A second sweep finds nothing left to do.
      expect((await worker.app.get(Sweeper).sweep(0)).requeued).toBe(0);
    } finally {
      await worker.app.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
