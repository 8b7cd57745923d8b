import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, SHOTS, signInAs, freshPage } from '../support/console-browser';
import { ADMIN_TOKEN, sql, startTestServer, type TestServer } from '../support/test-server';
import { CAMPAIGNS_DIR, parseFile, postJson, snapshot, submitLead, type SubmittedLead } from '../files/lead-files.fixture';

/**
 * The web console in a real browser (docs/api.md › Web console): sign in with the admin token, Tools →
 * Manual Delivery as a person does it, and the file and the lead statuses that follow.
 */
describe('web console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let leads: SubmittedLead[];
  let someBatch: string;
  let someLead: string;
  let someDispatch: string;

  beforeAll(async () => {
    server = await startTestServer('console', { CAMPAIGNS_DIR });
    leads = [];
    for (const [first_name, company] of [
      ['Ana, "Annie"', 'Acme\tTabs'],
      ['Zoë 🚀', '=HYPERLINK("x")'],
      ['Bo', 'Plain Co'],
    ]) {
      leads.push(await submitLead(server, 'files-test', { first_name, email: `${leads.length}@example.com`, company }));
    }
    // Ids for the pages that show one thing, made on another campaign so the leads above stay pending.
    await submitLead(server, 'single-file', { name: 'Other', email: 'other@example.com' });
    someBatch = (await postJson(server, '/v1/campaigns/single-file/manual-deliveries', {})).body.id;
    [{ lead_id: someLead, id: someDispatch }] = await sql(server.databaseUrl, `select lead_id, id from dispatch where campaign_id = 'single-file'`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    ({ context, page } = await freshPage(browser, server.url));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('sends an unauthenticated visit to any console page to the login, and changes nothing on a POST', async () => {
    const pages = [
      '/console',
      '/console/campaigns/files-test',
      '/console/campaigns/files-test?status=pending',
      `/console/leads/${someLead}`,
      '/console/campaigns/files-test/manual-delivery',
      '/console/campaigns/files-test/export',
      '/console/campaigns/files-test/export/file?format=csv',
      '/console/campaigns/files-test/batches',
      `/console/batches/${someBatch}/file`,
      '/console/campaigns/nope',
    ];
    for (const p of pages) {
      await page.goto(p);
      const url = new URL(page.url());
      expect([url.pathname, url.searchParams.get('next')]).toEqual(['/console/login', p]);
      await expect(page.getByLabel('Admin token').isVisible()).resolves.toBe(true);
    }
    const before = await snapshot(server.databaseUrl);
    for (const p of ['/console/campaigns/files-test/manual-delivery', `/console/dispatches/${someDispatch}/retry`, `/console/batches/${someBatch}/retry`]) {
      const res = await context.request.post(p, { form: { delivery: 'download', format: 'csv' }, maxRedirects: 0 });
      expect(res.status()).toBe(303);
      expect(res.headers().location).toBe(`/console/login?next=${encodeURIComponent(p)}`);
    }
    expect(await snapshot(server.databaseUrl)).toEqual(before);
  });

  it('keeps the session cookie Secure on https and on loopback, and plain on other plain-http hosts (where a browser would drop a Secure one)', async () => {
    const signIn = (headers: Record<string, string>) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const body = `token=${ADMIN_TOKEN}`;
        const req = http.request(`${server.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), ...headers } }, (res) => {
          res.resume();
          resolve(res);
        });
        req.on('error', reject);
        req.end(body);
      });
    const cookieOf = async (headers: Record<string, string>) => {
      const res = await signIn(headers);
      expect(res.statusCode).toBe(303);
      return String(res.headers['set-cookie']);
    };
    // Session id, sign-in time and their HMAC (docs/api.md › Console › Sessions); kept by the browser up to CONSOLE_SESSION_MAX_MS.
    expect(await cookieOf({})).toMatch(/^leadrelay_console=[0-9a-f-]{36}\.\d{13}\.[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/console; Expires=.+; HttpOnly; Secure; SameSite=Strict$/);
    expect(await cookieOf({ host: 'localhost:3000' })).toContain('; Secure');
    expect(await cookieOf({ host: 'leads.internal:3000' })).not.toContain('Secure');
    // Behind a TLS proxy on the same machine, which says so.
    expect(await cookieOf({ host: 'leads.example.com', 'x-forwarded-proto': 'https' })).toContain('; Secure');
  });

  it('shows a page, not JSON, for something that does not exist', async () => {
    await signInAs(page);
    const res = await page.goto('/console/campaigns/nope');
    expect(res!.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText("No campaign 'nope'.").isVisible()).resolves.toBe(true);
    expect((await page.goto('/console/batches/not-a-batch/file'))!.status()).toBe(404);
    expect((await page.goto(`/console/leads/${'-'.repeat(36)}`))!.status()).toBe(404);
  });

  it('says so when a campaign has no on-demand delivery, and offers Export instead', async () => {
    await signInAs(page);
    await page.goto('/console/campaigns/no-file/manual-delivery');
    await expect(page.getByText('This campaign has no on-demand delivery').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: /Download/ }).count()).resolves.toBe(0);
  });

  it('refuses a wrong token with a message, and sets no session', async () => {
    await page.goto('/console/login');
    await page.screenshot({ path: path.join(SHOTS, 'login.png') });
    await page.getByLabel('Admin token').fill('not-the-token');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(answer.status()).toBe(401);
    await expect(page.getByText('That token is not valid.').isVisible()).resolves.toBe(true);
    // No session: the only cookie is the time zone tz.js wrote (docs/api.md › Console › Time zone).
    expect((await context.cookies()).filter((c) => c.name !== 'leadrelay_tz')).toEqual([]);
    await page.goto('/console');
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });

  it('signs in over http://127.0.0.1, delivers the pending leads as tab-delimited without a header, and shows them delivered', async () => {
    // Straight to the tool: the login brings the person back to it.
    await page.goto('/console/campaigns/files-test/manual-delivery');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console/campaigns/files-test/manual-delivery');
    const cookie = (await context.cookies()).find((c) => c.name === 'leadrelay_console')!;
    expect(cookie).toMatchObject({ name: 'leadrelay_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie.value).not.toContain(ADMIN_TOKEN);

    // The way a person finds it: campaigns → the campaign → Tools → Manual Delivery.
    await page.goto('/console');
    await page.screenshot({ path: path.join(SHOTS, 'campaigns.png'), fullPage: true });
    await page.getByRole('link', { name: 'Files test' }).click();
    await page.getByRole('link', { name: 'Tools → Manual Delivery' }).click();
    await page.waitForURL('**/console/campaigns/files-test/manual-delivery');
    // One form per on-demand delivery, each with its own count and button.
    const downloadForm = page.getByRole('region', { name: 'download', exact: true });
    await expect(downloadForm.locator('.pending-count').textContent()).resolves.toBe('3 lead(s) pending');
    await downloadForm.getByLabel('Tab-delimited').check();
    await downloadForm.getByLabel('Include a header row').uncheck();
    await page.screenshot({ path: path.join(SHOTS, 'manual-delivery.png'), fullPage: true });

    // The press lands on the batch's page, which offers the file (test/console/console-manual-delivery covers that page).
    await downloadForm.getByRole('button', { name: /Download/ }).click();
    await page.waitForURL(/\/console\/batches\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Delivered 3 lead(s) of delivery download');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download files-test-download-/ }).click()]);
    const saved = path.join(SHOTS, file.suggestedFilename());
    await file.saveAs(saved);
    expect(file.suggestedFilename()).toMatch(/^files-test-download-[0-9a-f-]{36}\.tsv$/);
    const { rows } = parseFile(fs.readFileSync(saved), 'tsv');
    const inOrder = [...leads].sort((a, b) => (a.receivedAt + a.id < b.receivedAt + b.id ? -1 : 1));
    expect(rows).toEqual(
      inOrder.map((l) => [l.data.email, l.data.first_name, '', l.data.company.startsWith('=') ? `'${l.data.company}` : l.data.company, '', '', '', l.id, l.receivedAt]),
    );

    // The leads page now shows them delivered by `download`, still pending for `backup`.
    await page.goto('/console/campaigns/files-test');
    for (const lead of leads) {
      const row = page.locator('tr', { has: page.locator(`a[href="/console/leads/${lead.id}"]`) });
      await expect(row.locator('.status').allTextContents()).resolves.toEqual(['delivered', 'pending']);
    }
    await page.screenshot({ path: path.join(SHOTS, 'leads.png'), fullPage: true });
    // "Received to" takes whole days: the day itself is included.
    const day = inOrder[0].receivedAt.slice(0, 10);
    const dayBefore = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.goto(`/console/campaigns/files-test?until=${day}`);
    await expect(page.locator('a[href^="/console/leads/"]').count()).resolves.toBe(leads.length);
    await page.goto(`/console/campaigns/files-test?until=${dayBefore}`);
    await expect(page.getByText('No leads match.').isVisible()).resolves.toBe(true);
    await page.goto('/console/campaigns/files-test');
    await page.locator(`a[href="/console/leads/${leads[0].id}"]`).click();
    await page.waitForURL(`**/console/leads/${leads[0].id}`);
    await expect(page.getByText('Ana, "Annie"').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'lead.png'), fullPage: true });

    // The batch is listed and downloads again, the same bytes.
    await page.goto('/console/campaigns/files-test/batches');
    const [again] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: file.suggestedFilename() }).click()]);
    expect(fs.readFileSync(await again.path()).equals(fs.readFileSync(saved))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'batches.png'), fullPage: true });

    // Export: the same leads, any status, nothing changes.
    const before = await snapshot(server.databaseUrl);
    await page.goto('/console/campaigns/files-test/export');
    await page.getByLabel('Status').selectOption('delivered');
    await page.screenshot({ path: path.join(SHOTS, 'export.png'), fullPage: true });
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    expect(exported.suggestedFilename()).toMatch(/^files-test-export-\d{4}-\d{2}-\d{2}\.csv$/);
    const exportedRows = parseFile(fs.readFileSync(await exported.path()), 'csv').rows;
    expect(exportedRows[0].slice(-4)).toEqual(['lead_id', 'received_at', 'download_status', 'backup_status']);
    expect(exportedRows.slice(1).map((r) => [r[r.length - 4], r[r.length - 2], r[r.length - 1]])).toEqual(inOrder.map((l) => [l.id, 'delivered', 'pending']));
    expect(await snapshot(server.databaseUrl)).toEqual(before);

    const dispatches = await sql(server.databaseUrl, `select delivery_id, status from dispatch where campaign_id = 'files-test' order by delivery_id`);
    expect(dispatches.map((d) => `${d.delivery_id}:${d.status}`)).toEqual([...Array(3).fill('backup:pending'), ...Array(3).fill('download:delivered')]);
  });
});
