import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { CampaignRegistry } from '../../apps/server/src/campaigns/campaign.registry';
import { DispatchOutcomes } from '../../apps/server/src/engine/dispatch.outcomes';
import { DISPATCH_QUEUE } from '../../apps/server/src/engine/queues';
import { TestBuyer } from '../support/test-buyer';
import { dropDatabase, eventually, sql, testEnv } from '../support/test-server';

async function submit(server: StartedServer, email: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/campaigns/lease-test/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'lease-key' },
    body: JSON.stringify({ email }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).dispatches[0].id;
}

const dispatchRow = async (url: string, id: string) =>
  (await sql<{ status: string; attempts: number; lease_token: string | null; lease_until: Date | null }>(url, 'select status, attempts, lease_token, lease_until from dispatch_row where id = $1', [id]))[0];
const attemptCount = async (url: string, id: string) => (await sql<{ n: number }>(url, 'select count(*)::int as n from attempt where dispatch_id = $1', [id]))[0].n;

/**
 * Exact leases for real-time sends (docs/architecture.md › Leases): a send claims its dispatch in
 * PostgreSQL with a token, so two workers never send the same dispatch at once, and only the
 * holder writes the outcome — against real PostgreSQL, Redis, two instances and a slow buyer.
 */
describe('dispatch leases', () => {
  const buyer = new TestBuyer();
  let env: NodeJS.ProcessEnv;
  let a: StartedServer;
  let b: StartedServer;

  beforeAll(async () => {
    env = testEnv('leases', { CAMPAIGNS_DIR: 'test/campaigns-leases', TEST_BUYER_URL: `${await buyer.start()}/leads` });
    a = await startServer(env);
    b = await startServer(env);
  });
  afterEach(() => {
    buyer.received.length = 0;
    buyer.handler = (_req, res) => res.end('ok');
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await buyer.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('never sends one dispatch twice at once: a job delivered again while the first send waits on a slow buyer does not send', async () => {
    let answer: (() => void) | undefined;
    buyer.handler = (_req, res) => {
      answer = () => res.end('ok');
    };
    const id = await submit(a, 'slow@example.com');
    await eventually(async () => buyer.received.length === 1 || undefined, 10_000, 'the first send');
    const leased = await dispatchRow(env.DATABASE_URL!, id);
    expect(leased.lease_token).not.toBeNull();
    expect(leased.lease_until!.getTime()).toBeGreaterThan(Date.now());

    // The same dispatch's job again, as BullMQ re-delivers a job it thinks stalled: on either
    // instance, while the first send is still waiting for the buyer.
    for (const server of [a, b]) await server.app.get<Queue>(getQueueToken(DISPATCH_QUEUE)).add('deliver', { dispatchId: id }, { jobId: `again-${randomUUID()}` });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(buyer.received).toHaveLength(1);

    answer!();
    await eventually(async () => ((await dispatchRow(env.DATABASE_URL!, id)).status === 'delivered' ? true : undefined), 10_000, 'delivered');
    await new Promise((r) => setTimeout(r, 500));
    expect(buyer.received).toHaveLength(1);
    expect(await attemptCount(env.DATABASE_URL!, id)).toBe(1);
    expect(await dispatchRow(env.DATABASE_URL!, id)).toMatchObject({ status: 'delivered', attempts: 1, lease_token: null, lease_until: null });
  });

  it('writes an outcome only for the send that holds the lease', async () => {
    let answer: (() => void) | undefined;
    buyer.handler = (_req, res) => {
      answer = () => res.end('ok');
    };
    const id = await submit(a, 'holder@example.com');
    await eventually(async () => buyer.received.length === 1 || undefined, 10_000, 'the send');
    const { delivery } = a.app.get(CampaignRegistry).delivery('lease-test', 'buyer')!;
    // A stale sender (its lease taken over) cannot write: nothing changes, and it is told so.
    await expect(
      a.app.get(DispatchOutcomes).record({ dispatchId: id, attempt: 1, at: new Date(), durationMs: 1, result: { outcome: 'rejected', reason: 'stale' }, delivery, leaseToken: randomUUID() }),
    ).rejects.toThrow(/not stored/);
    expect(await dispatchRow(env.DATABASE_URL!, id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await attemptCount(env.DATABASE_URL!, id)).toBe(0);
    answer!();
    await eventually(async () => ((await dispatchRow(env.DATABASE_URL!, id)).status === 'delivered' ? true : undefined), 10_000, 'delivered');
  });

  it('leaves a dispatch another send holds alone until its lease ends, then sends it once', async () => {
    // Held by a send that crashed (its lease runs 5 more seconds): accepted by an instance that only takes leads.
    const leaseMs = 5_000;
    const apiOnly = await startServer({ ...env, LEADRELAY_ROLE: 'api' });
    try {
      await a.app.close();
      await b.app.close();
      const id = await submit(apiOnly, 'crashed@example.com');
      await sql(env.DATABASE_URL!, `update dispatch_row set lease_token = $2, lease_until = now() + $3 * interval '1 millisecond' where id = $1`, [id, randomUUID(), leaseMs]);
      const leasedAt = Date.now();
      a = await startServer(env);
      b = await startServer(env);
      await new Promise((r) => setTimeout(r, 1_000));
      // Both instances have run for a second and the lease still holds (starting them is slow on a
      // loaded machine, so the lease is long enough to leave room): nothing may have been sent.
      expect(Date.now() - leasedAt).toBeLessThan(leaseMs);
      expect(buyer.received).toHaveLength(0);
      await eventually(async () => ((await dispatchRow(env.DATABASE_URL!, id)).status === 'delivered' ? true : undefined), 15_000, 'delivered after the lease ended');
      expect(buyer.received).toHaveLength(1);
    } finally {
      await apiOnly.app.close();
    }
  });
});
