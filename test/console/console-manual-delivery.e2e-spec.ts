import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { accessibilityProblems, docsScreenshot, freshPage, launchChromium, SHOTS, signInAs } from '../support/console-browser';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { download, parseFile, submitLead, type SubmittedLead } from '../files/lead-files.fixture';

/**
 * Tools → Manual Delivery in Chromium (docs/api.md › Console › Manual Delivery): the press lands on
 * the batch's page, which says what was delivered and downloads the same file as the API; the
 * Manual Delivery page then shows the new count, and a delivery with nothing to take has its
 * button off and says why — nothing pending, or its cap used up.
 */
describe('console: manual delivery and its batch page', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let leads: SubmittedLead[];

  const section = (delivery: string): Locator => page.getByRole('region', { name: delivery, exact: true });
  const deliverButton = (delivery: string): Locator => section(delivery).getByRole('button', { name: 'Download and mark delivered' });

  beforeAll(async () => {
    server = await startTestServer('console_manual', { CAMPAIGNS_DIR: 'test/campaigns-manual' });
    leads = [];
    for (const name of ['Ana', 'Bo', 'Cy']) leads.push(await submitLead(server, 'manual-test', { name, email: `${name.toLowerCase()}@example.com` }, 'manual-key'));
    browser = await launchChromium();
    ({ context, page } = await freshPage(browser, server.url));
    await page.setViewportSize({ width: 1200, height: 800 });
    await signInAs(page);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('delivers by keyboard, lands on the batch page with the count, the batch and a link to the same file, and the new pending count', async () => {
    await page.goto('/console/campaigns/manual-test/manual-delivery');
    await expect(section('download').locator('.pending-count').textContent()).resolves.toBe('3 lead(s) pending');
    await expect(section('capped').locator('.pending-count').textContent()).resolves.toBe('3 lead(s) pending');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'manual-delivery-before.png'), fullPage: true });

    // Tab to the download delivery's button: it takes the focus and shows it; Enter presses it.
    const target = deliverButton('download');
    let focused = false;
    for (let i = 0; i < 40 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await target.evaluate((el) => el === (globalThis as any).document.activeElement);
    }
    expect(focused).toBe(true);
    const ring = await target.evaluate((el) => {
      const style = (globalThis as any).getComputedStyle(el);
      return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    });
    expect(ring).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/batches\/[0-9a-f-]{36}$/);

    const batchId = new URL(page.url()).pathname.split('/').pop()!;
    await expect(page.getByRole('status').textContent()).resolves.toMatch(new RegExp(`^\\s*Delivered 3 lead\\(s\\) of delivery download in batch ${batchId}\\.\\s*$`));
    await expect(page.locator('.pending-now').textContent()).resolves.toBe('0');
    expect(await sql(server.databaseUrl, 'select lead_count, status from batch where id = $1', [batchId])).toEqual([{ lead_count: 3, status: 'delivered' }]);
    expect(await accessibilityProblems(page)).toEqual([]);
    await docsScreenshot(page, 'manual-delivery-result.png');

    // The link downloads the batch's file: the same bytes as the API's, under its own name.
    const link = page.getByRole('link', { name: /^Download manual-test-download-/ });
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(file.suggestedFilename()).toMatch(new RegExp(`^manual-test-download-\\d{4}-\\d{2}-\\d{2}-${batchId}\\.csv$`));
    const saved = path.join(SHOTS, file.suggestedFilename());
    await file.saveAs(saved);
    const bytes = fs.readFileSync(saved);
    expect(bytes.equals((await download(server, `/v1/batches/${batchId}/file`)).bytes)).toBe(true);
    expect(parseFile(bytes, 'csv').rows).toEqual([['name', 'email', 'lead_id', 'received_at'], ...leads.map((l) => [l.data.name, l.data.email, l.id, l.receivedAt])]);

    // Back on Manual Delivery: nothing is pending for download, so its button is off and says so.
    await page.getByRole('link', { name: 'Back to Manual Delivery' }).click();
    await page.waitForURL('**/console/campaigns/manual-test/manual-delivery');
    await expect(section('download').locator('.pending-count').textContent()).resolves.toBe('0 lead(s) pending');
    await expect(deliverButton('download').isDisabled()).resolves.toBe(true);
    await expect(section('download').getByText('Nothing is pending for download: there is nothing to deliver until a lead arrives.').isVisible()).resolves.toBe(true);
    await expect(deliverButton('capped').isEnabled()).resolves.toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await docsScreenshot(page, 'manual-delivery-nothing-pending.png');
  });

  it('takes what a cap leaves, then turns the button off naming the cap; a stale form is refused with a 409 page and stores nothing', async () => {
    await page.goto('/console/campaigns/manual-test/manual-delivery');
    await section('capped').getByLabel('Include a header row').uncheck();
    await deliverButton('capped').click();
    await page.waitForURL(/\/console\/batches\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Delivered 2 lead(s) of delivery capped');
    await expect(page.locator('.pending-now').textContent()).resolves.toBe('1');
    await expect(page.getByText('TSV.').isVisible()).resolves.toBe(true);

    await page.getByRole('link', { name: 'Back to Manual Delivery' }).click();
    await page.waitForURL('**/console/campaigns/manual-test/manual-delivery');
    await expect(section('capped').locator('.pending-count').textContent()).resolves.toBe('1 lead(s) pending');
    await expect(deliverButton('capped').isDisabled()).resolves.toBe(true);
    await expect(section('capped').locator('.held').textContent()).resolves.toMatch(/^The cap of 2 per day is used up until \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC: the 1 pending lead\(s\) wait for the next window\.$/);

    // A form sent anyway (a page left open from before): the page again, saying why, and no batch.
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const before = await sql(server.databaseUrl, 'select id from batch order by id');
    for (const [delivery, why] of [
      ['download', "Delivery 'download' has no pending leads. Nothing was delivered and no batch made."],
      ['capped', "Delivery 'capped' took no lead: cap 2/day reached, so its pending leads wait for the next window. Nothing was delivered and no batch made."],
    ]) {
      const answer = await context.request.post('/console/campaigns/manual-test/manual-delivery', {
        form: { _csrf: csrf, delivery, format: 'csv', header: 'true' },
        headers: { origin: server.url },
        maxRedirects: 0,
      });
      expect([delivery, answer.status()]).toEqual([delivery, 409]);
      expect(await answer.text()).toContain(why.replace(/'/g, '&#x27;'));
    }
    expect(await sql(server.databaseUrl, 'select id from batch order by id')).toEqual(before);
    await page.screenshot({ path: path.join(SHOTS, 'manual-delivery-capped.png') });
  });

  it('lists every batch with a link to its page', async () => {
    await page.goto('/console/campaigns/manual-test/batches');
    const rows = page.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    await rows.first().getByRole('link').first().click();
    await page.waitForURL(/\/console\/batches\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('of delivery capped');
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});
