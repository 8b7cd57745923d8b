import * as path from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityProblems, freshPage, launchChromium, SHOTS, signInAs } from '../support/console-browser';
import { TestBuyer, type ReceivedRequest } from '../support/test-buyer';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';

const BEARER = 'attempts-bearer-7c41d9e2';
const FORM_KEY = 'attempts-form-key-30b8aa';
const HTTP_DELIVERIES = ['json-buyer', 'xml-buyer', 'form-buyer'];

/**
 * The lead page's attempts (docs/api.md › Console › Lead page) in a real browser: a real buyer
 * answers 503 to JSON, XML and form requests until the test lets it take the lead, then 200 with a
 * body of the same type; the page shows status codes, bodies by their type, redacted headers and,
 * while a dispatch waits, when it tries next and why.
 */
describe('console: attempts people can read', () => {
  const buyer = new TestBuyer();
  let accepting = false;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const card = (delivery: string) => page.locator('.card', { has: page.locator('h2', { hasText: new RegExp(`^${delivery} `) }) });

  function answer(req: ReceivedRequest, res: ServerResponse): void {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, ...(status === 503 ? { 'retry-after': '3' } : {}) });
      res.end(body);
    };
    const kind = new URL(req.url, 'http://buyer').pathname.slice(1);
    if (kind === 'json') return accepting ? send(200, 'application/json', '{"result":"success","id":"j-4711"}') : send(503, 'application/json', '{"result":"busy","reason":"try later"}');
    if (kind === 'xml') return send(accepting ? 200 : 503, 'application/xml', `<?xml version="1.0"?><response><status>${accepting ? 'accepted' : 'busy'}</status><id>x-99</id></response>`);
    return accepting ? send(200, 'application/x-www-form-urlencoded', 'result=success&lead_id=f-12') : send(503, 'text/plain', 'Service busy, come back later');
  }

  beforeAll(async () => {
    buyer.handler = answer;
    await buyer.start();
    server = await startTestServer('console_attempts', {
      CAMPAIGNS_DIR: 'test/campaigns-attempts',
      ATTEMPTS_JSON_URL: `${buyer.url}/json`,
      ATTEMPTS_XML_URL: `${buyer.url}/xml`,
      ATTEMPTS_FORM_URL: `${buyer.url}/form`,
      ATTEMPTS_BEARER_TOKEN: BEARER,
      ATTEMPTS_FORM_KEY: FORM_KEY,
    });
    browser = await launchChromium();
    ({ context, page } = await freshPage(browser, server.url));
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await buyer.stop();
  });

  it('shows each attempt with its status, readable bodies and redacted headers, and the next attempt while one waits', async () => {
    const posted = await fetch(`${server.url}/v1/campaigns/attempts/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'attempts-key' },
      body: JSON.stringify({ name: 'Ann "Annie" Lee', email: 'ann@example.com' }),
    });
    const lead = (await posted.json()) as { id: string };
    // Every buyer has answered 503 at least once, and each dispatch waits for its retry.
    await eventually(async () => {
      const rows = await sql(server.databaseUrl, `select distinct d.delivery_id from attempt a join dispatch d on d.id = a.dispatch_id where d.lead_id = $1 and a.response->>'status' = '503'`, [lead.id]);
      return rows.length === HTTP_DELIVERIES.length;
    }, 30_000, 'a 503 from every buyer');

    // The API says the same: a retry's wait is `heldBy: "retry"` with its time.
    const api = (await (await fetch(`${server.url}/v1/leads/${lead.id}`, { headers: server.admin })).json()) as { dispatches: any[] };
    for (const d of api.dispatches.filter((x) => HTTP_DELIVERIES.includes(x.delivery))) {
      expect([d.delivery, d.status, d.heldBy, Number.isNaN(Date.parse(d.nextAttemptAt))]).toEqual([d.delivery, 'pending', 'retry', false]);
    }
    expect(api.dispatches.find((x) => x.delivery === 'download')).toMatchObject({ status: 'pending', heldBy: null, nextAttemptAt: null });

    await signInAs(page);
    await page.goto(`/console/leads/${lead.id}`);
    for (const delivery of HTTP_DELIVERIES) {
      await expect(card(delivery).locator('h3.attempt').first().textContent()).resolves.toMatch(/^Attempt 1 · .+ · 503 Service Unavailable · \d+ ms · retry$/);
      await expect(card(delivery).locator('.next-attempt').textContent()).resolves.toMatch(/^Next attempt at .+ — held by retry: the last attempt asked for another try/);
    }
    await expect(card('download').locator('.next-attempt').textContent()).resolves.toBe('Next attempt with the next manual delivery.');

    // The JSON request: indented, its quotes plain (no `\"` escapes), the token redacted and marked.
    const json = card('json-buyer');
    const jsonRequest = json.locator('details', { hasText: 'Request' }).last();
    // Its URL came from env(): stored as the origin with the path redacted (docs/security.md › Redaction).
    await expect(jsonRequest.locator('summary').textContent()).resolves.toBe(`Request POST ${buyer.url}/[redacted]`);
    const body = await jsonRequest.locator('pre.body.json').textContent();
    expect(body).toContain('\n  "contact": {\n    "name": "Ann \\"Annie\\" Lee",\n    "email": "ann@example.com"\n  }');
    expect(body).not.toContain('\\"contact\\"');
    await expect(jsonRequest.locator('tr', { has: page.locator('th', { hasText: /^authorization$/i }) }).locator('td').innerHTML()).resolves.toContain('<span class="badge"');
    await expect(jsonRequest.locator('tr', { has: page.locator('th', { hasText: /^authorization$/i }) }).locator('td').textContent()).resolves.toBe('redacted');
    // The form buyer's API key header is marked the same; the text 503 answer is shown as text.
    const form = card('form-buyer');
    await expect(form.locator('details', { hasText: 'Request' }).last().locator('tr', { has: page.locator('th', { hasText: /^x-api-key$/i }) }).locator('td').textContent()).resolves.toBe('redacted');
    await expect(form.locator('details', { hasText: 'Request' }).last().locator('table.form-body tbody tr').allTextContents()).resolves.toEqual(['nameAnn "Annie" Lee', 'emailann@example.com']);
    await expect(form.locator('details', { hasText: 'Response' }).last().locator('pre.body.text').textContent()).resolves.toBe('Service busy, come back later');
    const html = await page.content();
    for (const secret of [BEARER, FORM_KEY]) expect(html).not.toContain(secret);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'lead-attempts-pending.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 800 });
    await json.scrollIntoViewIfNeeded();
    if (process.env.DOCS_SCREENSHOTS) await page.screenshot({ path: path.join('docs/screenshots', 'lead-attempts.png') });

    // The buyers take it now; the download delivers it by hand.
    accepting = true;
    await eventually(async () => {
      const rows = await sql(server.databaseUrl, `select status from dispatch where lead_id = $1 and delivery_id = any($2::text[])`, [lead.id, HTTP_DELIVERIES]);
      return rows.every((r) => r.status === 'delivered');
    }, 30_000, 'every buyer delivered');
    const manual = await fetch(`${server.url}/v1/campaigns/attempts/manual-deliveries`, {
      method: 'POST',
      headers: { ...server.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ delivery: 'download' }),
    });
    expect(manual.status).toBe(201);
    const batch = (await manual.json()) as { id: string };

    await page.reload();
    for (const delivery of HTTP_DELIVERIES) {
      await expect(card(delivery).locator('h3.attempt').last().textContent()).resolves.toMatch(/ · 200 OK · \d+ ms · delivered$/);
      await expect(card(delivery).locator('.next-attempt').count()).resolves.toBe(0);
    }
    const xmlResponse = card('xml-buyer').locator('details', { hasText: 'Response' }).last();
    await expect(xmlResponse.locator('pre.body.xml').textContent()).resolves.toBe('<?xml version="1.0"?>\n<response>\n  <status>accepted</status>\n  <id>x-99</id>\n</response>');
    await expect(card('xml-buyer').locator('details', { hasText: 'Request' }).last().locator('pre.body.xml').textContent()).resolves.toBe(
      '<lead>\n  <name>Ann &quot;Annie&quot; Lee</name>\n  <email>ann@example.com</email>\n</lead>',
    );
    await expect(card('json-buyer').locator('details', { hasText: 'Response' }).last().locator('pre.body.json').textContent()).resolves.toBe('{\n  "result": "success",\n  "id": "j-4711"\n}');
    await expect(card('form-buyer').locator('details', { hasText: 'Response' }).last().locator('table.form-body tbody tr').allTextContents()).resolves.toEqual(['resultsuccess', 'lead_idf-12']);
    // The download's attempt says what it was, with its batch, not "manual delivery of 1 lead(s)".
    const download = card('download');
    await expect(download.locator('h3.attempt').textContent()).resolves.toMatch(/^Attempt 1 · .+ · delivered$/);
    await expect(download.locator('h3.attempt + p').textContent()).resolves.toBe(`Manual download: 1 lead in batch ${batch.id}`);
    await expect(download.getByRole('link', { name: batch.id }).getAttribute('href')).resolves.toBe('/console/campaigns/attempts/batches');
    await expect(download.textContent()).resolves.not.toContain('lead(s)');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'lead-attempts.png'), fullPage: true });
  });
});
