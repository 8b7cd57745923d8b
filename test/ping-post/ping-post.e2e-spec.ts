import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { accessibilityProblems, freshPage, launchChromium, SHOTS, signInAs } from '../support/console-browser';
import { TestBuyer, type ReceivedRequest } from '../support/test-buyer';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';

const KEY = 'pp-key';

/** What a buyer says to a ping and to a post; `silent` never answers its ping. */
interface Script {
  bid?: number;
  token?: string;
  silent?: boolean;
  post?: (req: ReceivedRequest) => { status?: number; body: unknown };
}

/** A real buyer server answering pings at `/ping` and posts at `/post` as its script says. */
class ScriptedBuyer extends TestBuyer {
  script: Script = {};

  constructor() {
    super();
    this.handler = (req, res) => {
      const answer = (status: number, body: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      };
      if (req.url.startsWith('/ping')) {
        if (this.script.silent) return; // never answers: the sale must not wait past its time-out
        return answer(200, this.script.bid === undefined ? { accepted: false } : { accepted: true, bid: this.script.bid, token: this.script.token });
      }
      const post = this.script.post?.(req) ?? { body: { result: 'success' } };
      answer(post.status ?? 200, post.body);
    };
  }

  pings = () => this.received.filter((r) => r.url.startsWith('/ping'));
  posts = () => this.received.filter((r) => r.url.startsWith('/post'));
}

interface ApiAttempt {
  at: string;
  durationMs: number;
  outcome: string;
  reason: string | null;
  error: string | null;
  price: number | null;
  reference: string | null;
  phase: 'ping' | 'post' | null;
  buyer: string | null;
  request: { headers: Record<string, string>; body?: string } | null;
}
interface ApiDispatch {
  id: string;
  delivery: string;
  status: string;
  reason: string | null;
  price: number | null;
  reference: string | null;
  buyer: string | null;
  attemptCount: number;
  attempts: ApiAttempt[];
}

/**
 * Ping-post sales against real buyer servers, PostgreSQL and Redis (docs/architecture.md ›
 * Ping-post): bids ranked, the minimum, the silent buyer's time-out, posts down the bids, buyers'
 * own contracts deciding who is pinged, and a sale retried as a new sale with stable keys.
 */
describe('ping-post: selling one lead', () => {
  const names = ['acme', 'beta', 'gamma', 'delta', 'eps'] as const;
  const buyers = Object.fromEntries(names.map((n) => [n, new ScriptedBuyer()])) as Record<(typeof names)[number], ScriptedBuyer>;
  const controls = { texas: new ScriptedBuyer(), capped: new ScriptedBuyer(), open: new ScriptedBuyer() };
  const flaky = new ScriptedBuyer();
  let server: TestServer;
  let browser: Browser | undefined;
  /** The first test's lead, sold to gamma, for the console's sale card. */
  let soldLead: string;

  const submit = async (campaign: string, lead: Record<string, unknown>): Promise<string> => {
    const res = await fetch(`${server.url}/v1/campaigns/${campaign}/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify(lead),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  /** The lead's one dispatch, from the admin API, once it is final. */
  const finalDispatch = (leadId: string): Promise<ApiDispatch> =>
    eventually<ApiDispatch | undefined>(
      async () => {
        const res = await fetch(`${server.url}/v1/leads/${leadId}`, { headers: server.admin });
        const lead = (await res.json()) as { dispatches: ApiDispatch[] };
        const d = lead.dispatches[0];
        return d && d.status !== 'pending' ? d : undefined;
      },
      30_000,
      `lead ${leadId} sold or not`,
    ) as Promise<ApiDispatch>;

  const setScripts = (scripts: Partial<Record<(typeof names)[number], Script>>) => {
    for (const n of names) {
      buyers[n].script = scripts[n] ?? {};
      buyers[n].received.length = 0;
    }
  };

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { CAMPAIGNS_DIR: 'test/campaigns-ping-post' };
    for (const n of names) {
      const url = await buyers[n].start();
      env[`PP_${n.toUpperCase()}_PING`] = `${url}/ping`;
      env[`PP_${n.toUpperCase()}_POST`] = `${url}/post`;
    }
    for (const [n, b] of Object.entries(controls)) {
      const url = await b.start();
      env[`PC_${n.toUpperCase()}_PING`] = `${url}/ping`;
      env[`PC_${n.toUpperCase()}_POST`] = `${url}/post`;
    }
    const flakyUrl = await flaky.start();
    env.PR_FLAKY_PING = `${flakyUrl}/ping`;
    env.PR_FLAKY_POST = `${flakyUrl}/post`;
    server = await startTestServer('ping_post', env);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([...Object.values(buyers), ...Object.values(controls), flaky].map((b) => b.stop()));
  });

  it('posts to the first declared 12-bidder with its token; the 4-bid is ignored and the silent buyer only costs its time-out', async () => {
    setScripts({
      acme: { bid: 4, token: 'tok-acme' },
      beta: { bid: 7, token: 'tok-beta' },
      gamma: { bid: 12, token: 'tok-gamma' },
      delta: { bid: 12, token: 'tok-delta' },
      eps: { silent: true },
    });
    const leadId = await submit('ping-post', { zip: '78701', state: 'TX', email: 'ana@example.com' });
    soldLead = leadId;
    const d = await finalDispatch(leadId);

    expect(d).toMatchObject({ delivery: 'auction', status: 'delivered', buyer: 'gamma', price: 12, reference: 'tok-gamma', attemptCount: 1 });
    // Every buyer was pinged once, with the ping fields only.
    for (const n of names) expect(buyers[n].pings()).toHaveLength(1);
    for (const n of names) expect(JSON.parse(buyers[n].pings()[0].body)).toEqual({ zip: '78701', state: 'TX' });
    // One post, to gamma, with its token; nobody else was posted to.
    expect(buyers.gamma.posts()).toHaveLength(1);
    expect(JSON.parse(buyers.gamma.posts()[0].body)).toEqual({ token: 'tok-gamma', price: 12, email: 'ana@example.com' });
    for (const n of ['acme', 'beta', 'delta', 'eps'] as const) expect(buyers[n].posts()).toHaveLength(0);

    // The sale's attempts: 5 pings and 1 post, each with its phase and buyer.
    const pings = d.attempts.filter((a) => a.phase === 'ping');
    const posts = d.attempts.filter((a) => a.phase === 'post');
    expect(pings.map((a) => a.buyer).sort()).toEqual([...names].sort());
    expect(posts.map((a) => a.buyer)).toEqual(['gamma']);
    expect(d.attempts).toHaveLength(6);
    const silent = pings.find((a) => a.buyer === 'eps')!;
    expect(silent).toMatchObject({ outcome: 'retry', response: null });
    expect(silent.error).toMatch(/^timeout: no complete response within 1500 ms/);
    expect(pings.find((a) => a.buyer === 'acme')).toMatchObject({ outcome: 'delivered', price: 4, reference: 'tok-acme' });
    // The post went out once the round ended, which the silent buyer's time-out ended: not later.
    const roundEnd = Math.max(...pings.map((a) => Date.parse(a.at) + a.durationMs));
    const postAt = Date.parse(posts[0].at);
    expect(postAt).toBeGreaterThanOrEqual(Date.parse(silent.at) + silent.durationMs - 5);
    expect(roundEnd).toBe(Date.parse(silent.at) + silent.durationMs);
    // The post's key is stable per dispatch and buyer, and differs from its ping's.
    expect(posts[0].request!.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(posts[0].request!.headers['idempotency-key']).not.toBe(pings.find((a) => a.buyer === 'gamma')!.request!.headers['idempotency-key']);
    // Recorded for the report: how long the round took against the time-out.
    process.stdout.write(`ping round: ${roundEnd - Math.min(...pings.map((a) => Date.parse(a.at)))} ms (pingTimeoutMs 1500), post ${postAt - roundEnd} ms after it\n`);
  });

  it('shows the sale on the console’s lead page as one card: the bid table and the winner, each attempt headed with its phase and buyer', async () => {
    browser = await launchChromium();
    const { context, page } = await freshPage(browser, server.url);
    try {
      await signInAs(page);
      await page.goto(`/console/leads/${soldLead}`);
      const card = page.locator('.card', { has: page.locator('h2', { hasText: /^auction / }) });
      await expect(card.locator('h3', { hasText: 'Sale' }).textContent()).resolves.toBe('Sale: sold to gamma for 12');
      const rows = await card.locator('table.bids tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
      expect(rows).toEqual([
        ['acme', 'delivered', '4', 'tok-acme', '—'],
        ['beta', 'delivered', '7', 'tok-beta', '—'],
        ['gamma winner', 'delivered', '12', 'tok-gamma', 'delivered'],
        ['delta', 'delivered', '12', 'tok-delta', '—'],
        ['eps', 'timeout: no complete response within 1500 ms', '—', '—', '—'],
      ]);
      const headings = await card.locator('h3.attempt').allTextContents();
      expect(headings.filter((h) => / · Ping to /.test(h))).toHaveLength(5);
      expect(headings.filter((h) => / · Post to gamma · /.test(h))).toHaveLength(1);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, 'ping-post-sale.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("lists a sale's buyers on the console's campaign page, each with its contract and state, and pauses one with its button", async () => {
    browser ??= await launchChromium();
    const { context, page } = await freshPage(browser, server.url);
    try {
      await signInAs(page);
      await page.goto('/console/campaigns/pp-controls');
      const rows = page.locator('table.contracts tr.buyer');
      await expect(rows.locator('td:first-child').allTextContents()).resolves.toEqual(['auction › buyer texas', 'auction › buyer capped', 'auction › buyer open']);
      await expect(rows.nth(1).locator('td').nth(1).textContent()).resolves.toMatch(/1\/day/);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.getByRole('button', { name: 'Pause buyer open' }).click();
      await page.waitForURL('**/console/campaigns/pp-controls?notice=*');
      await expect(page.locator('.notice').textContent()).resolves.toBe('Buyer open of auction is paused: it is not pinged, and its sales go on with the other buyers.');
      const api = await fetch(`${server.url}/v1/campaigns/pp-controls`, { headers: server.admin }).then((r) => r.json());
      expect(api.deliveries[0].buyers.find((b: { buyer: string }) => b.buyer === 'open').paused).toBe(true);
      await page.getByRole('button', { name: 'Resume buyer open' }).click();
      await page.waitForURL('**/console/campaigns/pp-controls?notice=*');
      const back = await fetch(`${server.url}/v1/campaigns/pp-controls`, { headers: server.admin }).then((r) => r.json());
      expect(back.deliveries[0].buyers.find((b: { buyer: string }) => b.buyer === 'open').paused).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('posts down the bids when the winner rejects: the other 12-bidder, then the 7; all rejecting, the dispatch is rejected with every buyer’s reason', async () => {
    const refuse = () => ({ body: { result: 'failure', error: 'no capacity' } });
    setScripts({
      acme: { bid: 4, token: 'tok-acme' },
      beta: { bid: 7, token: 'tok-beta' },
      gamma: { bid: 12, token: 'tok-gamma', post: refuse },
      delta: { bid: 12, token: 'tok-delta' },
      eps: { silent: true },
    });
    const first = await finalDispatch(await submit('ping-post', { zip: '78701', state: 'TX', email: 'bo@example.com' }));
    expect(first).toMatchObject({ status: 'delivered', buyer: 'delta', price: 12, reference: 'tok-delta' });
    expect(first.attempts.filter((a) => a.phase === 'post').map((a) => [a.buyer, a.outcome])).toEqual([
      ['gamma', 'rejected'],
      ['delta', 'delivered'],
    ]);
    expect(JSON.parse(buyers.delta.posts()[0].body).token).toBe('tok-delta');

    setScripts({
      acme: { bid: 4, token: 'tok-acme' },
      beta: { bid: 7, token: 'tok-beta', post: refuse },
      gamma: { bid: 12, token: 'tok-gamma', post: refuse },
      delta: { bid: 12, token: 'tok-delta', post: refuse },
      eps: {},
    });
    const second = await finalDispatch(await submit('ping-post', { zip: '78701', state: 'TX', email: 'cy@example.com' }));
    expect(second).toMatchObject({ status: 'rejected', buyer: null, price: null });
    expect(second.attempts.filter((a) => a.phase === 'post').map((a) => a.buyer)).toEqual(['gamma', 'delta', 'beta']);
    expect(second.reason).toBe(
      [
        'acme: below minimum (4 < 5)',
        'beta: bid 7, post rejected: no capacity',
        'gamma: bid 12, post rejected: no capacity',
        'delta: bid 12, post rejected: no capacity',
        'eps: no bid',
      ].join('; '),
    );
    expect(buyers.acme.posts()).toHaveLength(0);
  });

  it('does not ping a buyer whose criteria fail or whose cap is full, and says why', async () => {
    for (const b of Object.values(controls)) b.script = { bid: 10, token: 'tok' };
    controls.open.script = { bid: 6, token: 'tok-open' };
    const first = await finalDispatch(await submit('pp-controls', { zip: '90001', state: 'CA', email: 'di@example.com' }));
    // Texas only: a Californian lead never reaches its server.
    expect(controls.texas.received).toHaveLength(0);
    expect(first).toMatchObject({ status: 'delivered', buyer: 'capped', price: 10 });
    expect(JSON.parse(controls.capped.pings()[0].body)).toEqual({ zip: '90001' });

    controls.capped.received.length = 0;
    controls.open.received.length = 0;
    const second = await finalDispatch(await submit('pp-controls', { zip: '90001', state: 'CA', email: 'ed@example.com' }));
    // Its one lead a day is taken: not pinged either.
    expect(controls.capped.received).toHaveLength(0);
    expect(controls.texas.received).toHaveLength(0);
    expect(second).toMatchObject({ status: 'delivered', buyer: 'open', price: 6 });
    expect(second.attempts.map((a) => [a.phase, a.buyer])).toEqual([
      ['ping', 'open'],
      ['post', 'open'],
    ]);

    controls.open.script = { bid: 6, token: 'tok-open', post: () => ({ body: { result: 'failure', error: 'closed' } }) };
    const third = await finalDispatch(await submit('pp-controls', { zip: '90001', state: 'CA', email: 'fa@example.com' }));
    expect(third.status).toBe('rejected');
    expect(third.reason).toBe('texas: not eligible: criteria; capped: not eligible: cap 1/day reached; open: bid 6, post rejected: closed');
    // The cap counts the one lead capped took; the rejected post gave its slot back.
    const usage = await sql(server.databaseUrl, `select delivery_id, used from cap_usage where campaign_id = 'pp-controls' order by delivery_id`);
    expect(usage).toEqual([{ delivery_id: 'auction/capped', used: 1 }]);
  });

  it("shows each buyer's own contract state in GET /v1/campaigns/{id}, and pauses one buyer by its id <sale>/<buyer>", async () => {
    const campaign = await fetch(`${server.url}/v1/campaigns/pp-controls`, { headers: server.admin }).then((r) => r.json());
    const sale = campaign.deliveries.find((d: { id: string }) => d.id === 'auction');
    expect(sale.buyers.map((b: { id: string; buyer: string }) => [b.id, b.buyer])).toEqual([
      ['auction/texas', 'texas'],
      ['auction/capped', 'capped'],
      ['auction/open', 'open'],
    ]);
    const capped = sale.buyers.find((b: { buyer: string }) => b.buyer === 'capped');
    expect(capped).toMatchObject({ paused: false, caps: [{ max: 1, per: 'day', used: 1 }], inFlight: 0, held: 0, breaker: { state: 'closed' } });

    const pause = await fetch(`${server.url}/v1/campaigns/pp-controls/deliveries/${encodeURIComponent('auction/open')}/pause`, { method: 'POST', headers: server.admin });
    expect(await pause.json()).toEqual({ campaign: 'pp-controls', delivery: 'auction/open', paused: true });
    controls.open.received.length = 0;
    controls.open.script = { bid: 6, token: 'tok-open' };
    const held = await finalDispatch(await submit('pp-controls', { zip: '90001', state: 'CA', email: 'go@example.com' }));
    expect(controls.open.received).toHaveLength(0);
    expect(held.reason).toMatch(/open: not eligible: paused/);
    const after = await fetch(`${server.url}/v1/campaigns/pp-controls`, { headers: server.admin }).then((r) => r.json());
    expect(after.deliveries.find((d: { id: string }) => d.id === 'auction').buyers.find((b: { buyer: string }) => b.buyer === 'open').paused).toBe(true);
    await fetch(`${server.url}/v1/campaigns/pp-controls/deliveries/${encodeURIComponent('auction/open')}/resume`, { method: 'POST', headers: server.admin });
    const sold = await finalDispatch(await submit('pp-controls', { zip: '90001', state: 'CA', email: 'hu@example.com' }));
    expect(sold).toMatchObject({ status: 'delivered', buyer: 'open' });
  });

  it('retries a sale whose posts all failed for transient reasons as a new sale; the post to the same buyer keeps its Idempotency-Key', async () => {
    flaky.script = { bid: 3, token: 'tok-flaky', post: () => ({ status: 503, body: { error: 'busy' } }) };
    const d = await finalDispatch(await submit('pp-retry', { zip: '10001', email: 'gu@example.com' }));
    expect(d.status).toBe('failed');
    expect(d.attemptCount).toBe(2);
    expect(d.reason).toMatch(/^gave up after 2 attempt\(s\): flaky: bid 3, post failed: /);
    // Each sale pinged again, then posted.
    expect(flaky.pings()).toHaveLength(2);
    expect(flaky.posts()).toHaveLength(2);
    expect(d.attempts.map((a) => a.phase)).toEqual(['ping', 'post', 'ping', 'post']);
    const keys = flaky.posts().map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBeDefined();
    expect(keys[1]).toBe(keys[0]);
    expect(flaky.pings()[1].headers['idempotency-key']).not.toBe(keys[0]);
  });
});
