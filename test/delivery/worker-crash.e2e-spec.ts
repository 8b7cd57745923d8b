import { Queue } from 'bullmq';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { redisConnection } from '../../apps/server/src/common/redis-connection';
import { DISPATCH_QUEUE } from '../../apps/server/src/engine/queues';
import { TestBuyer } from '../support/test-buyer';
import { dropDatabase, eventually, sql, testEnv } from '../support/test-server';
import { deliveryEnv, keysByLead, statusCounts, submitMany } from './delivery.fixtures';
import { ServerProcess } from './server.process';

const LEADS = 2_000;

/**
 * R2 (docs/quality.md): a worker process killed with SIGKILL in the middle of 2,000 deliveries, then
 * restarted. BullMQ's stalled-job check hands the dead worker's jobs back once their lock runs out
 * (WORKER_LOCK_MS, short here); every dispatch ends delivered, and a lead the buyer saw twice
 * carried the same Idempotency-Key both times.
 */
describe('R2: worker killed with SIGKILL mid-run, then restarted', () => {
  const buyer = new TestBuyer();
  let env: NodeJS.ProcessEnv;
  let api: StartedServer | undefined;
  const workers: ServerProcess[] = [];

  beforeAll(async () => {
    // A buyer that takes a little while, so that the kill finds requests in flight.
    buyer.acceptAfter(20);
    const buyerUrl = await buyer.start();
    env = testEnv('r2_kill', deliveryEnv(buyerUrl, { WORKER_CONCURRENCY: '16', WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' }));
    api = await startServer({ ...env, LEADRELAY_ROLE: 'api' });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await api?.app.close();
    const queue = new Queue(DISPATCH_QUEUE, { connection: redisConnection('redis://127.0.0.1:6379'), prefix: env.QUEUE_PREFIX });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await buyer.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('delivers all 2,000, and every duplicate the buyer saw carries the same Idempotency-Key', async () => {
    // The leads are accepted while no worker runs: 2,000 jobs wait.
    const leads = Array.from({ length: LEADS }, (_, i) => ({ scenario: 'load', email: `r2-${i}@example.com` }));
    const dispatchOf = await submitMany(api!, 'delivery-load', leads, 16);
    expect(dispatchOf.size).toBe(LEADS);

    const workerEnv = { ...env, LEADRELAY_ROLE: 'worker' };
    const first = await ServerProcess.start(workerEnv);
    workers.push(first);
    await eventually(async () => buyer.received.length >= 500, 30_000, 'the first worker to be well under way');
    const killed = await first.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const seenBeforeKill = buyer.received.length;
    const before = await statusCounts(env.DATABASE_URL!);
    expect(before.pending ?? 0).toBeGreaterThan(0);
    expect(seenBeforeKill).toBeLessThan(LEADS);

    const second = await ServerProcess.start(workerEnv);
    workers.push(second);
    await eventually(async () => (await statusCounts(env.DATABASE_URL!)).delivered === LEADS, 90_000, `all ${LEADS} delivered`);
    expect((await second.stop('SIGTERM')).code ?? 0).toBe(0);

    expect(await statusCounts(env.DATABASE_URL!)).toEqual({ delivered: LEADS });
    const byLead = keysByLead(buyer.received);
    expect(byLead.size).toBe(LEADS);
    for (const [email, keys] of byLead) {
      // One key per lead however often it came, and it is the lead's dispatch id.
      expect({ email, keys: [...new Set(keys)] }).toEqual({ email, keys: [dispatchOf.get(email)] });
    }
    // Each try the buyer saw that got an answer back is in the attempt log, at most once per request.
    const [{ attempts }] = await sql(env.DATABASE_URL!, 'select count(*)::int as attempts from attempt');
    expect(attempts).toBeGreaterThanOrEqual(LEADS);
    expect(attempts).toBeLessThanOrEqual(buyer.received.length);
    const duplicates = [...byLead.values()].filter((keys) => keys.length > 1).length;
    // Only what was in flight at the kill can have been sent twice.
    expect(duplicates).toBeLessThanOrEqual(buyer.received.length - LEADS);
    expect(buyer.received.length - LEADS).toBeLessThanOrEqual(64);
  }, 180_000);
});
