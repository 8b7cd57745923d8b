import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TestBuyer, type ReceivedRequest } from '../support/test-buyer';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { attemptRows, closedPort, deliveryEnv, SECRETS, settled, submit } from './delivery.fixtures';

/** What the buyer read from a request: the lead's values, from a form or a JSON body. */
function leadOf(req: ReceivedRequest): Record<string, string> {
  if (String(req.headers['content-type']).startsWith('application/json')) return JSON.parse(req.body);
  if (String(req.headers['content-type']).startsWith('application/xml')) {
    return { scenario: /<scenario>(.*?)<\/scenario>/.exec(req.body)?.[1] ?? '', email: /<email>(.*?)<\/email>/.exec(req.body)?.[1] ?? '' };
  }
  return Object.fromEntries(new URLSearchParams(req.body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(body);
}

describe('real-time http-post delivery end to end (docs/campaigns.md › classifiers and retries; docs/quality.md › R1)', () => {
  const buyer = new TestBuyer();
  let server: TestServer;
  /** Emails of leads the buyer has changed its mind about (it accepts them now). */
  const acceptsNow = new Set<string>();
  let serial = 0;
  const lead = (scenario: string, extra: Record<string, string> = {}) => ({ scenario, email: `${scenario}-${++serial}@example.com`, ...extra });
  /** Requests for one dispatch, in the order the buyer got them. */
  const requestsFor = (dispatchId: string) => buyer.received.filter((r) => r.headers['idempotency-key'] === dispatchId);

  function answer(req: ReceivedRequest, res: ServerResponse, socket: Socket): void {
    const path = new URL(req.url, 'http://buyer').pathname;
    const { scenario, email } = leadOf(req);
    const tries = requestsFor(String(req.headers['idempotency-key'])).length;
    const ok = () => send(res, 200, 'application/json', JSON.stringify({ result: 'success', price: '12.50', id: `ref-${email}` }));
    const no = (reason: string | string[], status = 200) => send(res, status, 'application/json', JSON.stringify({ result: 'failure', reason }));
    if (path === '/xml') {
      if (scenario === 'reject') {
        return send(res, 200, 'application/xml', '<response><status>rejected</status><errors><error>Outside service area</error><error>Invalid email</error></errors></response>');
      }
      return send(res, 200, 'application/xml; charset=utf-8', '<?xml version="1.0"?><response><status>accepted</status></response>');
    }
    if (path === '/html') {
      if (scenario === 'reject') return send(res, 200, 'text/html', '<html><body><h1>Sorry</h1><p class="error"> Lead already sold </p></body></html>');
      return send(res, 200, 'text/html; charset=utf-8', '<html><body><h1>Thank you!</h1></body></html>');
    }
    if (path === '/text') return send(res, 200, 'text/plain', scenario === 'reject' ? 'REJECTED: Missing phone number' : 'OK 48213');
    if (path === '/template') return send(res, 200, 'text/plain', 'thanks');
    if (path === '/elsewhere') return ok();
    // The JSON buyer (and the bearer-token one, same answers).
    switch (scenario) {
      case 'accept':
        return ok();
      case 'reject':
        return no(['Duplicate lead', 'Bad zip'], 422);
      case 'server-error-twice':
        return tries <= 2 ? send(res, 503, 'text/plain', 'busy') : ok();
      case 'server-down':
        return send(res, 500, 'text/html', '<h1>Internal Server Error</h1>');
      case 'throttled':
        return tries === 1 ? send(res, 429, 'text/plain', 'slow down', { 'retry-after': '2' }) : ok();
      case 'throttled-a-day':
        return tries === 1 ? send(res, 429, 'text/plain', 'come back tomorrow', { 'retry-after': '86400' }) : ok();
      case 'slow':
        return; // never answers: the attempt times out
      case 'reset':
        socket.destroy();
        return;
      case 'garbage':
        return send(res, 200, 'application/json', Buffer.concat([Buffer.from('{"result": '), Buffer.from([0, 0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28, 0x00]), Buffer.from(' \u0000 ☃')]));
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.on('error', () => undefined);
        res.write('{"result": "success", "pad": "');
        const chunk = Buffer.alloc(64 * 1024, 'x');
        // 10 MB, written as fast as the client reads; the client stops reading after 1 MiB.
        let left = 160;
        const more = () => {
          while (left > 0 && !res.destroyed) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          if (!res.destroyed) res.end('"}');
        };
        return more();
      }
      case 'redirect':
        return send(res, 302, 'text/plain', '', { location: `${buyer.url}/elsewhere` });
      case 'echo': {
        const decoded = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString();
        return no(`bad credentials: ${req.headers.authorization} (${decoded}) token ${req.headers['x-partner-token'] ?? ''}`, 401);
      }
      case 'changes-mind':
        return acceptsNow.has(email) ? ok() : no('Not buying today');
      case 'down-then-up':
        // Down for the first three tries and the first after an operator retry; up after that.
        return tries <= 4 ? send(res, 500, 'text/plain', 'down') : ok();
      default:
        return no(`unknown scenario ${scenario}`);
    }
  }

  beforeAll(async () => {
    buyer.handler = answer;
    const buyerUrl = await buyer.start();
    server = await startTestServer('delivery_http', deliveryEnv(buyerUrl, { DELIVERY_DOWN_URL: `http://127.0.0.1:${await closedPort()}/leads` }));
  });
  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
  });

  it('delivers an accepted lead in one attempt: price and reference read, credentials and Idempotency-Key sent', async () => {
    const sent = lead('accept');
    const accepted = await submit(server, 'delivery-json', sent);
    const [dispatch] = accepted.dispatches;
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ id: dispatch.id, status: 'delivered', price: 12.5, reference: `ref-${sent.email}`, attemptCount: 1 });
    expect(found.dispatches[0].attempts).toHaveLength(1);
    expect(found.dispatches[0].attempts[0]).toMatchObject({ outcome: 'delivered', response: { status: 200, truncated: false }, error: null });
    expect(found.dispatches[0].attempts[0].request.headers.authorization).toBe('[redacted]');

    const [req] = requestsFor(dispatch.id);
    expect(req.method).toBe('POST');
    expect(req.headers['idempotency-key']).toBe(dispatch.id);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRETS.user}:${SECRETS.password}`).toString('base64')}`);
    expect(req.headers['x-partner-token']).toBe(SECRETS.partnerToken);
    expect(leadOf(req)).toEqual({ scenario: 'accept', email: sent.email });
    expect(await attemptRows(server, dispatch.id)).toHaveLength(1);
  });

  it("rejects with the buyer's reason, read from JSON, XML, HTML and text answers (and accepts from each)", async () => {
    const cases: [string, string, string | undefined][] = [
      ['delivery-json', 'reject', 'Bad zip, Duplicate lead'],
      ['delivery-xml', 'reject', 'Invalid email, Outside service area'],
      ['delivery-html', 'reject', 'Lead already sold'],
      ['delivery-text', 'reject', 'Missing phone number'],
      ['delivery-xml', 'accept', undefined],
      ['delivery-html', 'accept', undefined],
      ['delivery-text', 'accept', undefined],
    ];
    const leads = await Promise.all(cases.map(([campaign, scenario]) => submit(server, campaign, lead(scenario))));
    for (const [i, [campaign, scenario, reason]] of cases.entries()) {
      const found = await settled(server, leads[i].id);
      const [dispatch] = found.dispatches;
      expect({ campaign, status: dispatch.status }).toEqual({ campaign, status: scenario === 'reject' ? 'rejected' : 'delivered' });
      expect(dispatch.reason ?? undefined).toBe(reason);
      expect(dispatch.attempts).toHaveLength(1);
      expect(dispatch.attempts[0].outcome).toBe(scenario === 'reject' ? 'rejected' : 'delivered');
      expect(await attemptRows(server, dispatch.id)).toHaveLength(1);
    }
  });

  it('retries a 5xx with the same Idempotency-Key, then delivers', async () => {
    const accepted = await submit(server, 'delivery-json', lead('server-error-twice'));
    const dispatchId = accepted.dispatches[0].id;
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'delivered', attemptCount: 3 });
    expect(found.dispatches[0].attempts.map((a: any) => [a.outcome, a.response.status])).toEqual([
      ['retry', 503],
      ['retry', 503],
      ['delivered', 200],
    ]);
    expect(found.dispatches[0].attempts[0].reason).toBe('Server error');
    // The schedule (200 ms, then 600 ms, ±20 %) is a floor for the gaps, never cut short.
    const [a1, a2, a3] = found.dispatches[0].attempts.map((a: any) => Date.parse(a.at));
    expect(a2 - a1).toBeGreaterThanOrEqual(160);
    expect(a3 - a2).toBeGreaterThanOrEqual(480);
    const requests = requestsFor(dispatchId);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([dispatchId]));
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(await attemptRows(server, dispatchId)).toHaveLength(3);
  });

  it('gives up when the attempts run out: failed with a reason, not pending', async () => {
    const accepted = await submit(server, 'delivery-json', lead('server-down'));
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'failed', reason: 'gave up after 3 attempt(s): Server error', attemptCount: 3 });
    expect(found.dispatches[0].attempts.map((a: any) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
    const [row] = await sql(server.databaseUrl, 'select status, attempts, next_attempt_at from dispatch where id = $1', [accepted.dispatches[0].id]);
    expect(row).toEqual({ status: 'failed', attempts: 3, next_attempt_at: null });
    expect(requestsFor(accepted.dispatches[0].id)).toHaveLength(3);
  });

  it('waits at least as long as a 429 Retry-After says, and no longer than the policy allows', async () => {
    const [throttled, aDay] = await Promise.all([submit(server, 'delivery-json', lead('throttled')), submit(server, 'delivery-json', lead('throttled-a-day'))]);
    const gap = async (leadId: string) => {
      const found = await settled(server, leadId);
      expect(found.dispatches[0].status).toBe('delivered');
      const attempts = await attemptRows(server, found.dispatches[0].id);
      expect(attempts.map((a) => [a.outcome, a.response.status])).toEqual([
        ['retry', 429],
        ['delivered', 200],
      ]);
      expect(attempts[0].reason).toBe('Too many requests');
      return attempts[1].at.getTime() - attempts[0].at.getTime();
    };
    // Retry-After: 2 → the next try no sooner than 2 s later.
    expect(await gap(throttled.id)).toBeGreaterThanOrEqual(2_000);
    // Retry-After: 86400 → bounded by maxDelayMs (3 s): retried (and delivered) within this test.
    expect(await gap(aDay.id)).toBeGreaterThanOrEqual(3_000);
  });

  it('treats a time-out, a refused connection and a reset as worth retrying, then fails them with the transport reason', async () => {
    const cases: [string, string, string, string][] = [
      ['delivery-json', 'slow', 'timeout', 'Timed out'],
      ['delivery-down', 'anything', 'refused', 'Connection refused'],
      ['delivery-json', 'reset', 'reset', 'Connection reset'],
    ];
    const leads = await Promise.all(cases.map(([campaign, scenario]) => submit(server, campaign, lead(scenario))));
    for (const [i, [, scenario, code, reason]] of cases.entries()) {
      const found = await settled(server, leads[i].id);
      const [dispatch] = found.dispatches;
      expect({ scenario, status: dispatch.status, reason: dispatch.reason }).toEqual({ scenario, status: 'failed', reason: `gave up after 3 attempt(s): ${reason}` });
      expect(dispatch.attempts).toHaveLength(3);
      for (const attempt of dispatch.attempts) {
        expect(attempt.response).toBeNull();
        expect(attempt.error).toMatch(new RegExp(`^${code}: `));
        expect(attempt.request).toMatchObject({ method: 'POST' });
      }
      expect(await attemptRows(server, dispatch.id)).toHaveLength(3);
    }
  });

  it('reads a garbage body as text: rejected, and stored without breaking the attempt log', async () => {
    const accepted = await submit(server, 'delivery-json', lead('garbage'));
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'rejected', attemptCount: 1 });
    const [attempt] = found.dispatches[0].attempts;
    expect(attempt.outcome).toBe('rejected');
    expect(attempt.response.status).toBe(200);
    expect(attempt.response.body).toContain('{"result": ');
    expect(attempt.response.body).toContain('☃');
    expect(attempt.response.body).not.toContain('\u0000');
  });

  it('reads a 10 MB body only up to the 1 MiB cap, and stores it truncated', async () => {
    const accepted = await submit(server, 'delivery-json', lead('huge'));
    const found = await settled(server, accepted.id);
    // The verdict is in the first bytes; the body, cut, is no longer JSON and is searched as text.
    expect(found.dispatches[0]).toMatchObject({ status: 'delivered', attemptCount: 1 });
    const [attempt] = found.dispatches[0].attempts;
    expect(attempt.response.truncated).toBe(true);
    expect(attempt.response.body.startsWith('{"result": "success", "pad": "xxxx')).toBe(true);
    expect(attempt.response.body.endsWith('…[cut]')).toBe(true);
    const [stored] = await sql(server.databaseUrl, 'select octet_length(response::text) as bytes from attempt where dispatch_id = $1', [accepted.dispatches[0].id]);
    expect(stored.bytes).toBeLessThan(100_000);
  });

  it('does not follow a redirect by default: the 3xx answer is classified, the new location never hears of the lead', async () => {
    const accepted = await submit(server, 'delivery-json', lead('redirect'));
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'rejected', attemptCount: 1 });
    expect(found.dispatches[0].attempts[0].response).toMatchObject({ status: 302, headers: { location: `${buyer.url}/elsewhere` } });
    expect(buyer.received.filter((r) => r.url === '/elsewhere')).toHaveLength(0);
  });

  it('never stores the basic-auth password, a token header or the bearer token, even when the buyer echoes them back', async () => {
    const [basicEcho, bearerEcho, bearerOk] = await Promise.all([
      submit(server, 'delivery-json', lead('echo')),
      submit(server, 'delivery-bearer', lead('echo')),
      submit(server, 'delivery-bearer', lead('accept')),
    ]);
    const basicAuth = Buffer.from(`${SECRETS.user}:${SECRETS.password}`).toString('base64');
    const secretTexts = [SECRETS.password, SECRETS.partnerToken, SECRETS.bearerToken, basicAuth];
    for (const accepted of [basicEcho, bearerEcho, bearerOk]) {
      const res = await fetch(`${server.url}/v1/leads/${(await settled(server, accepted.id)).id}`, { headers: server.admin });
      const text = await res.text();
      for (const secret of secretTexts) expect(text).not.toContain(secret);
      expect(text).toContain('[redacted]');
    }
    expect((await settled(server, basicEcho.id)).dispatches[0]).toMatchObject({ status: 'rejected', reason: expect.stringContaining('bad credentials: [redacted]') });
    expect((await settled(server, bearerOk.id)).dispatches[0].status).toBe('delivered');
    // The buyer did get them, and nothing in the database kept them.
    expect(requestsFor(bearerOk.dispatches[0].id)[0].headers.authorization).toBe(`Bearer ${SECRETS.bearerToken}`);
    const rows = await sql<{ text: string }>(
      server.databaseUrl,
      `select row_to_json(a)::text as text from attempt a union all select row_to_json(d)::text from dispatch d`,
    );
    expect(rows.length).toBeGreaterThan(3);
    for (const { text } of rows) for (const secret of secretTexts) expect(text).not.toContain(secret);
  });

  it('fails a dispatch whose template renders invalid JSON after one attempt, naming the template and position, sending nothing', async () => {
    const [bad, good] = await Promise.all([
      submit(server, 'delivery-template', lead('template', { zip: '78701-1234' })),
      submit(server, 'delivery-template', lead('template', { zip: '78701' })),
    ]);
    const found = await settled(server, bad.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'failed', attemptCount: 1 });
    expect(found.dispatches[0].reason).toMatch(/template 'body \(json\)' rendered invalid JSON at line 2, column \d+/);
    expect(found.dispatches[0].attempts).toHaveLength(1);
    expect(found.dispatches[0].attempts[0]).toMatchObject({ outcome: 'failed', response: null });
    expect(found.dispatches[0].attempts[0].request.body).toContain('"zip": 78701-1234');
    expect((await settled(server, good.id)).dispatches[0].status).toBe('delivered');
    expect(requestsFor(bad.dispatches[0].id)).toHaveLength(0);
    expect(requestsFor(good.dispatches[0].id)).toHaveLength(1);
  });

  it('answers ?wait= with the final statuses and their reasons', async () => {
    const rejected = await submit(server, 'delivery-json', lead('reject'), 10_000);
    expect(rejected.dispatches).toEqual([{ id: expect.any(String), delivery: 'buyer', status: 'rejected', reason: 'Bad zip, Duplicate lead' }]);
    const delivered = await submit(server, 'delivery-json', lead('server-error-twice'), 10_000);
    expect(delivered.dispatches[0]).toMatchObject({ delivery: 'buyer', status: 'delivered' });
    const failed = await submit(server, 'delivery-json', lead('server-down'), 10_000);
    expect(failed.dispatches[0]).toMatchObject({ status: 'failed', reason: 'gave up after 3 attempt(s): Server error' });
  });

  describe('operator retry (POST /v1/dispatches/{id}/retry)', () => {
    const retry = (id: string) => fetch(`${server.url}/v1/dispatches/${id}/retry`, { method: 'POST', headers: server.admin });

    it('sends a rejected dispatch again: 202, pending, a new attempt appended, delivered now that the buyer accepts', async () => {
      const sent = lead('changes-mind');
      const accepted = await submit(server, 'delivery-json', sent, 10_000);
      const dispatchId = accepted.dispatches[0].id;
      expect(accepted.dispatches[0]).toMatchObject({ status: 'rejected', reason: 'Not buying today' });
      acceptsNow.add(sent.email);
      const res = await retry(dispatchId);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ id: dispatchId, status: 'pending' });
      const found = await settled(server, accepted.id);
      expect(found.dispatches[0]).toMatchObject({ status: 'delivered', attemptCount: 2 });
      expect(found.dispatches[0].attempts.map((a: any) => a.outcome)).toEqual(['rejected', 'delivered']);
      expect(new Set(requestsFor(dispatchId).map((r) => r.headers['idempotency-key']))).toEqual(new Set([dispatchId]));
    });

    it('sends a failed dispatch again with a fresh set of tries: attempts appended, delivered', async () => {
      const accepted = await submit(server, 'delivery-json', lead('down-then-up'), 10_000);
      const dispatchId = accepted.dispatches[0].id;
      expect(accepted.dispatches[0].status).toBe('failed');
      expect(await attemptRows(server, dispatchId)).toHaveLength(3);
      expect((await retry(dispatchId)).status).toBe(202);
      // The first try after the retry fails too; the policy counts from the retry, so a second follows.
      const found = await settled(server, accepted.id);
      expect(found.dispatches[0]).toMatchObject({ status: 'delivered', attemptCount: 5, reason: null });
      expect(found.dispatches[0].attempts.map((a: any) => a.outcome)).toEqual(['retry', 'retry', 'failed', 'retry', 'delivered']);
      expect(await attemptRows(server, dispatchId)).toHaveLength(5);
    });

    it('answers 409 for a delivered dispatch and 404 for an unknown one', async () => {
      const accepted = await submit(server, 'delivery-json', lead('accept'), 10_000);
      expect(accepted.dispatches[0].status).toBe('delivered');
      const conflict = await retry(accepted.dispatches[0].id);
      expect(conflict.status).toBe(409);
      expect((await conflict.json()).error).toBe('conflict');
      expect((await retry('00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await retry('not-a-dispatch')).status).toBe(404);
      expect((await retry('-'.repeat(36))).status).toBe(404);
      expect((await retry('00000000-0000-4000-8000-00000000000g')).status).toBe(404);
      expect((await settled(server, accepted.id)).dispatches[0].attempts).toHaveLength(1);
    });
  });

  it('counts attempts by outcome, with their durations, in /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const count = (outcome: string) => Number(new RegExp(`leadrelay_attempts_total\\{campaign="delivery-json",delivery="buyer",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const [{ n: delivered }] = await sql(server.databaseUrl, `select count(*)::int as n from attempt a join dispatch d on d.id = a.dispatch_id where d.campaign_id = 'delivery-json' and a.outcome = 'delivered'`);
    expect(count('delivered')).toBe(delivered);
    expect(count('retry')).toBeGreaterThan(0);
    expect(count('failed')).toBeGreaterThan(0);
    expect(text).toMatch(/leadrelay_attempt_duration_ms_count\{campaign="delivery-json",delivery="buyer"\} \d+/);
  });

  it('leaves nothing pending', async () => {
    const [{ n }] = await sql(server.databaseUrl, `select count(*)::int as n from dispatch where status = 'pending'`);
    expect(n).toBe(0);
  });
});
