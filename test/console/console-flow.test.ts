import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import {
  SEEN_WITHIN_MS,
  ZERO_TIMINGS,
  bucket,
  consolePage,
  engineStep,
  seeAfter,
  signInWithKeys,
} from './console-page.js';

/**
 * The console's main flow in a real browser, on each database: sign in with the access key pair, create a
 * network and a pool from the forms, watch the pool reach Running, scale it, lock one of its nodes, make a creation fail with a
 * fault and see the `failed` bucket rise, delete the pool.
 */
describe.skipIf(!hasChromium('/console'))('the console, in a real browser', { timeout: 90_000 }, () => {
  const adminToken = `admin-${'x'.repeat(20)}`;
  let h: Harness;
  let browser: Browser;
  let baseUrl: string;
  let page: Page;
  const network = uniqueId('net');
  const pool = uniqueId('pool');
  let networkName = '';
  /** The pool's metadata.name (the form gives its display name). */
  let poolName = '';
  beforeAll(async () => {
    h = await startHarness({ ATELIER_ADMIN_TOKEN: adminToken, ...ZERO_TIMINGS });
    // Times on screen are relative to the browser's clock: start the service clock there too.
    h.clock.set(new Date());
    baseUrl = await h.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    page = await consolePage(browser, { viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in with the access key and secret key, and shows the project', async () => {
    await signInWithKeys(page, baseUrl, h.credentials);
    await expect.poll(() => page.getByTestId('who').innerText()).toContain(h.projectId);
    await page.getByTestId('quota-pool').waitFor();
    // Nothing yet: the overview says what to do first.
    await page.getByText('Create a network', { exact: true }).first().waitFor();
  });

  it('creates a network from the form and shows it Active', async () => {
    await page.getByRole('link', { name: 'Networks' }).click();
    await page.getByRole('link', { name: 'Create network' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill(network);
    await page.getByLabel('CIDR', { exact: true }).fill('192.168.0.0/16');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: new RegExp(`Network ${network}`) }).waitFor({ timeout: SEEN_WITHIN_MS });
    await seeAfter(page.locator('h1 [data-phase="Active"]'), engineStep(h));
    networkName = decodeURIComponent(new URL(page.url()).hash.replace('#/networks/', ''));
  });

  it("shows the API's own message in place when it refuses a form", async () => {
    await page.goto(`${baseUrl}/console/#/networks/new`);
    await page.getByLabel('Name', { exact: true }).fill(uniqueId('bad'));
    await page.getByLabel('CIDR', { exact: true }).fill('not-a-cidr');
    await page.getByRole('button', { name: 'Create' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await alert.innerText()).toMatch(/cidr/i);
  });

  it('creates a pool on the Active network and watches it reach Running without a reload', async () => {
    await page.goto(`${baseUrl}/console/#/pools/new`);
    await page.getByLabel('Name', { exact: true }).fill(pool);
    await page.locator('select[name="network"]').selectOption({ index: 0 });
    await page.getByLabel('Nodes', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: new RegExp(`Pool ${pool}`) }).waitFor({ timeout: SEEN_WITHIN_MS });
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    poolName = decodeURIComponent(new URL(page.url()).hash.replace('#/pools/', ''));
    await seeAfter(page.locator('h1 [data-phase="Running"]'), engineStep(h));
    expect(navigations.filter((url) => !url.includes('#'))).toEqual([]);
    // The timeline has the phase changes, from the events.
    await expect.poll(() => page.getByTestId('timeline').locator('li').count()).toBeGreaterThanOrEqual(2);
    // The pool links to its network.
    expect(await page.locator(`dl.spec a[href="#/networks/${encodeURIComponent(networkName)}"]`).count()).toBe(1);
  });

  it('scales the pool by its count per resource', async () => {
    const count = page.locator('form[aria-label="Scale"] input[type="number"]').first();
    await count.fill('2');
    await page.getByRole('button', { name: 'Scale' }).click();
    await page.getByText('Scaling requested.').or(page.getByRole('alert')).waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await page.getByRole('alert').count(), 'no refusal').toBe(0);
    await seeAfter(page.locator('dl.spec dd', { hasText: /^2 × / }), engineStep(h));
    await seeAfter(page.locator('h1 [data-phase="Running"]'), engineStep(h));
  });

  it("opens the pool's nodes, locks one, reboots it and unlocks it", async () => {
    const rows = page.locator('[data-testid="nodes"] tbody tr');
    await seeAfter(rows.nth(1), engineStep(h));
    expect(await rows.count()).toBe(2);
    const first = rows.first();
    const node = (await first.getAttribute('data-node')) as string;
    await expect.poll(() => first.locator('[data-phase]').first().getAttribute('data-phase')).toBe('Available');
    expect(await first.locator('td').nth(4).innerText()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    await first.getByRole('checkbox').check();
    await page
      .getByRole('toolbar', { name: 'Node actions' })
      .getByRole('button', { name: 'Lock', exact: true })
      .click();
    await page.getByText('1 node locked.').waitFor({ timeout: SEEN_WITHIN_MS });
    await expect.poll(() => first.getAttribute('data-locked'), { timeout: SEEN_WITHIN_MS }).toBe('true');
    const listed = await h.client.get(`/v2/{project_id}/pools/${poolName}/nodes`);
    const locked = listed.body.items.find((n: { metadata: { name: string } }) => n.metadata.name === node);
    expect(locked.metadata.annotations['os.modelarts.node/lock.action']).toBe('delete');

    // Reboot: the page says so, and the API shows the reboot as a job of the node.
    await page.getByRole('button', { name: 'Reboot' }).click();
    await page.getByText('1 node rebooting.').or(page.getByRole('alert')).waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await page.getByRole('alert').allInnerTexts(), 'no refusal').toEqual([]);
    const jobs = await h.client.get('/v2/{project_id}/jobs');
    expect(JSON.stringify(jobs.body)).toContain(node);

    // Back from its reboot (the engine's step), the node is Available again; a done action cleared the selection.
    await seeAfter(
      page.locator(`[data-testid="nodes"] tr[data-node="${node}"] [data-phase="Available"]`),
      engineStep(h),
    );
    await first.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('1 node unlocked.').waitFor({ timeout: SEEN_WITHIN_MS });
    await expect.poll(() => first.getAttribute('data-locked'), { timeout: SEEN_WITHIN_MS }).toBe('false');
  });

  it('makes a creation fail with a fault from the emulator panel, and the failed bucket rises', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    const failed = bucket(page, '0', 'failed');
    await expect.poll(() => failed.innerText(), { timeout: SEEN_WITHIN_MS }).toBe('0');

    await page.getByRole('link', { name: 'Emulator' }).click();
    await page.getByLabel('Admin token (ATELIER_ADMIN_TOKEN)', { exact: true }).fill(adminToken);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByRole('form', { name: 'Register a fault' }).waitFor({ timeout: SEEN_WITHIN_MS });
    await page.locator('select[name="operation"]').selectOption('create');
    await page.getByLabel('Pool name (glob)', { exact: true }).fill('doomed-*');
    await page.getByRole('button', { name: 'Register fault' }).click();
    await page.getByTestId('faults').getByText('doomed-*').waitFor({ timeout: SEEN_WITHIN_MS });

    const doomed = uniqueId('doomed-');
    await page.goto(`${baseUrl}/console/#/pools/new`);
    await page.getByLabel('Name', { exact: true }).fill(doomed);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: new RegExp(`Pool ${doomed}`) }).waitFor({ timeout: SEEN_WITHIN_MS });
    await seeAfter(page.locator('h1 [data-phase="CreationFailed"]'), engineStep(h));

    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => failed.innerText(), { timeout: SEEN_WITHIN_MS }).toBe('1');

    // The pools list filters by status and by label selector, as the API does.
    await page.getByRole('link', { name: 'Pools' }).click();
    const rows = page.locator('[data-testid="pools"] [data-pool]');
    await rows.first().waitFor({ timeout: SEEN_WITHIN_MS });
    await page.locator('select[name="status"]').selectOption('failed');
    await expect.poll(() => rows.count(), { timeout: SEEN_WITHIN_MS }).toBe(1);
    expect(await rows.first().getAttribute('data-pool')).toBe(doomed);
    await page.locator('select[name="status"]').selectOption('');
    await page.getByLabel('Label selector', { exact: true }).fill(`os.modelarts/name=${pool}`);
    await expect.poll(() => rows.count(), { timeout: SEEN_WITHIN_MS }).toBe(1);
    expect(await rows.first().getAttribute('data-pool')).toBe(pool);
  });

  it('deletes the pool after asking once more', async () => {
    await page.goto(`${baseUrl}/console/#/pools`);
    await page.getByRole('link', { name: pool, exact: true }).click();
    await page.getByRole('button', { name: 'Delete pool' }).click();
    await page.getByRole('button', { name: 'Yes, delete pool' }).click();
    await page.getByRole('heading', { name: 'Pools' }).waitFor({ timeout: SEEN_WITHIN_MS });
    const row = page.locator(`[data-testid="pools"] [data-pool="${pool}"]`);
    // Deleting, then gone from the list once the engine has torn it down.
    await expect.poll(() => row.count(), { timeout: SEEN_WITHIN_MS }).toBe(1);
    await seeAfter(
      page.getByText('No pool', { exact: false }).or(page.locator('[data-pool]').filter({ hasNotText: pool })),
      engineStep(h),
    );
    await expect.poll(() => row.count(), { timeout: SEEN_WITHIN_MS }).toBe(0);
  });
});
