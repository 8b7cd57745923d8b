import { Clock } from '@leadrelay/campaigns';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { Sweeper } from '../../apps/server/src/engine/sweeper';
import { TestBuyer, type ReceivedRequest } from '../support/test-buyer';
import { ADMIN_TOKEN, dropDatabase, eventually, sql, testEnv } from '../support/test-server';

const KEY = 'contracts-key';

interface Answer {
  id: string;
  dispatches: { id: string; delivery: string; status: string; reason?: string }[];
}

async function submit(server: StartedServer, campaign: string, lead: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${server.url}/v1/campaigns/${campaign}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(lead),
  });
  expect(res.status).toBe(201);
  return res.json();
}

async function dispatches(databaseUrl: string, campaign: string) {
  return sql<{ id: string; lead_id: string; delivery_id: string; status: string; reason: string | null; held_by: string | null; next_attempt_at: Date | null; created_at: Date }>(
    databaseUrl,
    'select id, lead_id, delivery_id, status, reason, held_by, next_attempt_at, created_at from dispatch where campaign_id = $1 order by created_at, id',
    [campaign],
  );
}

async function countBy(databaseUrl: string, campaign: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }>(databaseUrl, 'select status, count(*)::int as n from dispatch where campaign_id = $1 group by status', [campaign]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The dispatch ids the buyer received (the plugin sends each as its idempotency key), in order of arrival. */
const keysOf = (received: ReceivedRequest[]) => received.map((r) => String(r.headers['idempotency-key']));

/** Moves every server's clock to `at` (they share one database, so they must agree). */
function setClock(servers: StartedServer[], at: Date): void {
  for (const s of servers) {
    const clock = s.app.get(Clock);
    clock.advance(at.getTime() - clock.now().getTime());
  }
}

/**
 * Buyer contracts against real PostgreSQL, Redis and buyer servers (docs/contracts.md): criteria
 * and duplicates decided at intake, caps exact across two instances, delivery hours through a
 * daylight-saving change, pacing, isolation of a dead buyer with the breaker, pause and resume.
 */
describe('buyer contracts', () => {
  const buyer = new TestBuyer();
  const dead = new TestBuyer();
  let env: NodeJS.ProcessEnv;
  let a: StartedServer;
  let b: StartedServer;

  beforeAll(async () => {
    env = testEnv('contracts', {
      CAMPAIGNS_DIR: 'test/campaigns-contracts',
      TEST_BUYER_URL: `${await buyer.start()}/leads`,
      DEAD_BUYER_URL: `${await dead.start()}/leads`,
      CONTRACT_RECHECK_MS: '250',
      CONTRACT_PARK_MS: '2000',
    });
    a = await startServer(env);
    b = await startServer(env);
  });
  afterEach(() => {
    buyer.received.length = 0;
    dead.received.length = 0;
    buyer.handler = (_req, res) => res.end('ok');
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await buyer.stop();
    await dead.stop();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('skips leads that fail the criteria, with the reason, and never sends them', async () => {
    const texan = await submit(a, 'criteria-test', { email: 'tex@example.com', state: 'TX', birth_date: '1990-05-01', homeowner: 'no' });
    const californian = await submit(a, 'criteria-test', { email: 'cal@example.com', state: 'CA', birth_date: '1990-05-01', homeowner: 'yes' });
    const minor = await submit(a, 'criteria-test', { email: 'kid@example.com', state: 'OK', birth_date: '2015-01-01', homeowner: 'yes' });
    const by = (answer: Answer, delivery: string) => answer.dispatches.find((d) => d.delivery === delivery)!;
    // Intake's own answer already says which were skipped, and why.
    expect(by(texan, 'tx-adults').status).toBe('pending');
    expect(by(texan, 'owners')).toMatchObject({ status: 'skipped', reason: 'not a homeowner' });
    expect(by(californian, 'tx-adults')).toMatchObject({ status: 'skipped', reason: 'criteria' });
    expect(by(minor, 'tx-adults')).toMatchObject({ status: 'skipped', reason: 'criteria' });
    const sent = [by(texan, 'tx-adults').id, by(californian, 'owners').id, by(minor, 'owners').id];
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'criteria-test')).delivered === 3, 20_000, 'three delivered');
    expect(keysOf(buyer.received).sort()).toEqual([...sent].sort());
    expect(await countBy(env.DATABASE_URL!, 'criteria-test')).toEqual({ delivered: 3, skipped: 3 });
    // The admin API and the export's status filter know the status.
    const res = await fetch(`${a.url}/v1/campaigns/criteria-test/leads?status=skipped&delivery=tx-adults`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect((await res.json()).items.map((l: { id: string }) => l.id).sort()).toEqual([californian.id, minor.id].sort());
  });

  it('never passes a cap: 200 concurrent leads over two instances, cap 50/day → exactly 50 sent, 150 skipped', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => submit(i % 2 ? a : b, 'cap-skip', { email: `cap-${i}@example.com` })));
    await eventually(async () => (await dispatches(env.DATABASE_URL!, 'cap-skip')).every((d) => d.status !== 'pending'), 30_000, 'all 200 final');
    expect(await countBy(env.DATABASE_URL!, 'cap-skip')).toEqual({ delivered: 50, skipped: 150 });
    expect(buyer.received).toHaveLength(50);
    const skipped = (await dispatches(env.DATABASE_URL!, 'cap-skip')).filter((d) => d.status === 'skipped');
    expect(new Set(skipped.map((d) => d.reason))).toEqual(new Set(['cap 50/day reached']));
  });

  it('gives a rejected lead its cap slot back', async () => {
    // cap-skip's window is full from the test before; a fresh Chicago day for cap-hold instead.
    setClock([a, b], new Date('2027-02-10T12:00:00Z'));
    buyer.handler = (req, res) => {
      res.statusCode = req.body.includes('reject') ? 400 : 200;
      res.end(res.statusCode === 400 ? 'no thanks' : 'ok');
    };
    const first = await submit(a, 'cap-hold', { email: 'reject-me@example.com' });
    await eventually(async () => (await dispatches(env.DATABASE_URL!, 'cap-hold')).find((d) => d.lead_id === first.id)?.status === 'rejected', 20_000, 'rejected');
    const [{ used }] = await sql<{ used: number }>(env.DATABASE_URL!, `select used from cap_usage where campaign_id = 'cap-hold'`);
    expect(used).toBe(0);
  });

  it("holds leads past a cap with onCap 'hold' and sends them when the window rolls over (Chicago days)", async () => {
    // 10:00 in Chicago on 2027-02-11; the day ends at 06:00Z on the 12th.
    setClock([a, b], new Date('2027-02-11T16:00:00Z'));
    for (let i = 0; i < 8; i++) await submit(i % 2 ? a : b, 'cap-hold', { email: `hold-${i}@example.com` });
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'cap-hold')).delivered >= 5, 20_000, 'five delivered');
    await eventually(async () => (await dispatches(env.DATABASE_URL!, 'cap-hold')).filter((d) => d.held_by === 'cap').length === 3, 20_000, 'three held by the cap');
    const held = (await dispatches(env.DATABASE_URL!, 'cap-hold')).filter((d) => d.held_by === 'cap');
    expect(held.map((d) => [d.status, d.next_attempt_at?.toISOString()])).toEqual(Array(3).fill(['pending', '2027-02-12T06:00:00.000Z']));
    const api = await (await fetch(`${a.url}/v1/campaigns/cap-hold`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect(api.deliveries[0]).toMatchObject({ caps: [{ max: 5, per: 'day', timeZone: 'America/Chicago', used: 5 }], held: 3, paused: false });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(buyer.received).toHaveLength(5);

    setClock([a, b], new Date('2027-02-12T06:00:01Z'));
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'cap-hold')).delivered === 8, 20_000, 'the held three delivered the next day');
    expect(buyer.received).toHaveLength(8);
  });

  it('lets exactly one of 20 identical concurrent leads through, names it in the others, and lets one outside the window go', async () => {
    setClock([a, b], new Date('2027-03-01T12:00:00Z'));
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(i % 2 ? a : b, 'dedupe-test', { email: 'Same.Person@example.com' })));
    const first = answers.filter((x) => x.dispatches[0].status === 'pending');
    expect(first).toHaveLength(1);
    const others = answers.filter((x) => x !== first[0]);
    expect(new Set(others.map((x) => x.dispatches[0].reason))).toEqual(new Set([`duplicate of lead ${first[0].id}`]));
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'dedupe-test')).delivered === 1, 20_000, 'the first delivered');
    expect(keysOf(buyer.received)).toEqual([first[0].dispatches[0].id]);

    // 29 days on it is still a duplicate; 31 days on it goes through.
    setClock([a, b], new Date('2027-03-30T12:00:00Z'));
    expect((await submit(a, 'dedupe-test', { email: 'same.person@example.com' })).dispatches[0]).toMatchObject({ status: 'skipped', reason: `duplicate of lead ${first[0].id}` });
    setClock([a, b], new Date('2027-04-01T12:00:01Z'));
    expect((await submit(a, 'dedupe-test', { email: 'same.person@example.com' })).dispatches[0].status).toBe('pending');
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'dedupe-test')).delivered === 2, 20_000, 'the later one delivered');
  });

  it('skips only the delivery whose key is taken when a lead holds one key and not the other, and keeps nothing of the first try', async () => {
    setClock([a, b], new Date('2027-05-01T12:00:00Z'));
    const statuses = (x: Answer) => x.dispatches.map((d) => [d.delivery, d.status, d.reason ?? null]);
    const first = await submit(a, 'dedupe-pair', { email: 'pair@example.com', phone: '512-555-0101' });
    expect(statuses(first)).toEqual([['by-email', 'pending', null], ['by-phone', 'pending', null]]);
    // The email is taken, the phone is new: the quick statement claims the phone, finds the email
    // held and rolls back; the deciding one skips by-email and gives the phone key to this lead.
    const second = await submit(b, 'dedupe-pair', { email: 'Pair@Example.com', phone: '512-555-0102' });
    expect(statuses(second)).toEqual([['by-email', 'skipped', `duplicate of lead ${first.id}`], ['by-phone', 'pending', null]]);
    const third = await submit(a, 'dedupe-pair', { email: 'other@example.com', phone: '(512) 555-0102' });
    expect(statuses(third)).toEqual([['by-email', 'pending', null], ['by-phone', 'skipped', `duplicate of lead ${second.id}`]]);

    const ids = [first.id, second.id, third.id];
    const owners = await sql<{ lead_id: string; n: number }>(env.DATABASE_URL!, 'select lead_id, count(*)::int as n from dedupe_key where lead_id = any($1::uuid[]) group by lead_id', [ids]);
    expect(Object.fromEntries(owners.map((o) => [o.lead_id, o.n]))).toEqual({ [first.id]: 2, [second.id]: 1, [third.id]: 1 });
    expect(await sql(env.DATABASE_URL!, 'select count(*)::int as n from lead where campaign_id = $1', ['dedupe-pair'])).toEqual([{ n: 3 }]);
    expect((await dispatches(env.DATABASE_URL!, 'dedupe-pair')).map((d) => [d.lead_id, d.delivery_id, d.status])).toEqual(
      expect.arrayContaining([
        [second.id, 'by-email', 'skipped'],
        [second.id, 'by-phone', 'pending'],
        [third.id, 'by-phone', 'skipped'],
      ]),
    );
    expect(await dispatches(env.DATABASE_URL!, 'dedupe-pair')).toHaveLength(6);
  });

  it('forgets duplicate keys once their window has passed (the sweeper deletes them) and still suppresses the ones within it', async () => {
    const keyRows = async (leadId: string) => (await sql<{ n: number }>(env.DATABASE_URL!, 'select count(*)::int as n from dedupe_key where lead_id = $1', [leadId]))[0].n;
    setClock([a, b], new Date('2027-06-01T12:00:00Z'));
    const old = await submit(a, 'dedupe-pair', { email: 'gone@example.com', phone: '512-555-0201' });
    setClock([a, b], new Date('2027-06-21T12:00:00Z'));
    const recent = await submit(b, 'dedupe-pair', { email: 'kept@example.com', phone: '512-555-0202' });
    expect([await keyRows(old.id), await keyRows(recent.id)]).toEqual([2, 2]);

    // 31 days after the first lead, 11 after the second. A sweep already running (another
    // instance's) does nothing for this one, so ask until one has run at this time.
    setClock([a, b], new Date('2027-07-02T12:00:00Z'));
    await eventually(async () => (await a.app.get(Sweeper).sweep()).ran && (await keyRows(old.id)) === 0, 20_000, 'the expired keys deleted');
    expect(await keyRows(recent.id)).toBe(2);

    const statuses = (x: Answer) => x.dispatches.map((d) => [d.delivery, d.status, d.reason ?? null]);
    expect(statuses(await submit(a, 'dedupe-pair', { email: 'gone@example.com', phone: '512-555-0201' }))).toEqual([['by-email', 'pending', null], ['by-phone', 'pending', null]]);
    expect(statuses(await submit(b, 'dedupe-pair', { email: 'kept@example.com', phone: '512-555-0202' }))).toEqual([
      ['by-email', 'skipped', `duplicate of lead ${recent.id}`],
      ['by-phone', 'skipped', `duplicate of lead ${recent.id}`],
    ]);
  });

  it('holds leads outside delivery hours and sends them in arrival order at the opening, at local time across a DST change', async () => {
    // Saturday 7 March 2026, 10:00 in Chicago (CST); clocks go forward on Sunday the 8th, so
    // Monday's 08:00 opening is 13:00Z, not 14:00Z.
    setClock([a, b], new Date('2026-03-07T16:00:00Z'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(i % 2 ? a : b, 'hours-test', { email: `hours-${i}@example.com` })).dispatches[0].id);
    await eventually(async () => (await dispatches(env.DATABASE_URL!, 'hours-test')).every((d) => d.held_by === 'hours'), 20_000, 'all five held by hours');
    const held = await dispatches(env.DATABASE_URL!, 'hours-test');
    expect(new Set(held.map((d) => d.next_attempt_at?.toISOString()))).toEqual(new Set(['2026-03-09T13:00:00.000Z']));
    const api = await (await fetch(`${a.url}/v1/campaigns/hours-test`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect(api.deliveries[0]).toMatchObject({ nextOpening: '2026-03-09T13:00:00.000Z', held: 5 });
    await new Promise((r) => setTimeout(r, 800));
    expect(buyer.received).toHaveLength(0);

    setClock([a, b], new Date('2026-03-09T12:59:00Z'));
    await new Promise((r) => setTimeout(r, 800));
    expect(buyer.received).toHaveLength(0);
    setClock([a, b], new Date('2026-03-09T13:00:00Z'));
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'hours-test')).delivered === 5, 20_000, 'all five delivered at the opening');
    expect(keysOf(buyer.received)).toEqual(ids);
  });

  it('paces to 10 starts in any sliding second across two instances, and delivers all 100', async () => {
    setClock([a, b], new Date(Date.now()));
    // Leads arrive one after another, faster than the pace (about 100/s), as a lead source would
    // send them; the buyer, in this same process, timestamps each request when its body is in.
    for (let i = 0; i < 100; i++) await submit(i % 2 ? a : b, 'rate-test', { email: `rate-${i}@example.com` });
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'rate-test')).delivered === 100, 60_000, 'all 100 delivered');
    const starts = buyer.received.map((r) => r.at).sort((x, y) => x - y);
    expect(starts).toHaveLength(100);
    // Arrival at the buyer trails the start by the request's flight; allow those few ms.
    const slack = 20;
    let worst = 0;
    for (let i = 0; i < starts.length; i++) {
      let j = i;
      while (j < starts.length && starts[j] < starts[i] + 1_000 - slack) j++;
      worst = Math.max(worst, j - i);
    }
    if (worst > 10) console.log(starts.map((t) => t - starts[0]).join(' '));
    expect(worst).toBeLessThanOrEqual(10);
    // And the pacing is real, not a trickle: 100 at 10/s take about 9–10 s, not much more.
    expect(starts[99] - starts[0]).toBeGreaterThanOrEqual(8_900);
  }, 90_000);

  it('keeps a dead buyer from delaying a healthy one, opens its breaker, and delivers every held lead once it is back', async () => {
    setClock([a, b], new Date(Date.now()));
    // The dead buyer never answers: every try times out after 1 s.
    dead.handler = () => undefined;
    await Promise.all(Array.from({ length: 500 }, (_, i) => submit(i % 2 ? a : b, 'isolation-test', { email: `dead-${i}@example.com`, to: 'dead' })));
    // Meanwhile the healthy buyer's leads arrive at 20/s; time each from submit to receipt.
    const latencies: number[] = [];
    for (let i = 0; i < 60; i++) {
      const sentAt = Date.now();
      const answer = await submit(i % 2 ? a : b, 'isolation-test', { email: `healthy-${i}@example.com`, to: 'healthy' });
      const id = answer.dispatches.find((d) => d.delivery === 'healthy')!.id;
      void eventually(async () => keysOf(buyer.received).includes(id), 20_000, 'healthy lead received').then(() => latencies.push(buyer.received.find((r) => r.headers['idempotency-key'] === id)!.at - sentAt));
      await new Promise((r) => setTimeout(r, 50));
    }
    await eventually(async () => latencies.length === 60, 20_000, 'every healthy lead received');
    latencies.sort((x, y) => x - y);
    expect(latencies[Math.floor(0.99 * latencies.length)]).toBeLessThan(1_000);

    // 10 consecutive time-outs opened the breaker; the rest wait, held, with no try spent.
    await eventually(async () => {
      const api = await (await fetch(`${a.url}/v1/campaigns/isolation-test`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      return api.deliveries.find((d: { id: string }) => d.id === 'dead').breaker.state !== 'closed';
    }, 20_000, 'the breaker open');
    const tried = dead.received.length;
    expect(tried).toBeLessThan(500);

    // The buyer is back: the trial succeeds, the breaker closes, every lead is delivered.
    dead.handler = (_req, res) => res.end('ok');
    await eventually(async () => (await countBy(env.DATABASE_URL!, 'isolation-test')).delivered === 560, 90_000, 'all 560 delivered');
    const api = await (await fetch(`${a.url}/v1/campaigns/isolation-test`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    expect(api.deliveries.find((d: { id: string }) => d.id === 'dead').breaker).toMatchObject({ state: 'closed' });
  }, 150_000);

  it('limits a manual batch to what its cap leaves, oldest leads first; the rest wait for the next window', async () => {
    setClock([a, b], new Date('2027-05-03T12:00:00Z'));
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(a, 'cap-batch', { email: `batch-${i}@example.com` })).id);
    const deliver = async (server: StartedServer) =>
      (await (await fetch(`${server.url}/v1/campaigns/cap-batch/manual-deliveries`, { method: 'POST', headers: admin, body: '{}' })).json()) as { id: string; leadCount: number };
    const first = await deliver(a);
    expect(first.leadCount).toBe(3);
    const file = await (await fetch(`${a.url}/v1/batches/${first.id}/file`, { headers: admin })).text();
    expect(ids.filter((id) => file.includes(id))).toEqual(ids.slice(0, 3));
    // The cap has no room left: refused, naming it, and no batch is stored.
    const refused = await fetch(`${b.url}/v1/campaigns/cap-batch/manual-deliveries`, { method: 'POST', headers: admin, body: '{}' });
    expect([refused.status, await refused.json()]).toEqual([409, { error: 'nothing_pending', message: expect.stringContaining('cap 3/day reached') }]);
    expect(await sql(env.DATABASE_URL!, `select count(*)::int as n from batch where campaign_id = 'cap-batch'`)).toEqual([{ n: 1 }]);
    expect(await countBy(env.DATABASE_URL!, 'cap-batch')).toEqual({ delivered: 3, pending: 2 });
    setClock([a, b], new Date('2027-05-04T00:00:01Z'));
    expect((await deliver(b)).leadCount).toBe(2);
    expect(await countBy(env.DATABASE_URL!, 'cap-batch')).toEqual({ delivered: 5 });
  });

  it('shows the contract and its state on the console campaign page, with pause and resume buttons that work', async () => {
    setClock([a, b], new Date(Date.now()));
    const login = await fetch(`${a.url}/console/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN_TOKEN, next: '/console' }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = async () => (await fetch(`${a.url}/console/campaigns/hours-test`, { headers: { cookie } })).text();
    const before = await page();
    expect(before).toContain('hours weekdays 08:00-18:00 (America/Chicago), outside: hold');
    expect(before).toContain('at most 1 in flight');
    expect(before).toContain('action="/console/campaigns/hours-test/deliveries/call-centre/pause"');
    // Console forms carry their session's CSRF token (docs/api.md › Console › Forms).
    const form = () => new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(before)![1] });
    const paused = await fetch(`${a.url}/console/campaigns/hours-test/deliveries/call-centre/pause`, { method: 'POST', headers: { cookie }, body: form(), redirect: 'manual' });
    expect(paused.status).toBe(303);
    const after = await page();
    expect(after).toContain('<span class="status failed">paused</span>');
    expect(after).toContain('action="/console/campaigns/hours-test/deliveries/call-centre/resume"');
    await fetch(`${a.url}/console/campaigns/hours-test/deliveries/call-centre/resume`, { method: 'POST', headers: { cookie }, body: form(), redirect: 'manual' });
    expect(await page()).toContain('/deliveries/call-centre/pause"');
    // Per process: the two instances' together.
    const metrics = (await Promise.all([a, b].map(async (s) => (await fetch(`${s.url}/metrics`)).text()))).join('\n');
    expect(metrics).toMatch(/leadrelay_dispatches_skipped_total\{campaign="criteria-test",delivery="tx-adults"\} [1-9]/);
    expect(metrics).toMatch(/leadrelay_sends_held_total\{campaign="hours-test",delivery="call-centre",held_by="hours"\} [1-9]/);
  });

  it('pauses and resumes a delivery: held leads stay pending and go on resume; a paused download is refused', async () => {
    setClock([a, b], new Date(Date.now()));
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const pause = await fetch(`${a.url}/v1/campaigns/paused-test/deliveries/buyer/pause`, { method: 'POST', headers: admin });
    expect(pause.status).toBe(200);
    expect(await pause.json()).toEqual({ campaign: 'paused-test', delivery: 'buyer', paused: true });
    await fetch(`${a.url}/v1/campaigns/paused-test/deliveries/download/pause`, { method: 'POST', headers: admin });
    for (let i = 0; i < 3; i++) await submit(i % 2 ? a : b, 'paused-test', { email: `paused-${i}@example.com` });
    await eventually(async () => (await dispatches(env.DATABASE_URL!, 'paused-test')).filter((d) => d.held_by === 'paused').length === 3, 20_000, 'three held by the pause');
    expect(buyer.received).toHaveLength(0);
    const manual = await fetch(`${a.url}/v1/campaigns/paused-test/manual-deliveries`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{"delivery":"download"}' });
    expect(manual.status).toBe(409);
    const api = await (await fetch(`${b.url}/v1/campaigns/paused-test`, { headers: admin })).json();
    expect(api.deliveries.map((d: { id: string; paused: boolean }) => [d.id, d.paused])).toEqual([['buyer', true], ['download', true]]);
    expect(api.deliveries[0].held).toBe(3);

    expect((await fetch(`${b.url}/v1/campaigns/paused-test/deliveries/buyer/resume`, { method: 'POST', headers: admin })).status).toBe(200);
    await eventually(async () => buyer.received.length === 3, 10_000, 'the three sent after resume');
    expect((await fetch(`${a.url}/v1/campaigns/paused-test/deliveries/nope/pause`, { method: 'POST', headers: admin })).status).toBe(404);
  });
});
