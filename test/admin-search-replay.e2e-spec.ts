import { TestBuyer } from './support/test-buyer';
import { ADMIN_TOKEN, eventually, sql, startTestServer, type TestServer } from './support/test-server';
import { BatchDeliveries } from '../apps/server/src/engine/batch.deliveries';

/** docs/api.md › Search and › Bulk replay, against a real buyer and a mail server that is not there. */
describe('lead search and bulk replay', () => {
  let server: TestServer;
  const buyer = new TestBuyer();
  let answer = 'fail';

  const submit = (first_name: string, email: string, phone?: string) =>
    fetch(`${server.url}/v1/campaigns/replay-test/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'replay-key' },
      body: JSON.stringify({ first_name, email, ...(phone ? { phone } : {}) }),
    }).then((r) => r.json());
  const search = (q: string) => fetch(`${server.url}/v1/leads?q=${encodeURIComponent(q)}`, { headers: server.admin });
  const replay = (body: unknown, delivery = 'buyer') =>
    fetch(`${server.url}/v1/campaigns/replay-test/deliveries/${delivery}/retry`, {
      method: 'POST',
      headers: { ...server.admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const statusOf = async (leadId: string, delivery: string) =>
    (await sql<{ status: string }>(server.databaseUrl, 'select status from dispatch where lead_id = $1 and delivery_id = $2', [leadId, delivery]))[0]?.status;

  beforeAll(async () => {
    buyer.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      if (answer === 'fail') {
        res.statusCode = 500;
        res.end('{"result":"error"}');
      } else res.end(answer === 'reject' ? '{"result":"failure","reason":"not today"}' : '{"result":"success"}');
    };
    await buyer.start();
    server = await startTestServer('search_replay', { CAMPAIGNS_DIR: 'test/campaigns-replay', TEST_BUYER_URL: buyer.url, SMTP_URL: 'smtp://127.0.0.1:9', ADMIN_TOKENS: `${ADMIN_TOKEN},watch:viewer-token-0123:viewer` });
  });
  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
  });

  it('finds a lead by id, by email in any letter case and by phone in any spelling the field accepts', async () => {
    const lead = await submit('Phoebe', 'Phoebe.Search@Example.com', '(512) 555-0142');
    await submit('Other', 'other.search@example.com', '512-555-0199');
    for (const q of ['+1 512.555.0142', '5125550142', '(512) 555-0142']) {
      const res = await search(q);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.matchedBy).toBe('phone');
      expect(body.items.map((l: { id: string }) => l.id)).toEqual([lead.id]);
    }
    const byEmail = await search('  PHOEBE.search@example.COM ').then((r) => r.json());
    expect(byEmail).toMatchObject({ matchedBy: 'email', items: [{ id: lead.id, campaign: 'replay-test', data: { phone: '5125550142' } }] });
    expect(byEmail.items[0].dispatches.map((d: { delivery: string }) => d.delivery)).toEqual(['buyer', 'mail']);
    const byId = await search(lead.id).then((r) => r.json());
    expect(byId).toMatchObject({ matchedBy: 'id', items: [{ id: lead.id }] });
    expect((await search('nobody@example.com').then((r) => r.json())).items).toEqual([]);
  });

  it('refuses a query that is no id, email or phone, and a limit out of range, with 400', async () => {
    for (const q of ['', 'Phoebe', '555-01']) {
      const res = await search(q);
      expect(res.status).toBe(400);
      expect((await res.json()).message).toMatch(/lead id, an email address or a phone number/);
    }
    expect((await fetch(`${server.url}/v1/leads?q=5125550142&limit=0`, { headers: server.admin })).status).toBe(400);
    expect((await fetch(`${server.url}/v1/leads?q=5125550142`)).status).toBe(401);
  });

  it('replays failed dispatches of one delivery in a time range: a dry run counts, the run delivers them, audited', async () => {
    answer = 'fail';
    const leads: { id: string }[] = [];
    for (const name of ['Ann', 'Bob', 'Cy']) leads.push(await submit(name, `${name.toLowerCase()}.replay@example.com`));
    await eventually(async () => (await Promise.all(leads.map((l) => statusOf(l.id, 'buyer')))).every((s) => s === 'failed'), 20_000, 'three failed dispatches');
    const before = await sql(server.databaseUrl, "select count(*)::int as n from dispatch where delivery_id = 'buyer' and status = 'failed'");

    const since = new Date(Date.now() - 60_000).toISOString();
    const dry = await replay({ status: 'failed', since, dryRun: true });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toEqual({ count: before[0].n, dryRun: true });
    expect(await Promise.all(leads.map((l) => statusOf(l.id, 'buyer')))).toEqual(['failed', 'failed', 'failed']);
    // A window that ended before they failed takes none of them.
    expect(await (await replay({ status: 'failed', until: since, dryRun: true })).json()).toEqual({ count: 0, dryRun: true });

    answer = 'accept';
    const received = buyer.received.length;
    const run = await replay({ status: 'failed', since });
    expect(run.status).toBe(202);
    expect(await run.json()).toEqual({ count: before[0].n, dryRun: false });
    await eventually(async () => (await Promise.all(leads.map((l) => statusOf(l.id, 'buyer')))).every((s) => s === 'delivered'), 20_000, 'replayed dispatches delivered');
    expect(buyer.received.length - received).toBe(before[0].n);

    const audit = await fetch(`${server.url}/v1/audit`, { headers: server.admin }).then((r) => r.json());
    expect(audit.items[0]).toMatchObject({ action: 'bulk-retry', campaign: 'replay-test', delivery: 'buyer', leadCount: before[0].n, detail: { status: 'failed', since, via: 'api' } });
  });

  it('replays rejected dispatches only when asked for rejected ones', async () => {
    answer = 'reject';
    const lead = await submit('Rita', 'rita.replay@example.com');
    await eventually(async () => (await statusOf(lead.id, 'buyer')) === 'rejected', 20_000, 'a rejected dispatch');
    expect(await (await replay({ status: 'failed', dryRun: true })).json()).toEqual({ count: 0, dryRun: true });
    answer = 'accept';
    expect(await (await replay({ status: 'rejected' })).json()).toEqual({ count: 1, dryRun: false });
    await eventually(async () => (await statusOf(lead.id, 'buyer')) === 'delivered', 20_000, 'the rejected one delivered');
  });

  it('replays a failed batch as its batch, counting its dispatches', async () => {
    const lead = await submit('Bea', 'bea.replay@example.com');
    const { batch } = await server.app.get(BatchDeliveries).tick('replay-test', 'mail', new Date());
    expect(batch).toBeTruthy();
    await eventually(async () => (await statusOf(lead.id, 'mail')) === 'failed', 30_000, 'the batch failed (no mail server)');
    const failed = await sql(server.databaseUrl, "select count(*)::int as n from dispatch where delivery_id = 'mail' and status = 'failed'");
    expect(await (await replay({ status: 'failed', dryRun: true }, 'mail')).json()).toEqual({ count: failed[0].n, dryRun: true });
    const [first] = await sql(server.databaseUrl, 'select attempts from batch where id = $1', [batch]);
    expect(await (await replay({ status: 'failed' }, 'mail')).json()).toEqual({ count: failed[0].n, dryRun: false });
    // Back to pending with its batch, which is sent again (and fails again: still no mail server).
    await eventually(
      async () => (await sql(server.databaseUrl, "select 1 from batch where id = $1 and status = 'failed' and attempts > $2", [batch, first.attempts])).length,
      30_000,
      'the batch sent again',
    );
    const tries = await sql(server.databaseUrl, 'select count(*)::int as n from attempt where batch_id = $1', [batch]);
    expect(tries[0].n).toBe(first.attempts + 1);
  });

  it('refuses a bad replay request with 400, an unknown delivery with 404, a viewer with 403, and changes nothing', async () => {
    const failedBefore = await sql(server.databaseUrl, "select count(*)::int as n from dispatch where status = 'failed'");
    for (const body of [{}, { status: 'delivered' }, { status: 'failed', since: 'yesterday' }, { status: 'failed', extra: 1 }, { status: 'failed', since: '2026-12-03T10:00:00Z', until: '2026-12-03T09:00:00Z' }]) {
      const res = await replay(body);
      expect(res.status).toBe(400);
    }
    expect((await replay({ status: 'failed' }, 'nobody')).status).toBe(404);
    const viewer = await fetch(`${server.url}/v1/campaigns/replay-test/deliveries/buyer/retry`, {
      method: 'POST',
      headers: { authorization: 'Bearer viewer-token-0123', 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'failed' }),
    });
    expect(viewer.status).toBe(403);
    expect(await sql(server.databaseUrl, "select count(*)::int as n from dispatch where status = 'failed'")).toEqual(failedBefore);
  });
});
