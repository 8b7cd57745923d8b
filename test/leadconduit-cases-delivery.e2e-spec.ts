import { TestBuyer, type ReceivedRequest } from './support/test-buyer';
import { ADMIN_TOKEN, sql, startTestServer, type TestServer } from './support/test-server';
import { settled, submit } from './delivery/delivery.fixtures';

const PARTNER_TOKEN = 'lc-partner-tok-51c9e2';
const SESSION_COOKIE = 'buyer_session=s-42; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly';

/**
 * `leadconduit()`'s `capture` and `cookie_search_term` on a real delivery (docs/campaigns.md ›
 * Classifiers): what they find is kept as `captured` on the attempt and the dispatch, and shown by
 * the admin API and the console.
 */
describe('captured values of a real delivery', () => {
  const buyer = new TestBuyer();
  let server: TestServer;
  const tries = (req: ReceivedRequest) => buyer.received.filter((r) => r.headers['idempotency-key'] === req.headers['idempotency-key']).length;

  beforeAll(async () => {
    buyer.handler = (req, res) => {
      const email = new URLSearchParams(req.body).get('email') ?? '';
      // Busy the first time: that attempt captures nothing, the one that delivers does.
      if (email.startsWith('busy') && tries(req) === 1) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('Order #0 busy');
      res.setHeader('set-cookie', ['zz_pref=dark; Path=/', SESSION_COOKIE]);
      res.setHeader('content-type', 'text/plain');
      if (email.startsWith('dup')) return void res.end(`Refused\nReason: Duplicate lead\nYour token: ${req.headers['x-partner-token']}`);
      res.end(`Accepted\nOrder #4711 queued\nYour token: ${req.headers['x-partner-token']}`);
    };
    const buyerUrl = await buyer.start();
    server = await startTestServer('lc_captured', {
      CAMPAIGNS_DIR: 'test/leadconduit-cases/delivery-campaigns',
      LC_CAPTURED_BUYER_URL: `${buyerUrl}/leads`,
      LC_CAPTURED_PARTNER_TOKEN: PARTNER_TOKEN,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
  });

  it('stores what the delivering answer captured on its attempt and its dispatch, the echoed secret redacted, and the admin API returns it', async () => {
    const accepted = await submit(server, 'lc-captured', { email: 'busy-1@example.com' });
    const lead = await settled(server, accepted.id);
    const [dispatch] = lead.dispatches;
    const captured = { order_id: '4711', echoed: '[redacted]', cookie: SESSION_COOKIE };
    expect(dispatch).toMatchObject({ status: 'delivered', attemptCount: 2, captured });
    expect(dispatch.attempts.map((a: any) => [a.outcome, a.captured])).toEqual([
      ['retry', null],
      ['delivered', captured],
    ]);
    // The header stays redacted in the stored response; the cookie was asked for, so it is kept.
    expect(dispatch.attempts[1].response.headers['set-cookie']).toBe('[redacted]');

    const [row] = await sql(server.databaseUrl, 'select captured from dispatch_row where id = $1', [dispatch.id]);
    expect(row.captured).toEqual(captured);
    const attempts = await sql(server.databaseUrl, 'select captured from attempt where dispatch_id = $1 order by at, id', [dispatch.id]);
    expect(attempts.map((a) => a.captured)).toEqual([null, captured]);
    expect(JSON.stringify(attempts)).not.toContain(PARTNER_TOKEN);
  });

  it('keeps what a refusal captured too, and the console shows it on the lead page', async () => {
    const refused = await submit(server, 'lc-captured', { email: 'dup-1@example.com' });
    const lead = await settled(server, refused.id);
    expect(lead.dispatches[0]).toMatchObject({ status: 'rejected', reason: 'Duplicate lead', captured: { echoed: '[redacted]', cookie: SESSION_COOKIE } });
    expect(lead.dispatches[0].captured).not.toHaveProperty('order_id');

    const login = await fetch(`${server.url}/console/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN_TOKEN, next: '/console' }), redirect: 'manual' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = await (await fetch(`${server.url}/console/leads/${refused.id}`, { headers: { cookie } })).text();
    // Once for the dispatch, once for its one attempt; HTML-escaped like every value on the page
    // (and in jsonb's order of keys).
    expect(page.split('<p>Captured: <code>cookie</code> buyer_session&#x3D;s-42; Expires&#x3D;Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly · <code>echoed</code> [redacted]</p>')).toHaveLength(3);
  });
});
