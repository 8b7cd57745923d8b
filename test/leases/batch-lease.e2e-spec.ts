import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';
import { SCHEDULE_QUEUE } from '../../apps/server/src/engine/queues';
import { MailInbox, postLead } from '../email/support/mail-inbox';
import { obliterateQueues } from '../email/support/test-queues';
import { ADMIN_TOKEN, dropDatabase, eventually, sql, testEnv } from '../support/test-server';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Batch leases (docs/architecture.md › Leases) against a real SMTP server: a batch's retry time is
 * kept in PostgreSQL, so a send job Redis lost comes back when it was due; a send whose lease was
 * taken over records nothing.
 */
describe('batch leases', () => {
  let inbox: MailInbox;
  let env: NodeJS.ProcessEnv;
  let server: StartedServer;
  const batchRow = async (id: string) => (await sql(env.DATABASE_URL!, 'select * from batch where id = $1', [id]))[0];
  const attempts = async (id: string) => (await sql<{ n: number }>(env.DATABASE_URL!, 'select count(*)::int as n from attempt where batch_id = $1', [id]))[0].n;
  const runNow = async () => {
    const res = await fetch(`${server.url}/v1/campaigns/batch-lease/deliveries/nightly/run`, { method: 'POST', headers: admin });
    expect(res.status).toBe(202);
    return (await res.json()).id as string;
  };

  beforeAll(async () => {
    inbox = await MailInbox.start();
    // A short socket time-out, so a server that hangs after DATA gives up in seconds.
    env = testEnv('batch_lease', { CAMPAIGNS_DIR: 'test/campaigns-leases', SMTP_URL: `${inbox.url}?socketTimeout=2000` });
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.app.close();
    await obliterateQueues(env);
    await inbox?.close();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('keeps a retry time in the batch row, and the sweeper re-enqueues a lost send job for then, not now', async () => {
    await postLead(server.url, 'batch-lease', 'batch-lease-key', { email: 'ann@example.com' });
    inbox.refusals.push({ code: 421, text: 'Too busy, try again later' });
    const id = await runNow();
    const retrying = (await eventually(async () => ((await batchRow(id))?.attempts === 1 ? batchRow(id) : undefined), 15_000, 'the first try'))!;
    expect(retrying).toMatchObject({ status: 'pending', send_token: null, sending_until: null });
    const due = (retrying.next_attempt_at as Date).getTime();
    expect(due).toBeGreaterThan(Date.now() + 45_000);

    // Redis loses the delayed job; the sweeper's pass brings it back, delayed to the same time.
    const queue = server.app.get<Queue>(getQueueToken(SCHEDULE_QUEUE));
    await (await queue.getJob(`send-${id}-1`))!.remove();
    await sql(env.DATABASE_URL!, `update batch set updated_at = now() - interval '1 hour' where id = $1`, [id]);
    expect(await server.app.get(BatchDeliveries).resumePending(0)).toBe(1);
    const again = (await queue.getJob(`send-${id}-1`))!;
    expect(await again.getState()).toBe('delayed');
    expect(again.timestamp + again.delay).toBeGreaterThan(due - 2_000);
    expect(inbox.to('nightly@acme.example')).toHaveLength(0);
  });

  it('records nothing for a send whose lease another sender took over', async () => {
    await postLead(server.url, 'batch-lease', 'batch-lease-key', { email: 'bob@example.com' });
    inbox.hold = true;
    try {
      const id = await runNow();
      await eventually(async () => ((await batchRow(id))?.send_token ? true : undefined), 15_000, 'the send under way');
      // While the mail server hangs after DATA, another sender takes the lease over.
      const other = randomUUID();
      await sql(env.DATABASE_URL!, 'update batch set send_token = $2 where id = $1', [id, other]);
      // The hanging send gives up (socket time-out 2 s) with a retry it may no longer record.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(await batchRow(id)).toMatchObject({ status: 'pending', attempts: 0, send_token: other });
      expect(await attempts(id)).toBe(0);
    } finally {
      inbox.hold = false;
    }
  });
});
