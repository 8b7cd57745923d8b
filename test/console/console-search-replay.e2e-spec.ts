import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityProblems, docsScreenshot, freshPage, launchChromium, signInAs } from '../support/console-browser';
import { TestBuyer } from '../support/test-buyer';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';

/** The console's search and bulk replay (docs/api.md › Console), in a real browser against a real buyer. */
describe('console: search and bulk replay', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const buyer = new TestBuyer();
  let accepting = false;

  const submit = (first_name: string, email: string, phone?: string) =>
    fetch(`${server.url}/v1/campaigns/replay-test/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'replay-key' },
      body: JSON.stringify({ first_name, email, ...(phone ? { phone } : {}) }),
    }).then((r) => r.json() as Promise<{ id: string }>);
  const statuses = (ids: string[]) =>
    sql<{ status: string }>(server.databaseUrl, "select status from dispatch where lead_id = any($1::uuid[]) and delivery_id = 'buyer' order by lead_id", [ids]).then((rows) => rows.map((r) => r.status));

  beforeAll(async () => {
    buyer.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      if (accepting) res.end('{"result":"success"}');
      else {
        res.statusCode = 503;
        res.end('{"result":"error"}');
      }
    };
    await buyer.start();
    server = await startTestServer('console_replay', { CAMPAIGNS_DIR: 'test/campaigns-replay', TEST_BUYER_URL: buyer.url, SMTP_URL: 'smtp://127.0.0.1:9' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await buyer.stop();
  });
  beforeEach(async () => {
    ({ context, page } = await freshPage(browser, server.url));
    await page.setViewportSize({ width: 1200, height: 800 });
    await signInAs(page);
  });
  afterEach(async () => {
    await context?.close();
  });

  it('finds a lead by phone written another way, using the keyboard alone', async () => {
    const lead = await submit('Phoebe', 'phoebe@example.com', '512-555-0142');
    await submit('Other', 'other@example.com', '512-555-0199');
    await page.goto('/console/search');
    expect(await accessibilityProblems(page)).toEqual([]);
    // Keyboard only: Tab to the search box, type, Enter.
    for (let i = 0; i < 20 && !(await page.evaluate(() => (globalThis as any).document.activeElement?.id === 'q')); i++) await page.keyboard.press('Tab');
    await page.keyboard.type('(512) 555 0142');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/search\?q=/);
    await expect(page.getByRole('heading', { name: '1 lead(s) with this phone' }).count()).resolves.toBe(1);
    const link = page.locator(`a[href="/console/leads/${lead.id}"]`);
    await expect(link.textContent()).resolves.toBe('Phoebe · phoebe@example.com · 5125550142');
    expect(await accessibilityProblems(page)).toEqual([]);
    await docsScreenshot(page, 'search.png');
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/leads/${lead.id}`);

    await page.goto('/console/search?q=Phoebe');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/lead id, an email address or a phone number/);
  });

  it('searches from the header of any page', async () => {
    const lead = await submit('Hedda', 'hedda@example.com', '512-555-0177');
    await page.goto('/console/audit');
    await page.getByLabel('Search leads by id, email or phone').fill('HEDDA@example.com');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/search\?q=HEDDA/);
    await expect(page.getByRole('heading', { name: '1 lead(s) with this email' }).count()).resolves.toBe(1);
    await expect(page.locator(`a[href="/console/leads/${lead.id}"]`).count()).resolves.toBe(1);
  });

  it('shows the count of 3 failed dispatches before it retries them, then they are delivered', async () => {
    accepting = false;
    const ids: string[] = [];
    for (const name of ['Ann', 'Bob', 'Cy']) ids.push((await submit(name, `${name.toLowerCase()}@replay.example`)).id);
    await eventually(async () => (await statuses(ids)).every((s) => s === 'failed'), 20_000, 'three failed dispatches');
    const failed = (await sql(server.databaseUrl, "select count(*)::int as n from dispatch where delivery_id = 'buyer' and status = 'failed'"))[0].n;

    await page.goto('/console/campaigns/replay-test');
    await page.locator('table.contracts tr', { hasText: 'buyer' }).getByRole('link', { name: 'Retry failed…' }).click();
    await page.waitForURL('**/deliveries/buyer/replay');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Count' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toBe(`${failed} failed dispatch(es) of buyer match.`);
    // Counting changed nothing.
    expect(await statuses(ids)).toEqual(['failed', 'failed', 'failed']);
    expect(await accessibilityProblems(page)).toEqual([]);
    await docsScreenshot(page, 'replay.png');

    accepting = true;
    await page.getByRole('button', { name: `Retry ${failed} dispatch(es)` }).click();
    await page.waitForURL('**/console/campaigns/replay-test?notice=*');
    await expect(page.locator('.notice').textContent()).resolves.toBe(`${failed} failed dispatch(es) of buyer are pending again and will be retried.`);
    await eventually(async () => (await statuses(ids)).every((s) => s === 'delivered'), 20_000, 'the three delivered');
    const audit = await sql(server.databaseUrl, "select actor, lead_count, detail from audit_log where action = 'bulk-retry'");
    expect(audit).toEqual([{ actor: expect.any(String), lead_count: failed, detail: expect.objectContaining({ status: 'failed', via: 'console' }) }]);

    // Nothing failed is left: the count says 0 and the button is disabled.
    await page.goto('/console/campaigns/replay-test/deliveries/buyer/replay?status=failed');
    await expect(page.getByRole('status').textContent()).resolves.toBe('0 failed dispatch(es) of buyer match.');
    await expect(page.getByRole('button', { name: 'Retry 0 dispatch(es)' }).isDisabled()).resolves.toBe(true);
  });

  it('counts in the range typed, and says what is wrong with a range that ends before it starts', async () => {
    await page.goto('/console/campaigns/replay-test/deliveries/buyer/replay?status=failed&since=2026-01-02T00:00&until=2026-01-01T00:00');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/since must be before until/);
    await page.goto('/console/campaigns/replay-test/deliveries/buyer/replay?status=rejected&until=2000-01-01T00:00');
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^0 rejected dispatch\(es\) of buyer match \(before 2000-01-01 00:00 /);
  });
});
