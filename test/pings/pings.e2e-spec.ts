import { Clock } from '@leadrelay/campaigns';
import { TestBuyer } from '../support/test-buyer';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';
import { Sweeper } from '../../apps/server/src/engine/sweeper';

const KEY = 'ping-key';
const RATE = 8;

/** A buyer that bids `bid` with `token` on each ping (none when `bid` is undefined) and takes every post. */
class BiddingBuyer extends TestBuyer {
  bid?: number;
  token?: string;

  constructor() {
    super();
    this.handler = (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (!req.url.startsWith('/ping')) return res.end('{"result":"success"}');
      res.end(JSON.stringify(this.bid === undefined ? { accepted: false } : { accepted: true, bid: this.bid, token: this.token }));
    };
  }

  set(bid: number | undefined, token?: string): void {
    this.bid = bid;
    this.token = token;
    this.received.length = 0;
  }

  count = (phase: 'ping' | 'post') => this.received.filter((r) => r.url.startsWith(`/${phase}`)).length;
}

interface PingAnswer {
  accepted: boolean;
  pingId: string;
  price: number | null;
  expiresAt: string;
  reasons?: { delivery: string; reason: string }[];
}

interface SoldDispatch {
  status: string;
  buyer: string | null;
  price: number | null;
  reference: string | null;
  attempts: { phase: string | null; buyer: string | null }[];
}

/**
 * Inbound pings against real buyer servers, PostgreSQL and Redis (docs/api.md › Pings): the price
 * (best bid less the margin, both kinds), the post with its pingId sold to the bidder with its
 * token and no second ping, the refusals (unknown, expired, used, not accepted, other values,
 * another campaign's) with nothing stored, no personal data in `ping`, and the rate limit.
 */
describe('pings: sources that ping before they post', () => {
  const buyers = { acme: new BiddingBuyer(), beta: new BiddingBuyer(), gamma: new BiddingBuyer(), solo: new BiddingBuyer() };
  const plain = new TestBuyer();
  let server: TestServer;

  const call = async (path: string, body: Record<string, unknown>, key = KEY) =>
    fetch(`${server.url}/v1/campaigns/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
  const ping = async (campaign: string, values: Record<string, unknown>, key = KEY): Promise<PingAnswer> => {
    const res = await call(`${campaign}/pings`, values, key);
    expect(res.status).toBe(200);
    return (await res.json()) as PingAnswer;
  };
  const leadCount = async () => Number((await sql<{ n: string }>(server.databaseUrl, 'select count(*) as n from lead'))[0].n);
  /** A post the ping does not allow: 409 `ping_refused` naming why, and no lead stored. */
  const refusedPost = async (campaign: string, body: Record<string, unknown>, why: RegExp) => {
    const before = await leadCount();
    const res = await call(`${campaign}/leads`, body);
    const answer = (await res.json()) as { error: string; message: string };
    expect({ status: res.status, error: answer.error }).toEqual({ status: 409, error: 'ping_refused' });
    expect(answer.message).toMatch(why);
    expect(await leadCount()).toBe(before);
  };
  const finalDispatch = async (leadId: string): Promise<SoldDispatch> =>
    (await eventually<SoldDispatch | undefined>(
      async () => {
        const res = await fetch(`${server.url}/v1/leads/${leadId}`, { headers: server.admin });
        const d = ((await res.json()) as { dispatches: SoldDispatch[] }).dispatches[0];
        return d && d.status !== 'pending' ? d : undefined;
      },
      20_000,
      `lead ${leadId} sold`,
    ))!;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { CAMPAIGNS_DIR: 'test/campaigns-pings', PING_RATE_PER_MINUTE: String(RATE) };
    for (const [id, b] of Object.entries(buyers)) {
      const url = await b.start();
      const prefix = id === 'solo' ? 'PF' : 'PI';
      env[`${prefix}_${id.toUpperCase()}_PING`] = `${url}/ping`;
      env[`${prefix}_${id.toUpperCase()}_POST`] = `${url}/post`;
    }
    env.PLAIN_BUYER_URL = await plain.start();
    server = await startTestServer('pings', env);
  });

  afterAll(async () => {
    await server?.stop();
    await Promise.all([...Object.values(buyers), plain].map((b) => b.stop()));
  });

  it('quotes the best bid less 25 %; the post with its pingId goes to that bidder with its token, and no buyer is pinged again', async () => {
    buyers.acme.set(4, 'tok-acme'); // below minBid 5
    buyers.beta.set(12, 'tok-beta');
    buyers.gamma.set(9, 'tok-gamma');
    const before = Date.now();
    const answer = await ping('pings', { zip: '78701', state: 'TX' });
    expect(answer).toEqual({ accepted: true, pingId: expect.any(String), price: 9, expiresAt: expect.any(String) });
    // pingTtlMs defaults to 60 s.
    expect(Date.parse(answer.expiresAt) - before).toBeGreaterThanOrEqual(59_000);
    expect(Date.parse(answer.expiresAt) - before).toBeLessThanOrEqual(61_000);
    for (const b of [buyers.acme, buyers.beta, buyers.gamma]) expect(b.count('ping')).toBe(1);
    expect(JSON.parse(buyers.beta.received[0].body)).toEqual({ zip: '78701', state: 'TX' });

    const res = await call('pings/leads', { zip: '78701', state: 'TX', email: 'ana@example.com', pingId: answer.pingId });
    expect(res.status).toBe(201);
    const leadId = ((await res.json()) as { id: string }).id;
    const d = await finalDispatch(leadId);
    expect(d).toMatchObject({ status: 'delivered', buyer: 'beta', price: 12, reference: 'tok-beta' });
    // The ping's bids were posted to: one post, to beta, with its token; no second ping to anyone.
    expect(JSON.parse(buyers.beta.received.find((r) => r.url.startsWith('/post'))!.body)).toEqual({ token: 'tok-beta', price: 12, email: 'ana@example.com' });
    expect([buyers.acme, buyers.beta, buyers.gamma].map((b) => [b.count('ping'), b.count('post')])).toEqual([
      [1, 0],
      [1, 1],
      [1, 0],
    ]);
    // The dispatch's attempts are its post only: the pings were the inbound ping's.
    expect(d.attempts.map((a) => [a.phase, a.buyer])).toEqual([['post', 'beta']]);
    // pingId is no value of the lead's, nor kept in its raw submission; the ping names its lead.
    const [lead] = await sql(server.databaseUrl, 'select data, raw from lead where id = $1', [leadId]);
    expect(lead.data).toEqual({ zip: '78701', state: 'TX', email: 'ana@example.com' });
    expect(lead.raw).toEqual({ zip: '78701', state: 'TX', email: 'ana@example.com' });
    expect(await sql(server.databaseUrl, 'select lead_id, accepted, price from ping where id = $1', [answer.pingId])).toEqual([{ lead_id: leadId, accepted: true, price: '9.00' }]);

    // Used once: a second post with it is refused, and nothing is stored.
    await refusedPost('pings', { zip: '78701', state: 'TX', email: 'bo@example.com', pingId: answer.pingId }, new RegExp(`ping ${answer.pingId} was already used by lead ${leadId}`));
  });

  it('quotes the best bid less a fixed 2.5, and takes the post as a form with pingId', async () => {
    buyers.solo.set(10, 'tok-solo');
    const answer = await ping('pings-fixed', { zip: '73301' });
    expect(answer).toMatchObject({ accepted: true, price: 7.5 });
    const res = await fetch(`${server.url}/v1/campaigns/pings-fixed/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': KEY },
      body: new URLSearchParams({ zip: '73301', email: 'cy@example.com', pingId: answer.pingId }).toString(),
    });
    expect(res.status).toBe(201);
    const d = await finalDispatch(((await res.json()) as { id: string }).id);
    expect(d).toMatchObject({ status: 'delivered', buyer: 'solo', price: 10, reference: 'tok-solo' });
    expect([buyers.solo.count('ping'), buyers.solo.count('post')]).toEqual([1, 1]);
  });

  it('refuses a post with an unknown, another campaign’s, or other-valued ping with 409, storing nothing', async () => {
    buyers.solo.set(10, 'tok-solo');
    buyers.beta.set(12, 'tok-beta');
    const lead = { zip: '78701', state: 'TX', email: 'di@example.com' };
    await refusedPost('pings', { ...lead, pingId: '00000000-0000-4000-8000-000000000000' }, /^unknown ping 00000000-0000-4000-8000-000000000000; nothing was stored\.$/);
    await refusedPost('pings', { ...lead, pingId: 'not-a-ping' }, /^unknown ping "not-a-ping"/);
    const other = await ping('pings-fixed', { zip: '78701' });
    await refusedPost('pings', { ...lead, pingId: other.pingId }, /is another campaign's/);
    const pinged = await ping('pings', { zip: '78701', state: 'TX' });
    await refusedPost('pings', { ...lead, zip: '73301', pingId: pinged.pingId }, /the lead's values differ from ping .*'s \(it carried zip, state\)/);
  });

  it('refuses a post after its ping expired (pingTtlMs 5 s, the clock moved on) with 409, storing nothing', async () => {
    buyers.solo.set(10, 'tok-solo');
    const answer = await ping('pings-fixed', { zip: '73301' });
    expect(answer.accepted).toBe(true);
    server.app.get(Clock).advance(6_000);
    await refusedPost('pings-fixed', { zip: '73301', email: 'ed@example.com', pingId: answer.pingId }, /expired at /);
  });

  it('pings afresh when the sale runs after the ping expired (the delivery paused past pingTtlMs)', async () => {
    buyers.solo.set(10, 'tok-first');
    const answer = await ping('pings-fixed', { zip: '73301' });
    const admin = (action: string) => fetch(`${server.url}/v1/campaigns/pings-fixed/deliveries/auction/${action}`, { method: 'POST', headers: server.admin });
    expect((await admin('pause')).status).toBe(200);
    const res = await call('pings-fixed/leads', { zip: '73301', email: 'ji@example.com', pingId: answer.pingId });
    expect(res.status).toBe(201);
    buyers.solo.token = 'tok-second';
    server.app.get(Clock).advance(6_000);
    expect((await admin('resume')).status).toBe(200);
    const d = await finalDispatch(((await res.json()) as { id: string }).id);
    // A new round: solo pinged twice in all (the ping's, the sale's), posted the new token.
    expect(d).toMatchObject({ status: 'delivered', buyer: 'solo', reference: 'tok-second' });
    expect(d.attempts.map((a) => [a.phase, a.buyer])).toEqual([
      ['ping', 'solo'],
      ['post', 'solo'],
    ]);
    expect([buyers.solo.count('ping'), buyers.solo.count('post')]).toEqual([2, 1]);
  });

  it('answers accepted: false with every buyer’s reason when none bids, and refuses its post', async () => {
    buyers.acme.set(4, 'tok-acme');
    buyers.beta.set(undefined);
    buyers.gamma.set(undefined);
    const answer = await ping('pings', { zip: '78701', state: 'TX' });
    expect(answer).toEqual({
      accepted: false,
      pingId: expect.any(String),
      price: null,
      expiresAt: expect.any(String),
      reasons: [{ delivery: 'auction', reason: 'acme: below minimum (4 < 5); beta: no bid; gamma: no bid' }],
    });
    await refusedPost('pings', { zip: '78701', state: 'TX', email: 'fa@example.com', pingId: answer.pingId }, /was not accepted/);
  });

  it('without a sale: accepted when the delivery’s criteria and dedupe would let the lead through, price null; only the fields sent are checked', async () => {
    expect(await ping('pings-plain', { state: 'TX' })).toEqual({ accepted: true, pingId: expect.any(String), price: null, expiresAt: expect.any(String) });
    expect(await ping('pings-plain', { state: 'CA' })).toMatchObject({ accepted: false, price: null, reasons: [{ delivery: 'crm', reason: 'criteria' }] });
    // A criterion on a field the ping left out sees it missing, as it would on the lead.
    expect(await ping('pings-plain', { email: 'gi@example.com' })).toMatchObject({ accepted: false, reasons: [{ delivery: 'crm', reason: 'criteria' }] });
    const res = await call('pings-plain/leads', { state: 'TX', email: 'gi@example.com' });
    expect(res.status).toBe(201);
    const leadId = ((await res.json()) as { id: string }).id;
    expect(await ping('pings-plain', { state: 'TX', email: 'GI@example.com' })).toMatchObject({ accepted: false, reasons: [{ delivery: 'crm', reason: `duplicate of lead ${leadId}` }] });
    const bad = await call('pings-plain/pings', { state: 'ZZ' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['state']);
  });

  it('keeps no personal data of a ping: its row holds neither the email nor any value it carried', async () => {
    buyers.beta.set(12, 'tok-beta');
    const answer = await ping('pings', { zip: '78701', state: 'TX', email: 'hidden.person@example.com' });
    expect(answer.accepted).toBe(true);
    const [row] = await sql<{ text: string }>(server.databaseUrl, 'select row_to_json(p)::text as text from ping p where id = $1', [answer.pingId]);
    expect(row.text).toContain('tok-beta'); // the row is the ping's, with its bids
    for (const value of ['hidden.person', 'example.com', '78701', '"TX"']) expect(row.text).not.toContain(value);
    // The post is held to the ping fields only: the email is not even hashed.
    expect(await sql(server.databaseUrl, 'select fields from ping where id = $1', [answer.pingId])).toEqual([{ fields: ['zip', 'state'] }]);
  });

  it('forgets a ping an hour after it expired: the sweeper deletes its record', async () => {
    const answer = await ping('pings-plain', { state: 'TX' });
    const kept = await ping('pings-plain', { state: 'TX' });
    await sql(server.databaseUrl, "update ping set expires_at = now() - interval '61 minutes' where id = $1", [answer.pingId]);
    expect(await server.app.get(Sweeper).sweep()).toMatchObject({ ran: true, pings: 1 });
    expect(await sql(server.databaseUrl, 'select id from ping where id = any($1::uuid[])', [[answer.pingId, kept.pingId]])).toEqual([{ id: kept.pingId }]);
  });

  it('limits pings per source: past PING_RATE_PER_MINUTE in a minute, 429 with Retry-After', async () => {
    // The limit counts per clock minute: start well inside one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    for (let i = 0; i < RATE; i++) await ping('pings-plain', { state: 'TX' }, 'rate-key');
    const res = await call('pings-plain/pings', { state: 'TX' }, 'rate-key');
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: 'rate_limited' });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another source (the other intake key) is counted apart.
    expect((await ping('pings-plain', { state: 'TX' })).accepted).toBe(true);
  });
});
