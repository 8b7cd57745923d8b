import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityProblems, freshPage, launchChromium, signInAs, type AxeProblem } from '../support/console-browser';
import { TestBuyer } from '../support/test-buyer';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';
import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';

/** Links the crawl does not follow: downloads, and pages that only answer forms. */
const NOT_PAGES = [/\/file(\?|$)/, /\/logout$/, /^\/console\/login/];
const MAX_PAGES = 60;

interface FocusStop {
  what: string;
  visible: boolean;
}

/**
 * Every console page (docs/api.md › Console) a signed-in operator can reach by following links,
 * with leads in every status: no serious or critical axe-core violation, and every link, button
 * and field can be reached with Tab and shows where the focus is.
 */
describe('console: accessibility of every page', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const buyer = new TestBuyer();

  beforeAll(async () => {
    buyer.handler = (req, res) => {
      res.setHeader('content-type', 'application/json');
      const name = new URLSearchParams(req.body).get('first_name');
      if (name === 'Fail') res.statusCode = 503;
      res.end(name === 'Reject' ? '{"result":"failure","reason":"not today"}' : '{"result":"success"}');
    };
    await buyer.start();
    server = await startTestServer('console_a11y', { CAMPAIGNS_DIR: 'test/campaigns-replay', TEST_BUYER_URL: buyer.url, SMTP_URL: 'smtp://127.0.0.1:9' });
    for (const first_name of ['Ok', 'Fail', 'Reject']) {
      await fetch(`${server.url}/v1/campaigns/replay-test/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'replay-key' },
        body: JSON.stringify({ first_name, email: `${first_name.toLowerCase()}@a11y.example`, phone: '512-555-0100' }),
      });
    }
    await eventually(async () => (await sql(server.databaseUrl, "select 1 from dispatch where delivery_id = 'buyer' and status <> 'pending'")).length === 3, 20_000, 'three outcomes');
    // A batch too (its mail server is not there, so it fails), for the batch pages.
    await server.app.get(BatchDeliveries).tick('replay-test', 'mail', new Date());
    browser = await launchChromium();
    ({ context, page } = await freshPage(browser, server.url));
    await page.setViewportSize({ width: 1200, height: 800 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await buyer.stop();
  });

  /** Same-site console links on the page now, as paths. */
  const linksOn = async (): Promise<string[]> =>
    (await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as any).getAttribute('href') as string)))
      .filter((href) => href.startsWith('/console'))
      .filter((href) => !NOT_PAGES.some((re) => re.test(href)));

  /** Tabs through the page: each stop, and whether the focused element shows an outline or ring. */
  const tabStops = async (): Promise<FocusStop[]> => {
    const stops: FocusStop[] = [];
    await page.evaluate(() => (globalThis as any).document.activeElement?.blur());
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        const el = (globalThis as any).document.activeElement;
        if (!el || el.tagName === 'BODY') return undefined;
        const style = (globalThis as any).getComputedStyle(el);
        // A date field's focus is drawn on the part being edited (month, day …), inside the field.
        const drawnInside = el.tagName === 'INPUT' && ['date', 'datetime-local'].includes(el.type);
        const visible = drawnInside || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
        return { what: `${el.tagName.toLowerCase()} ${(el.textContent || el.getAttribute('name') || el.id || '').trim().slice(0, 40)}`, visible };
      });
      if (!stop || stops.some((s) => s.what === stop.what && stops.length > 1 && stops[0].what === stop.what)) break;
      stops.push(stop);
    }
    return stops;
  };

  it('has no serious accessibility problem on any page, and every page can be used by keyboard', async () => {
    const problems: Record<string, AxeProblem[]> = {};
    const unfocusable: Record<string, string[]> = {};
    await page.goto('/console/login');
    problems['/console/login'] = await accessibilityProblems(page);
    await signInAs(page);
    const seen = new Set<string>();
    const queue = ['/console', '/console/search', '/console/search?q=512-555-0100', '/console/audit'];
    while (queue.length && seen.size < MAX_PAGES) {
      const path = queue.shift()!;
      // One page per route shape is enough: ids and queries vary, the template does not.
      const shape = path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\?.*$/, (q) => (q.includes('q=') ? '?q' : ''));
      if (seen.has(shape)) continue;
      seen.add(shape);
      const res = await page.goto(path);
      expect([path, res?.status()]).toEqual([path, 200]);
      const found = await accessibilityProblems(page);
      if (found.length) problems[path] = found;
      const stops = await tabStops();
      const hidden = stops.filter((s) => !s.visible).map((s) => s.what);
      if (hidden.length) unfocusable[path] = hidden;
      // Everything a pointer can press, Tab reaches too.
      const controls = await page.locator('main a[href], main button:not([disabled]), main input:not([type=hidden]), main select').count();
      expect([path, stops.length >= controls]).toEqual([path, true]);
      for (const link of await linksOn()) if (!queue.includes(link)) queue.push(link);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        '/console',
        '/console/search',
        '/console/search?q',
        '/console/audit',
        '/console/campaigns/replay-test',
        '/console/campaigns/replay-test/manual-delivery',
        '/console/campaigns/replay-test/export',
        '/console/campaigns/replay-test/batches',
        '/console/campaigns/replay-test/deliveries/buyer/replay',
        '/console/leads/:id',
        '/console/campaigns/replay-test/deliveries/buyer',
        '/console/campaigns/replay-test/deliveries/mail',
        '/console/batches/:id',
        '/console/time-zone',
      ]),
    );
    expect(problems).toEqual({ '/console/login': [] });
    expect(unfocusable).toEqual({});
  });
});
