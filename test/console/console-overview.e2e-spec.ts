import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { accessibilityProblems, docsScreenshot, freshPage, launchChromium, signInAs } from '../support/console-browser';
import { TestBuyer } from '../support/test-buyer';
import { ADMIN_TOKEN, eventually, sql, startTestServer, type TestServer } from '../support/test-server';

const CHICAGO = 'America/Chicago';

/** PostgreSQL's percentile_cont, worked out here from the stored durations. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
}

/** Presses Tab until `selector` has the focus (at most 40 times), as a keyboard user would. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await page.evaluate((s) => (globalThis as any).document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Every `<time>` on the page: its instant and the text shown. */
const timesOn = (page: Page) => page.locator('time').evaluateAll((els) => els.map((e) => ({ iso: e.getAttribute('datetime')!, text: e.textContent! })));

/**
 * The console's overview and delivery health (docs/api.md › Console › Campaign list, › Delivery
 * page, › Time zone) in Chromium, with a buyer that takes leads and one that answers 500.
 */
describe('console: overview, delivery health and time zones', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const good = new TestBuyer();
  const bad = new TestBuyer();
  let leads: Record<string, string> = {};

  const submit = async (first_name: string, state: string) => {
    const res = await fetch(`${server.url}/v1/campaigns/overview-test/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'overview-key' },
      body: JSON.stringify({ first_name, email: `${first_name.toLowerCase()}@overview.example`, state }),
    });
    return ((await res.json()) as { id: string }).id;
  };
  const dispatch = async (lead: string, delivery: string) =>
    (await sql(server.databaseUrl, 'select status, held_by from dispatch_row where lead_id = $1 and delivery_id = $2', [lead, delivery]))[0];
  const attemptsOf = (delivery: string) =>
    sql<{ at: Date; duration_ms: number; outcome: string; lead_id: string }>(
      server.databaseUrl,
      'select a.at, a.duration_ms, a.outcome, d.lead_id from attempt a join dispatch_row d on d.id = a.dispatch_id where d.delivery_id = $1 order by a.at',
      [delivery],
    );

  beforeAll(async () => {
    let n = 0;
    good.handler = (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.body.includes('Nope')) {
        res.statusCode = 400;
        res.end('{"error":"duplicate lead"}');
      } else setTimeout(() => res.end('{"result":"success"}'), 20 * ++n);
    };
    bad.handler = (_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    };
    await good.start();
    await bad.start();
    server = await startTestServer('console_overview', { CAMPAIGNS_DIR: 'test/campaigns-overview', GOOD_BUYER_URL: good.url, BAD_BUYER_URL: bad.url });
    browser = await launchChromium();

    // Three Texas leads, one at a time: `good` takes two and refuses one, `bad` fails all three,
    // which opens its breaker; then a lead from Oklahoma, skipped by `good`, held by the breaker.
    for (const name of ['Ann', 'Bob', 'Nope']) {
      leads[name] = await submit(name, 'TX');
      await eventually(async () => (await dispatch(leads[name], 'bad'))?.status === 'failed' && (await dispatch(leads[name], 'good'))?.status !== 'pending', 20_000, `${name} final`);
    }
    await eventually(async () => {
      const api = await (await fetch(`${server.url}/v1/campaigns/overview-test`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      return api.deliveries.find((d: { id: string }) => d.id === 'bad').breaker.state === 'open';
    }, 20_000, 'the breaker of bad open');
    leads.Ola = await submit('Ola', 'OK');
    await eventually(async () => (await dispatch(leads.Ola, 'bad'))?.held_by === 'breaker' && (await dispatch(leads.Ola, 'good'))?.status === 'skipped', 20_000, 'Ola held and skipped');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await good.stop();
    await bad.stop();
  });
  beforeEach(async () => {
    ({ context, page } = await freshPage(browser, server.url, { timezoneId: CHICAGO }));
    await page.setViewportSize({ width: 1200, height: 800 });
    await signInAs(page);
  });
  afterEach(async () => {
    await context?.close();
  });

  it('lists leads today and each delivery’s dispatches by status as stored, with a health mark, and leads to a delivery by keyboard', async () => {
    const midnight = DateTime.now().setZone(CHICAGO).startOf('day').toJSDate();
    const [{ n: today }] = await sql(server.databaseUrl, "select count(*)::int as n from lead where campaign_id = 'overview-test' and received_at >= $1", [midnight]);
    const stored = await sql<{ delivery_id: string; status: string; n: number }>(
      server.databaseUrl,
      "select delivery_id, status, count(*)::int as n from dispatch where campaign_id = 'overview-test' group by 1, 2",
    );
    const row = page.locator('table.overview tbody tr', { hasText: 'Overview test' });
    await expect(row.locator('td.today').textContent()).resolves.toBe(String(today));
    expect(today).toBe(4);
    for (const delivery of ['good', 'bad']) {
      const item = row.locator('ul.deliveries li', { has: page.getByRole('link', { name: delivery, exact: true }) });
      for (const status of ['pending', 'delivered', 'rejected', 'failed', 'skipped']) {
        const expected = stored.find((s) => s.delivery_id === delivery && s.status === status)?.n ?? 0;
        await expect(item.locator(`.count[data-status="${status}"]`).textContent()).resolves.toBe(`${status} ${expected}`);
      }
    }
    expect(stored).toEqual(
      expect.arrayContaining([
        { delivery_id: 'good', status: 'delivered', n: 2 },
        { delivery_id: 'good', status: 'rejected', n: 1 },
        { delivery_id: 'good', status: 'skipped', n: 1 },
        { delivery_id: 'bad', status: 'failed', n: 3 },
        { delivery_id: 'bad', status: 'pending', n: 1 },
      ]),
    );
    await expect(row.locator('ul.deliveries li', { hasText: 'bad' }).locator('.health').textContent()).resolves.toBe('breaker open');
    await expect(row.locator('ul.deliveries li', { hasText: 'good' }).locator('.health').textContent()).resolves.toBe('ok');
    expect(await accessibilityProblems(page)).toEqual([]);
    await docsScreenshot(page, 'campaigns.png');

    await tabTo(page, 'a[href="/console/campaigns/overview-test/deliveries/bad"]');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/campaigns/overview-test/deliveries/bad');
    await expect(page.getByRole('heading', { name: /Delivery bad/ }).count()).resolves.toBe(1);

    // The campaign page's contract table links each delivery too.
    await page.goto('/console/campaigns/overview-test');
    await page.locator('table.contracts').getByRole('link', { name: 'good', exact: true }).click();
    await page.waitForURL('**/console/campaigns/overview-test/deliveries/good');
  });

  it('shows a failing delivery’s breaker, since when it fails, its last errors and charts, as the attempts stored say', async () => {
    const attempts = await attemptsOf('bad');
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed']);
    await page.goto('/console/campaigns/overview-test/deliveries/bad');
    expect(await accessibilityProblems(page)).toEqual([]);

    const facts = page.locator('table.facts');
    const breaker = facts.locator('tr', { has: page.locator('th', { hasText: /^Breaker$/ }) });
    await expect(breaker.locator('.health').textContent()).resolves.toBe('open');
    await expect(breaker.textContent()).resolves.toMatch(/Last error: HTTP 500 Internal Server Error/);
    // Failing since the first of the three failures: nothing was answered before them.
    const failing = facts.locator('tr', { hasText: 'Failing since' });
    await expect(failing.locator('time').getAttribute('datetime')).resolves.toBe(attempts[0].at.toISOString());
    await expect(failing.textContent()).resolves.toMatch(/3 failed or retried attempt\(s\) since the last answer/);

    const hour = page.locator('section', { has: page.getByRole('heading', { name: 'Last hour, 5-minute buckets' }) });
    await expect(hour.locator('dl.stats > div', { hasText: 'Success rate' }).locator('dd').first().textContent()).resolves.toBe('0%');
    await expect(hour.locator('dl.stats > div', { hasText: 'Volume' }).locator('dd').first().textContent()).resolves.toBe('3');
    const p50 = Math.round(percentile(attempts.map((a) => a.duration_ms), 0.5));
    await expect(hour.locator('dl.stats > div', { hasText: 'p50' }).locator('dd').textContent()).resolves.toBe(`${p50} ms`);
    // Two charts per window, each an image labelled by its own title.
    for (const name of ['hour', 'day']) {
      for (const chart of ['volume', 'latency']) {
        const svg = page.locator(`svg#chart-${name}-${chart}, svg[aria-labelledby^="chart-${name}-${chart}-title"]`);
        await expect(svg.getAttribute('role')).resolves.toBe('img');
        await expect(svg.locator('title').textContent()).resolves.toMatch(name === 'hour' ? /last hour/ : /last day/);
      }
    }
    await expect(hour.locator('svg[aria-labelledby^="chart-hour-volume"] rect[fill="#b42318"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole('img', { name: /Attempts by outcome, last hour/ }).count()).resolves.toBe(1);

    const errors = page.locator('table[aria-labelledby="errors-heading"] tbody tr');
    await expect(errors.count()).resolves.toBe(3);
    for (const [i, a] of [...attempts].reverse().entries()) {
      const tr = errors.nth(i);
      await expect(tr.locator('time').getAttribute('datetime')).resolves.toBe(a.at.toISOString());
      await expect(tr.textContent()).resolves.toMatch(/failed500HTTP 500 Internal Server Error/);
      await expect(tr.getByRole('link').getAttribute('href')).resolves.toBe(`/console/leads/${a.lead_id}`);
    }
    // The README's picture starts at the delivery's heading: its state, then the last hour's charts.
    await page.getByRole('heading', { name: /Delivery bad/ }).evaluate((h) => h.scrollIntoView());
    await docsScreenshot(page, 'delivery.png');
    await errors.nth(0).getByRole('link').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/leads/${attempts[2].lead_id}`);
  });

  it('shows a working delivery’s success rate and p50/p99 as computed from its stored attempts', async () => {
    const attempts = await attemptsOf('good');
    expect(attempts.map((a) => a.outcome).sort()).toEqual(['delivered', 'delivered', 'rejected']);
    await page.goto('/console/campaigns/overview-test/deliveries/good');
    expect(await accessibilityProblems(page)).toEqual([]);
    const durations = attempts.map((a) => a.duration_ms);
    for (const title of ['Last hour, 5-minute buckets', 'Last day, 1-hour buckets']) {
      const section = page.locator('section', { has: page.getByRole('heading', { name: title }) });
      const stat = (name: string) => section.locator('dl.stats > div', { hasText: name }).locator('dd').first().textContent();
      await expect(stat('Success rate')).resolves.toBe('66.7%');
      await expect(stat('p50')).resolves.toBe(`${Math.round(percentile(durations, 0.5))} ms`);
      await expect(stat('p99')).resolves.toBe(`${Math.round(percentile(durations, 0.99))} ms`);
      await expect(stat('Volume')).resolves.toBe('3');
    }
    await expect(page.locator('table.facts tr', { hasText: 'Failing since' }).textContent()).resolves.toMatch(/not failing/);
    await expect(page.locator('table[aria-labelledby="errors-heading"] tbody').textContent()).resolves.toMatch(/No failed or retried attempt/);
  });

  it('shows times in the browser’s zone by default, and in the zone chosen by keyboard', async () => {
    const shownIn = async (zone: string) => {
      const times = await timesOn(page);
      expect(times.length).toBeGreaterThan(0);
      for (const t of times) expect(t.text).toBe(DateTime.fromISO(t.iso, { zone }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ', { locale: 'en-US' }));
      return times;
    };
    // The browser is in Chicago: tz.js told the server on the login page.
    await page.goto(`/console/leads/${leads.Ann}`);
    await expect(page.getByRole('link', { name: 'Times in America/Chicago' }).count()).resolves.toBe(1);
    expect((await shownIn(CHICAGO)).every((t) => / C[SD]T$/.test(t.text))).toBe(true);

    // Choose Tokyo on the zone page, with the keyboard.
    await tabTo(page, 'a.zone');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/console/time-zone?next=*');
    expect(await accessibilityProblems(page)).toEqual([]);
    await tabTo(page, 'select#zone');
    await page.locator('select#zone').selectOption('Asia/Tokyo');
    await tabTo(page, 'button[type=submit].primary');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/leads/${leads.Ann}`);
    await expect(page.getByRole('link', { name: 'Times in Asia/Tokyo' }).count()).resolves.toBe(1);
    expect((await shownIn('Asia/Tokyo')).every((t) => t.text.endsWith(' GMT+9'))).toBe(true);
    await page.goto('/console/campaigns/overview-test/deliveries/bad');
    await shownIn('Asia/Tokyo');

    // Back to the browser's zone: the cookie goes, tz.js learns Chicago again and reloads.
    await page.goto('/console/time-zone?next=%2Fconsole%2Faudit');
    await page.locator('select#zone').selectOption('');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => (await page.getByRole('link', { name: 'Times in America/Chicago' }).count()) === 1, 10_000, 'Chicago again');
  });

  it('shows UTC without script, and the zone page still works', async () => {
    const { context: noScript, page: plain } = await freshPage(browser, server.url, { timezoneId: CHICAGO, javaScriptEnabled: false });
    try {
      await signInAs(plain);
      await plain.goto('/console/campaigns/overview-test');
      await expect(plain.getByRole('link', { name: 'Times in UTC' }).count()).resolves.toBe(1);
      const utc = await timesOn(plain);
      expect(utc.length).toBeGreaterThan(0);
      for (const t of utc) expect(t.text).toBe(`${t.iso.slice(0, 10)} ${t.iso.slice(11, 19)} UTC`);
      await plain.getByRole('link', { name: 'Times in UTC' }).click();
      await plain.locator('select#zone').selectOption(CHICAGO);
      await plain.getByRole('button', { name: 'Save' }).click();
      await plain.waitForURL('**/console/campaigns/overview-test');
      await expect(plain.getByRole('link', { name: 'Times in America/Chicago' }).count()).resolves.toBe(1);
      expect((await timesOn(plain)).every((t) => / C[SD]T$/.test(t.text))).toBe(true);
    } finally {
      await noScript.close();
    }
  });
});
