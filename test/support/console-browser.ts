import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { ADMIN_TOKEN } from './test-server';

/** Where the console suites put screenshots for a person to look at (not kept in git). */
export const SHOTS = process.env.CONSOLE_SCREENSHOTS ?? path.join(os.tmpdir(), 'leadrelay-console');

/** The machine's Chromium, headless, with nothing that would call out of the test. */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Signs in with the admin token as a person does, landing on the campaigns page. */
export async function signInAs(page: Page): Promise<void> {
  await page.goto('/console/login');
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console$/);
}

/** A fresh browser context (no cookies) on the console at `baseURL`, with its one page; `options` such as `timezoneId` go to the context. */
export async function freshPage(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true, baseURL, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One accessibility problem axe-core found on a page, as the suites report it. */
export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) in the page as it is now and answers the serious and critical
 * violations, for `expect(await accessibilityProblems(page)).toEqual([])`. The script is evaluated
 * through the browser's debugging protocol, so the console's Content-Security-Policy (no script)
 * stays as it is.
 */
export async function accessibilityProblems(page: Page): Promise<AxeProblem[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n: any) => n.target.join(' ')) }));
  });
}

/**
 * Screenshots the README and docs show (docs/screenshots/), of the viewport: written only when
 * DOCS_SCREENSHOTS is set (`DOCS_SCREENSHOTS=1 npx jest test/console`), so an ordinary run leaves
 * the committed pictures alone. Every run still writes the full page to SHOTS.
 */
export async function docsScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  if (process.env.DOCS_SCREENSHOTS) await page.screenshot({ path: path.join('docs/screenshots', name) });
}
