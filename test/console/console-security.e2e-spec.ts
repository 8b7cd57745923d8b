import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { launchChromium, SHOTS, freshPage } from '../support/console-browser';
import { ADMIN_TOKEN, sql, startTestServer, type TestServer } from '../support/test-server';
import { MailInbox, postLead, waitFor } from '../email/support/mail-inbox';
import { obliterateQueues } from '../email/support/test-queues';
import { operatorState } from '../support/operator-state';

const OPERATOR = 'ops-token-5a8e61d2';
const VIEWER = 'viewer-token-c07b93f4';
const SESSION_SECRET = 'console-security-suite-secret-0123456789';
const COOKIE = 'leadrelay_console';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Console sessions, CSRF and roles (docs/api.md › Console), in Chromium and over plain HTTP:
 * forms carry a per-session token and are refused from another site; cookies are signed, expire
 * on the server and die on sign-out on every instance; sign-in is rate limited; a viewer reads
 * and is refused every change. "Nothing changes" is checked in the database.
 */
describe('console: sessions, CSRF and roles', () => {
  let inbox: MailInbox;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let rejectedDispatch: string;
  let rejectedLead: string;

  const state = () => operatorState(server.databaseUrl);

  /** One request exactly as written: no browser adds or drops a header. */
  const send = (base: string, method: string, target: string, headers: Record<string, string> = {}, form?: Record<string, string>) =>
    new Promise<Answer>((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : '';
      const all = form ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...headers } : headers;
      const req = http.request(`${base}${target}`, { method, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const consolePost = (target: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    send(server.url, 'POST', target, { cookie: `${COOKIE}=${cookie}`, ...headers }, form);
  const consoleGet = (target: string, cookie: string, base = server.url) => send(base, 'GET', target, { cookie: `${COOKIE}=${cookie}` });
  const signInOverHttp = (form: Record<string, string>, ip: string) => send(server.url, 'POST', '/console/login', { 'x-forwarded-for': ip }, form);

  const signIn = async (name: string, token: string) => {
    await page.goto('/console/login');
    await page.getByLabel('Token name').fill(name);
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console$/);
  };
  const sessionCookie = async () => (await context.cookies()).find((c) => c.name === COOKIE)!.value;
  const csrfOnPage = () => page.locator('input[name="_csrf"]').first().inputValue();
  const expectLogin = (answer: Answer, next: string) => {
    expect([answer.status, answer.headers.location]).toEqual([303, `/console/login?next=${encodeURIComponent(next)}`]);
  };

  beforeAll(async () => {
    inbox = await MailInbox.start();
    server = await startTestServer('console_security', {
      CAMPAIGNS_DIR: 'test/campaigns-run',
      SMTP_URL: inbox.url,
      ADMIN_TOKENS: `ops:${OPERATOR},watch:${VIEWER}:viewer,${ADMIN_TOKEN}`,
      SESSION_SECRET,
    });
    // A rejected real-time dispatch, so the lead page offers Retry; pending leads for the other deliveries.
    inbox.refuseAll = { code: 550, text: 'Mailbox unavailable' };
    rejectedLead = (await postLead(server.url, 'run-now', 'run-key', { first_name: 'Ann', email: 'ann@example.com' })).id;
    [{ id: rejectedDispatch }] = await waitFor(async () => {
      const rows = await sql(server.databaseUrl, `select id from dispatch where lead_id = $1 and delivery_id = 'each-lead' and status = 'rejected'`, [rejectedLead]);
      return rows.length ? rows : undefined;
    }, 'the real-time dispatch rejected');
    inbox.refuseAll = undefined;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) await obliterateQueues(server.env);
    await inbox?.close();
  });
  beforeEach(async () => {
    ({ context, page } = await freshPage(browser, server.url));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('refuses a console POST without the CSRF token, with a wrong one, or from another origin or site (403), and nothing changes', async () => {
    await signIn('ops', OPERATOR);
    const cookie = await sessionCookie();
    const csrf = await csrfOnPage();
    const own = { origin: server.url, 'sec-fetch-site': 'same-origin' };
    const deliver = { delivery: 'download', format: 'csv' };
    const before = await state();

    const refused: [string, Record<string, string>, Record<string, string>][] = [
      ['/console/campaigns/run-now/manual-delivery', deliver, own],
      ['/console/campaigns/run-now/manual-delivery', { ...deliver, _csrf: 'x'.repeat(43) }, own],
      ['/console/campaigns/run-now/manual-delivery', { ...deliver, _csrf: csrf }, { origin: 'http://evil.example' }],
      ['/console/campaigns/run-now/manual-delivery', { ...deliver, _csrf: csrf }, { origin: 'http://127.0.0.1:1' }],
      ['/console/campaigns/run-now/manual-delivery', { ...deliver, _csrf: csrf }, { origin: 'null' }],
      ['/console/campaigns/run-now/manual-delivery', { ...deliver, _csrf: csrf }, { 'sec-fetch-site': 'cross-site' }],
      ['/console/campaigns/run-now/manual-delivery', { ...deliver, _csrf: csrf }, { 'sec-fetch-site': 'same-site' }],
      [`/console/dispatches/${rejectedDispatch}/retry`, {}, own],
      ['/console/campaigns/run-now/deliveries/nightly/pause', {}, own],
      ['/console/campaigns/run-now/deliveries/nightly/run', { _csrf: 'wrong' }, own],
      ['/console/logout', {}, own],
    ];
    for (const [target, form, headers] of refused) {
      const answer = await consolePost(target, cookie, form, headers);
      expect([target, headers, answer.status]).toEqual([target, headers, 403]);
      expect(answer.body).toContain('Not allowed');
      expect(answer.body).toMatch(/nothing was changed/i);
    }
    expect(await state()).toEqual(before);

    // The same request with its token, from its own origin, goes through: the checks refuse only what they should.
    const allowed = await consolePost('/console/campaigns/run-now/deliveries/nightly/pause', cookie, { _csrf: csrf }, own);
    expect(allowed.status).toBe(303);
    expect(await sql(server.databaseUrl, `select paused from delivery_control where delivery_id = 'nightly'`)).toEqual([{ paused: true }]);
    expect((await consolePost('/console/campaigns/run-now/deliveries/nightly/resume', cookie, { _csrf: csrf }, own)).status).toBe(303);
  });

  it('refuses a form posted by a page on another port of the same host, whose requests carry the SameSite cookie (Chromium)', async () => {
    await signIn('ops', OPERATOR);
    // The worst case: the page even knows the session's CSRF token.
    const csrf = await csrfOnPage();
    const attacker = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="${server.url}/console/campaigns/run-now/manual-delivery">
        <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="delivery" value="download">
        <button type="submit">Claim your prize</button></form>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const before = await state();
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Claim your prize' }).click(),
      ]);
      // Chromium did send the cookie (same site, another port): only the site check stops it.
      expect(await answer.request().headerValue('cookie')).toContain(`${COOKIE}=`);
      expect(await answer.request().headerValue('sec-fetch-site')).toBe('same-site');
      expect(answer.status()).toBe(403);
      await expect(page.getByRole('heading', { name: 'Not allowed' }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: path.join(SHOTS, 'csrf-refused.png'), fullPage: true });
      expect(await state()).toEqual(before);
    } finally {
      attacker.closeAllConnections();
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    }
  });

  it('sends a forged, re-signed or expired session cookie to the login, and a POST with one changes nothing', async () => {
    await signIn('ops', OPERATOR);
    const cookie = await sessionCookie();
    const [id, issuedAt, mac] = cookie.split('.');
    const sign = (text: string, secret = SESSION_SECRET) => createHmac('sha256', secret).update(text).digest('base64url');
    expect(mac).toBe(sign(`${id}.${issuedAt}`));
    expect((await consoleGet('/console', cookie)).status).toBe(200);

    const forged = [
      `${id}.${issuedAt}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, // tampered HMAC
      `${id}.${Number(issuedAt) + 1}.${mac}`, // another issued-at under the same HMAC
      `${id}.${issuedAt}.${sign(`${id}.${issuedAt}`, 'some-other-secret-of-32-characters!!')}`, // signed with another key
      `00000000-0000-4000-8000-000000000000.${issuedAt}.${sign(`00000000-0000-4000-8000-000000000000.${issuedAt}`)}`, // well signed, no such session
      createHmac('sha256', 'x').digest('hex'), // the old format: a hash
      '',
    ];
    const csrf = await csrfOnPage();
    const before = await state();
    for (const value of forged) {
      expectLogin(await consoleGet('/console/campaigns/run-now', value), '/console/campaigns/run-now');
      expectLogin(await consolePost('/console/campaigns/run-now/deliveries/nightly/pause', value, { _csrf: csrf }), '/console/campaigns/run-now/deliveries/nightly/pause');
    }
    // In the browser too: a visit with a tampered cookie lands on the login.
    await context.addCookies([{ name: COOKIE, value: forged[0], domain: '127.0.0.1', path: '/console' }]);
    await page.goto('/console/campaigns/run-now');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(await state()).toEqual(before);

    // Idle past CONSOLE_SESSION_IDLE_MS (12 h): refused, though the cookie is genuine.
    await sql(server.databaseUrl, `update console_session set last_seen_at = now() - interval '12 hours 1 second' where id = $1`, [id]);
    expectLogin(await consoleGet('/console', cookie), '/console');

    // Past CONSOLE_SESSION_MAX_MS (7 days) after sign-in, however recently used. The row and a
    // correctly signed cookie are made to say it began 8 days ago; a day ago is still accepted.
    for (const [daysAgo, status] of [[1, 200], [8, 303]]) {
      const issued = new Date(Date.now() - daysAgo * 86_400_000);
      await sql(server.databaseUrl, 'update console_session set created_at = $2, last_seen_at = now() where id = $1', [id, issued]);
      const aged = `${id}.${issued.getTime()}.${sign(`${id}.${issued.getTime()}`)}`;
      expect([daysAgo, (await consoleGet('/console', aged)).status]).toEqual([daysAgo, status]);
    }
  });

  it('ends the session on sign-out: the old cookie and its CSRF token, replayed, are refused', async () => {
    await signIn('ops', OPERATOR);
    const cookie = await sessionCookie();
    const csrf = await csrfOnPage();
    const [id] = cookie.split('.');
    expect(await sql(server.databaseUrl, 'select token_name from console_session where id = $1', [id])).toEqual([{ token_name: 'ops' }]);
    await expect(page.locator('header .who').textContent()).resolves.toBe('ops');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/console/login');
    // The session cookie is gone; the time zone one is not a session (docs/api.md › Console › Time zone).
    expect((await context.cookies()).filter((c) => c.name !== 'leadrelay_tz')).toEqual([]);
    expect(await sql(server.databaseUrl, 'select id from console_session where id = $1', [id])).toEqual([]);

    const before = await state();
    expectLogin(await consoleGet('/console', cookie), '/console');
    expectLogin(await consolePost('/console/campaigns/run-now/deliveries/nightly/pause', cookie, { _csrf: csrf }, { origin: server.url }), '/console/campaigns/run-now/deliveries/nightly/pause');
    await context.addCookies([{ name: COOKIE, value: cookie, domain: '127.0.0.1', path: '/console' }]);
    await page.goto('/console');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(await state()).toEqual(before);
  });

  it('keeps a session good on another instance of the deployment, and a sign-out there ends it here', async () => {
    let other: StartedServer | undefined;
    try {
      other = await startServer({ ...server.env, LEADRELAY_ROLE: 'api' });
      await signIn('ops', OPERATOR);
      const cookie = await sessionCookie();
      const csrf = await csrfOnPage();
      expect((await consoleGet('/console', cookie, other.url)).status).toBe(200);
      const out = await send(other.url, 'POST', '/console/logout', { cookie: `${COOKIE}=${cookie}`, origin: other.url }, { _csrf: csrf });
      expect([out.status, out.headers.location]).toEqual([303, '/console/login']);
      expectLogin(await consoleGet('/console', cookie), '/console');
      expectLogin(await consoleGet('/console', cookie, other.url), '/console');
    } finally {
      await other?.app.close();
    }
  });

  it('limits failed sign-ins per client address and per token name: 429 with Retry-After, even with the right token', async () => {
    const failures = (key: string) => sql(server.databaseUrl, 'select count(*)::int as n from console_login_failure where key = $1', [key]);
    // Ten failures from one address; the eleventh try, with the right token, is refused too.
    for (let i = 0; i < 10; i++) expect((await signInOverHttp({ token: `guess-${i}` }, '10.1.1.1')).status).toBe(401);
    const limited = await signInOverHttp({ token: ADMIN_TOKEN }, '10.1.1.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(limited.headers['set-cookie']).toBeUndefined();
    expect(limited.body).toContain('Too many failed sign-ins');
    expect(await failures('ip:10.1.1.1')).toEqual([{ n: 10 }]);
    // Another address is not held back.
    expect((await signInOverHttp({ token: ADMIN_TOKEN }, '10.1.1.2')).status).toBe(303);

    // Ten failures naming `ops`, each from its own address; then `ops` is refused from anywhere, `watch` is not.
    for (let i = 0; i < 10; i++) expect((await signInOverHttp({ name: 'ops', token: `guess-${i}` }, `10.2.0.${i + 1}`)).status).toBe(401);
    expect((await signInOverHttp({ name: 'ops', token: OPERATOR }, '10.2.0.99')).status).toBe(429);
    expect((await signInOverHttp({ name: 'watch', token: VIEWER }, '10.2.0.99')).status).toBe(303);
    expect(await failures('name:ops')).toEqual([{ n: 10 }]);
    // A named token signs in only with its name, so leaving the name out cannot dodge its limit.
    expect((await signInOverHttp({ token: OPERATOR }, '10.3.0.1')).status).toBe(401);

    // Once the failures are older than the window, the name may sign in again.
    await sql(server.databaseUrl, `update console_login_failure set failed_at = failed_at - interval '15 minutes' where key = 'name:ops'`);
    expect((await signInOverHttp({ name: 'ops', token: OPERATOR }, '10.2.0.99')).status).toBe(303);
  });

  it('shows a viewer no button that changes something, and refuses its POSTs with 403 (nothing changes)', async () => {
    await signIn('watch', VIEWER);
    await expect(page.locator('header .who').textContent()).resolves.toBe('watch · viewer');
    await page.goto('/console/campaigns/run-now');
    await expect(page.locator('table.contracts').isVisible()).resolves.toBe(true);
    await expect(page.locator('form[method="post"] button', { hasNotText: 'Sign out' }).count()).resolves.toBe(0);
    await page.goto(`/console/leads/${rejectedLead}`);
    await expect(page.getByText('rejected').first().isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Retry this dispatch' }).count()).resolves.toBe(0);
    await page.goto('/console/campaigns/run-now/manual-delivery');
    await expect(page.getByText('only an operator can deliver').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /Download/ }).count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'viewer-manual-delivery.png'), fullPage: true });

    const cookie = await sessionCookie();
    const csrf = await csrfOnPage();
    const before = await state();
    for (const target of [
      '/console/campaigns/run-now/manual-delivery',
      `/console/dispatches/${rejectedDispatch}/retry`,
      '/console/campaigns/run-now/deliveries/nightly/pause',
      '/console/campaigns/run-now/deliveries/nightly/run',
    ]) {
      const answer = await consolePost(target, cookie, { _csrf: csrf, delivery: 'download' }, { origin: server.url });
      expect([target, answer.status]).toEqual([target, 403]);
      expect(answer.body).toContain('The token &#x27;watch&#x27; is a viewer');
    }
    expect(await state()).toEqual(before);
  });

  it('records console actions in the audit log under the token name, and shows them on the Audit page', async () => {
    await sql(server.databaseUrl, 'delete from audit_log');
    await signIn('ops', OPERATOR);
    await page.goto('/console/campaigns/run-now');
    const nightly = page.locator('table.contracts tr', { has: page.locator('td', { hasText: /^nightly / }) });
    await nightly.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL('**/console/campaigns/run-now?notice=*');
    await nightly.getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL('**/console/campaigns/run-now?notice=*');
    await page.goto(`/console/leads/${rejectedLead}`);
    await page.getByRole('button', { name: 'Retry this dispatch' }).click();
    await page.waitForURL(`**/console/leads/${rejectedLead}?notice=*`);
    await page.goto('/console/campaigns/run-now/manual-delivery');
    await page.getByRole('button', { name: /Download/ }).click();
    await page.waitForURL(/\/console\/batches\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Delivered 1 lead(s) of delivery download');

    const via = 'console';
    const rows = await sql(server.databaseUrl, 'select actor, action, campaign_id, delivery_id, lead_count, detail from audit_log order by id');
    expect(rows).toEqual([
      { actor: 'ops', action: 'pause', campaign_id: 'run-now', delivery_id: 'nightly', lead_count: null, detail: { via } },
      { actor: 'ops', action: 'resume', campaign_id: 'run-now', delivery_id: 'nightly', lead_count: null, detail: { via } },
      { actor: 'ops', action: 'dispatch-retry', campaign_id: 'run-now', delivery_id: 'each-lead', lead_count: 1, detail: { via, dispatch: rejectedDispatch, lead: rejectedLead } },
      { actor: 'ops', action: 'manual-delivery', campaign_id: 'run-now', delivery_id: 'download', lead_count: 1, detail: { via, batch: expect.any(String) } },
    ]);

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL('**/console/audit');
    const cells = await page.locator('table.audit tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 6).map((td) => td.textContent)));
    expect(cells).toEqual([
      ['ops', 'manual-delivery', 'run-now', 'download', '1'],
      ['ops', 'dispatch-retry', 'run-now', 'each-lead', '1'],
      ['ops', 'resume', 'run-now', 'nightly', ''],
      ['ops', 'pause', 'run-now', 'nightly', ''],
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'audit.png'), fullPage: true });
  });
});
