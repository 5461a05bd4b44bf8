import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import type { Harness } from '../helpers/harness.js';

/** How long the console may take to show what the API already says: a few of its polls. */
export const SEEN_WITHIN_MS = 15_000;

/** How often the console polls in these tests: what it shows follows the API within a few of these. */
export const TEST_POLL_MS = 250;

/**
 * A page of the console that polls every TEST_POLL_MS (its `atelier.console.pollMs` setting) instead of
 * 1.5 s, so a test sees a change soon after the engine made it, without waiting for a slow poll.
 */
export async function consolePage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage(options);
  await page.addInitScript(`try { localStorage.setItem('atelier.console.pollMs', '${TEST_POLL_MS}') } catch {}`);
  return page;
}

/** Signs in with the access key pair, as a newcomer does with what the first start printed. */
export async function signInWithKeys(page: Page, baseUrl: string, keys: { accessKey: string; secretKey: string }) {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Access key', { exact: true }).fill(keys.accessKey);
  await page.getByLabel('Secret key', { exact: true }).fill(keys.secretKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: SEEN_WITHIN_MS });
}

/**
 * Waits until the locator shows, running `step` (an engine pass with the clock moved on) between looks:
 * the page is never reloaded, so what appears came from the console's own polling.
 */
export async function seeAfter(locator: Locator, step: () => Promise<void>, deadlineMs = SEEN_WITHIN_MS * 2) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    await step();
    try {
      await locator.first().waitFor({ state: 'visible', timeout: TEST_POLL_MS * 4 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/**
 * Every lifecycle step due at once: with these timings an engine pass finishes what a click asked for, so a
 * test needs no clock move (and the service's clock stays with the browser's, for the relative times shown).
 */
export const ZERO_TIMINGS = Object.fromEntries(
  ['NETWORK_CREATE', 'NETWORK_DELETE', 'POOL_CREATE', 'POOL_DELETE', 'POOL_SCALE', 'PLUGIN_INSTALL'].map((step) => [
    `ATELIER_${step}_SECONDS`,
    '0',
  ]),
);

/** Runs the engine until nothing is due (the timings are zero: nothing waits for the clock). */
export const engineStep = (h: Harness) => () => h.settle();

/** The statistics cell of one bucket of one workspace on the overview. */
export const bucket = (page: Page, workspace: string, name: string) =>
  page.locator(`[data-testid="statistics"] tr[data-workspace="${workspace}"] td[data-bucket="${name}"]`);
