import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, SHOTS, signInAs, freshPage } from '../support/console-browser';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { snapshot } from '../files/lead-files.fixture';
import { attachment, batchOf, fileRows, leadIdsOf, MailInbox, postLead, waitFor } from '../email/support/mail-inbox';
import { obliterateQueues } from '../email/support/test-queues';

/** **Run now** on the campaign page (docs/api.md › Console), clicked in a real browser, mailed to a real SMTP server. */
describe('console: Run now on a scheduled delivery', () => {
  let inbox: MailInbox;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const post = (name: string) => postLead(server.url, 'run-now', 'run-key', { first_name: name, email: `${name.toLowerCase()}@example.com` });
  /** The row of one delivery in the campaign page's contract table. */
  const deliveryRow = (id: string) => page.locator('table.contracts tr', { has: page.locator('td', { hasText: new RegExp(`^${id} `) }) });

  beforeAll(async () => {
    inbox = await MailInbox.start();
    server = await startTestServer('console_run_now', { CAMPAIGNS_DIR: 'test/campaigns-run', SMTP_URL: inbox.url });
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

  it('offers Run now only on the scheduled delivery; clicking it mails the pending leads and shows the batch', async () => {
    const leads = [await post('Ann'), await post('Bob')];
    await signInAs(page);
    await page.goto('/console/campaigns/run-now');
    await expect(deliveryRow('nightly').getByRole('button', { name: 'Run now' }).count()).resolves.toBe(1);
    for (const other of ['each-lead', 'download']) await expect(deliveryRow(other).getByRole('button', { name: 'Run now' }).count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'run-now.png'), fullPage: true });

    await deliveryRow('nightly').getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL('**/console/campaigns/run-now/batches?notice=*');
    const [batch] = await sql(server.databaseUrl, `select id from batch where delivery_id = 'nightly'`);
    await expect(page.locator('.notice').textContent()).resolves.toBe(`nightly is running now: batch ${batch.id} with 2 lead(s) is being sent; reload to see its status.`);

    const mail = await waitFor(async () => inbox.server.received.find((m) => batchOf(m) === batch.id), 'the run\'s message');
    expect(leadIdsOf(fileRows(attachment(mail).content).slice(1))).toEqual(leads.map((l) => l.id));
    // Once sent, the Batches tab shows it delivered, as a scheduled batch of two leads.
    await waitFor(async () => ((await sql(server.databaseUrl, 'select status from batch where id = $1', [batch.id]))[0].status === 'delivered' ? true : undefined), 'batch delivered');
    await page.reload();
    const row = page.locator('tr', { has: page.locator(`a[href="/console/batches/${batch.id}/file"]`) });
    await expect(row.locator('td').allTextContents()).resolves.toEqual([expect.any(String), 'scheduled', 'nightly (email)', '2', 'delivered', expect.any(String), '']);
    await page.screenshot({ path: path.join(SHOTS, 'run-now-batches.png'), fullPage: true });

    // Nothing left: a second click says so on the campaign page and makes no batch.
    await page.goto('/console/campaigns/run-now');
    await deliveryRow('nightly').getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL('**/console/campaigns/run-now?notice=*');
    await expect(page.locator('.notice').textContent()).resolves.toContain('nightly had nothing to send');
    expect(await sql(server.databaseUrl, `select id from batch where delivery_id = 'nightly'`)).toEqual([batch]);
  });

  it('shows the refusal as a page for a paused delivery, and refuses a visit without a session; neither changes anything', async () => {
    await post('Later');
    await waitFor(async () => ((await sql(server.databaseUrl, `select 1 from dispatch where delivery_id = 'each-lead' and status = 'pending'`)).length ? undefined : true), 'real-time sends final');
    await signInAs(page);
    await page.goto('/console/campaigns/run-now');
    await deliveryRow('nightly').getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL('**/console/campaigns/run-now?notice=*');
    const before = await snapshot(server.databaseUrl);

    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      deliveryRow('nightly').getByRole('button', { name: 'Run now' }).click(),
    ]);
    expect(answer.status()).toBe(409);
    await expect(page.getByRole('heading', { name: 'Not possible right now' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText("Delivery 'nightly' is paused").isVisible()).resolves.toBe(true);

    const anonymous = await browser.newContext({ baseURL: server.url });
    try {
      const p = '/console/campaigns/run-now/deliveries/nightly/run';
      const res = await anonymous.request.post(p, { maxRedirects: 0 });
      expect(res.status()).toBe(303);
      expect(res.headers().location).toBe(`/console/login?next=${encodeURIComponent(p)}`);
    } finally {
      await anonymous.close();
    }
    expect(await snapshot(server.databaseUrl)).toEqual(before);
  });
});
