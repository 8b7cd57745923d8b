import { TestBuyer, type ReceivedRequest } from '../support/test-buyer';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { attemptRows, settled } from '../delivery/delivery.fixtures';

/** Secrets the outbound campaigns read with env(): they reach the buyers and never a stored row. */
const SECRETS = {
  password: 'pw-41c7-Outb0und',
  apiKey: 'api-key-6e02d9c4',
  partnerToken: 'partner-tok-b3a1f7',
  signingSecret: `whsec_${Buffer.from('outbound-signing-key-0123456789').toString('base64')}`,
  pathKey: 'path-key-4d2e91a0',
  queryKey: 'qk-8b31f0c2',
} as const;
/** The basic-auth user name: the same text as the User-Agent leadrelay sends, which must stay readable. */
const USER = 'leadrelay';
const BLOCKED = 'blocked: 127.0.0.1 is a loopback address (BLOCK_PRIVATE_NETWORKS)';

async function submit(server: { url: string }, campaign: string, email: string): Promise<{ id: string; dispatches: { id: string }[] }> {
  const res = await fetch(`${server.url}/v1/campaigns/${campaign}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'outbound-key' },
    body: JSON.stringify({ email }),
  });
  if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Everything stored about a dispatch (its row and its attempts), as one text to search for secrets. */
async function storedText(server: TestServer, dispatchId: string): Promise<string> {
  const dispatch = await sql(server.databaseUrl, 'select * from dispatch where id = $1', [dispatchId]);
  return JSON.stringify([dispatch, await attemptRows(server, dispatchId)]);
}

describe('outbound safety: redirects, private networks, exact redaction (docs/security.md)', () => {
  /** Where the private-network buyer is: on 127.0.0.1, like an internal service would be. */
  const privateBuyer = new TestBuyer();
  /** Redirects every request to `landing`, on another port of 127.0.0.1: another origin. */
  const redirecting = new TestBuyer();
  const landing = new TestBuyer();
  /** Rejects every lead, echoing everything it was sent. */
  const echoing = new TestBuyer();
  /** BLOCK_PRIVATE_NETWORKS on by production mode, nothing allowed. */
  let locked: TestServer;
  /** Production mode too, with 127.0.0.1 on the allow-list: the buyers on loopback are reachable. */
  let allowing: TestServer;

  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    CAMPAIGNS_DIR: 'test/campaigns-outbound',
    NODE_ENV: 'production',
    OUTBOUND_PRIVATE_URL: `${privateBuyer.url}/leads`,
    OUTBOUND_REDIRECT_URL: `${redirecting.url}/start`,
    OUTBOUND_SECRET_URL: `${echoing.url}/hooks/${SECRETS.pathKey}/leads?api_key=${SECRETS.queryKey}&src=${USER}`,
    OUTBOUND_USER: USER,
    OUTBOUND_PASSWORD: SECRETS.password,
    OUTBOUND_API_KEY: SECRETS.apiKey,
    OUTBOUND_PARTNER_TOKEN: SECRETS.partnerToken,
    OUTBOUND_SIGNING_SECRET: SECRETS.signingSecret,
    ...extra,
  });

  beforeAll(async () => {
    await Promise.all([privateBuyer.start(), redirecting.start(), landing.start(), echoing.start()]);
    redirecting.handler = (_req, res) => res.writeHead(307, { location: `${landing.url}/landing` }).end();
    echoing.handler = (req: ReceivedRequest, res) => {
      const echo = `got ${req.url} ${JSON.stringify(req.headers)} ${req.body} signed with ${SECRETS.signingSecret}`;
      res.writeHead(422, { 'content-type': 'text/plain', 'x-echo-url': req.url, 'x-echo-agent': String(req.headers['user-agent']) }).end(echo);
    };
    locked = await startTestServer('outbound_locked', env({}));
    allowing = await startTestServer('outbound_allowing', env({ PRIVATE_NETWORK_ALLOW: '127.0.0.1/32' }));
  });
  afterAll(async () => {
    await Promise.all([locked?.stop(), allowing?.stop()]);
    await Promise.all([privateBuyer.stop(), redirecting.stop(), landing.stop(), echoing.stop()]);
  });

  describe('BLOCK_PRIVATE_NETWORKS', () => {
    it('refuses a buyer URL on 127.0.0.1 in production mode: failed at once with a clear reason, nothing sent', async () => {
      const lead = await submit(locked, 'outbound-private', 'blocked@example.com');
      const [dispatch] = (await settled(locked, lead.id)).dispatches;
      expect(dispatch).toMatchObject({ status: 'failed', reason: BLOCKED, attemptCount: 1 });
      const attempts = await attemptRows(locked, dispatch.id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ outcome: 'failed', reason: BLOCKED, error: BLOCKED, response: null });
      expect(privateBuyer.received).toEqual([]);
    });

    it('delivers to the same buyer when PRIVATE_NETWORK_ALLOW lets its address through', async () => {
      const lead = await submit(allowing, 'outbound-private', 'allowed@example.com');
      expect((await settled(allowing, lead.id)).dispatches[0]).toMatchObject({ status: 'delivered' });
      expect(privateBuyer.received.map((r) => r.url)).toEqual(['/leads']);
    });
  });

  it('follows a redirect to another origin without any of the configured headers', async () => {
    const lead = await submit(allowing, 'outbound-redirect', 'redirected@example.com');
    const [dispatch] = (await settled(allowing, lead.id)).dispatches;
    expect(dispatch).toMatchObject({ status: 'delivered' });

    const [first] = redirecting.received;
    expect(first.headers).toMatchObject({
      authorization: `Basic ${Buffer.from(`${USER}:${SECRETS.password}`).toString('base64')}`,
      'x-api-key': SECRETS.apiKey,
      'x-partner': 'partner-literal-1',
      cookie: 'buyer_session=s-1',
      'user-agent': 'acme-relay/2',
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    const [second] = landing.received;
    expect(second).toMatchObject({ method: 'POST', url: '/landing', body: '{"email": "redirected@example.com"}' });
    const { host, connection, 'content-length': length, ...rest } = second.headers;
    expect(rest).toEqual({ 'content-type': 'application/json', 'idempotency-key': dispatch.id });
  });

  it('stores attempts with every secret redacted wherever it appears, and what is not secret as sent', async () => {
    const lead = await submit(allowing, 'outbound-redaction', 'echoed@example.com');
    const [dispatch] = (await settled(allowing, lead.id)).dispatches;
    expect(dispatch).toMatchObject({ status: 'rejected' });

    // The buyer got the secrets (and echoed all of them back).
    const [sent] = echoing.received;
    expect(sent.url).toBe(`/hooks/${SECRETS.pathKey}/leads?api_key=${SECRETS.queryKey}&src=${USER}`);
    expect(sent.headers).toMatchObject({ 'user-agent': USER, 'x-partner-token': SECRETS.partnerToken });

    const text = await storedText(allowing, dispatch.id);
    const basicCredentials = Buffer.from(`${USER}:${SECRETS.password}`).toString('base64');
    for (const secret of [...Object.values(SECRETS), basicCredentials, `${USER}:${SECRETS.password}`]) expect(text).not.toContain(secret);

    const [attempt] = await attemptRows(allowing, dispatch.id);
    expect(attempt.request.url).toBe(`${echoing.url}/[redacted]?api_key=[redacted]&src=${USER}`);
    expect(attempt.request.headers).toMatchObject({
      'user-agent': USER,
      authorization: '[redacted]',
      'x-partner-token': '[redacted]',
      'webhook-signature': '[redacted]',
      'idempotency-key': dispatch.id,
    });
    expect(attempt.request.body).toBe('email=echoed%40example.com');
    expect(attempt.response.headers).toMatchObject({ 'x-echo-url': '[redacted]?api_key=[redacted]&src=leadrelay', 'x-echo-agent': USER });
    expect(attempt.response.body).toContain(`"user-agent":"${USER}"`);
    expect(attempt.response.body).toContain('signed with [redacted]');
    expect(attempt.reason).toMatch(/^HTTP 422: got \[redacted\]\?api_key=\[redacted\]&src=leadrelay \{"host"/);
  });
});
