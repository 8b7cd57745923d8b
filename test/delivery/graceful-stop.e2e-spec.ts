import { Queue } from 'bullmq';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { redisConnection } from '../../apps/server/src/common/redis-connection';
import { DISPATCH_QUEUE } from '../../apps/server/src/engine/queues';
import { TestBuyer } from '../support/test-buyer';
import { dropDatabase, eventually, sql, testEnv } from '../support/test-server';
import { deliveryEnv, keysByLead, statusCounts, submitMany } from './delivery.fixtures';
import { ServerProcess } from './server.process';

const LEADS = 300;

/**
 * R8 (docs/quality.md): SIGTERM while deliveries are in flight. The worker stops taking jobs, lets the
 * attempts in flight finish and record their outcome, and exits; nothing stays claimed by it, and
 * after a restart everything is delivered — none of it twice, since nothing was cut off.
 */
describe('R8: graceful stop (SIGTERM) during delivery', () => {
  const buyer = new TestBuyer();
  let env: NodeJS.ProcessEnv;
  let api: StartedServer | undefined;
  let queue: Queue;
  const workers: ServerProcess[] = [];

  beforeAll(async () => {
    // A slow buyer: every attempt is still in flight for a good while when the stop comes.
    buyer.acceptAfter(400);
    const buyerUrl = await buyer.start();
    env = testEnv('r8_sigterm', deliveryEnv(buyerUrl, { WORKER_CONCURRENCY: '16' }));
    api = await startServer({ ...env, LEADRELAY_ROLE: 'api' });
    queue = new Queue(DISPATCH_QUEUE, { connection: redisConnection('redis://127.0.0.1:6379'), prefix: env.QUEUE_PREFIX });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await api?.app.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await buyer.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('finishes the attempts in flight, leaves no job claimed, and delivers the rest after a restart', async () => {
    const dispatchOf = await submitMany(api!, 'delivery-load', Array.from({ length: LEADS }, (_, i) => ({ scenario: 'load', email: `r8-${i}@example.com` })));
    const workerEnv = { ...env, LEADRELAY_ROLE: 'worker' };
    const first = await ServerProcess.start(workerEnv);
    workers.push(first);
    await eventually(async () => buyer.received.length >= 40, 30_000, 'deliveries under way');

    const exit = await first.stop('SIGTERM');
    // A clean exit: by the signal it was sent (Nest re-raises it once closed) or with code 0, never by SIGKILL.
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(first.log).not.toMatch(/"level":(50|60)/);

    // Every request the buyer got before the stop has its attempt recorded: none was abandoned.
    const seen = buyer.received.length;
    const [{ attempts }] = await sql(env.DATABASE_URL!, 'select count(*)::int as attempts from attempt');
    expect(attempts).toBe(seen);
    const counts = await statusCounts(env.DATABASE_URL!);
    expect(counts.delivered).toBe(seen);
    expect(counts.pending).toBe(LEADS - seen);
    // Nothing is left claimed by the stopped worker: no active job, the rest waiting.
    expect(await queue.getActiveCount()).toBe(0);
    expect(await queue.getWaitingCount()).toBe(LEADS - seen);

    const second = await ServerProcess.start(workerEnv);
    workers.push(second);
    await eventually(async () => (await statusCounts(env.DATABASE_URL!)).delivered === LEADS, 60_000, `all ${LEADS} delivered`);
    await second.stop('SIGTERM');
    expect(await statusCounts(env.DATABASE_URL!)).toEqual({ delivered: LEADS });
    // No lead went out twice.
    const byLead = keysByLead(buyer.received);
    expect(buyer.received).toHaveLength(LEADS);
    for (const [email, keys] of byLead) expect({ email, keys }).toEqual({ email, keys: [dispatchOf.get(email)] });
  }, 120_000);
});
