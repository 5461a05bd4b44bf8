import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { ApiClient } from '../helpers/client.js';
import { activeNetwork, poolBody } from '../helpers/fixtures.js';
import { startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import { BUILTIN_FLAVORS } from '../../src/flavors/builtin-flavors.js';
import { SEEN_WITHIN_MS, ZERO_TIMINGS, bucket, consolePage, seeAfter, signInWithKeys } from './console-page.js';

const ASSETS = new URL('../../console/dist/assets/', import.meta.url);
/** `UPDATE_SCREENSHOTS=1 npx vitest run test/console` writes the README's pictures (docs/console-*.png). */
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** The built-in catalogue with a finite capacity of two T4 nodes, so a second T4 pool waits. */
const T4 = 'modelarts.vm.gpu.t4';
function flavorsFile(dir: string): string {
  const file = join(dir, 'flavors.json');
  const flavors = BUILTIN_FLAVORS.map((entry) =>
    entry.flavor.metadata.name === T4 ? { ...entry, capacity: 2 } : entry,
  );
  writeFileSync(file, JSON.stringify({ flavors }));
  return file;
}

async function shoot(page: Page, file: string) {
  const shot = await page.screenshot({ type: 'png', fullPage: true });
  // A blank page would be a few kilobytes.
  expect(shot.length).toBeGreaterThan(20_000);
  if (UPDATE_SCREENSHOTS) writeFileSync(new URL(`../../docs/${file}`, import.meta.url), shot);
}

/**
 * The rest of the console, once (SQLite): a password sign-in and switching projects, a big pool's nodes by
 * pages with drain and delete, the emulator panel, a phone's width, the keyboard, the screenshots in the
 * README and the numbers in docs/performance.md. One browser for the file; after the sign-in tests, one
 * signed-in page (`shared`) goes through the steps that build on each other.
 */
describe.skipIf(!hasChromium('/console'))('the console, beyond the main flow', { timeout: 90_000 }, () => {
  const adminToken = `admin-${'y'.repeat(20)}`;
  let h: Harness;
  let browser: Browser;
  let baseUrl: string;
  let second: { id: string; name: string };
  /** A key pair granted both projects. */
  let keys: { accessKey: string; secretKey: string };
  /** Signed in with `keys` by the project-switching test; the later tests go on with it. */
  let shared: Page;
  /** The pool with a few nodes the README's picture and the node pages show. */
  let training = '';
  const step = () => h.settle();
  const password = `pw-${uniqueId()}`;
  const dir = mkdtempSync(join(tmpdir(), 'atelier-console-'));
  beforeAll(async () => {
    h = await startHarness({
      ATELIER_ADMIN_TOKEN: adminToken,
      ATELIER_FLAVORS_FILE: flavorsFile(dir),
      ...ZERO_TIMINGS,
    });
    h.clock.set(new Date());
    baseUrl = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const account = await h.context.identity.requireAccount('default');
    const project = await h.context.identity.createProject(account.id, {
      id: uniqueId('proj'),
      name: uniqueId('second'),
    });
    second = project;
    keys = await h.context.identity.createCredential(account.id, [h.projectId, second.id]);
    await h.context.identity.createUser(account.id, 'alice', password, [h.projectId, second.id]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with a password, shows the account and switches between the granted projects', async () => {
    const page = await consolePage(browser);
    await page.goto(`${baseUrl}/console/`);
    await page.getByRole('tab', { name: 'Password' }).click();
    await page.getByLabel('User', { exact: true }).fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Project', { exact: true }).fill(h.projectId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await page.getByTestId('account').innerText()).toContain('default');
    expect(await page.getByTestId('who').innerText()).toContain('alice');

    // A token is scoped to one project: switching asks IAM for another with the password kept in memory.
    const network = await activeNetwork(ApiClient.inject(h.app, second.id, keys), step);
    await page.getByLabel('Another project id', { exact: true }).fill(second.id);
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.getByText(second.name).or(page.getByRole('alert')).waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await page.getByRole('alert').count(), 'no refusal').toBe(0);
    expect(await page.getByTestId('project-name').innerText()).toBe(second.name);
    await page.getByRole('link', { name: 'Networks' }).click();
    // In the table: until the hash change is rendered, the overview's events link the same network (twice).
    await page.locator(`[data-testid="networks"] a[href="#/networks/${network}"]`).waitFor({ timeout: SEEN_WITHIN_MS });
    await page.close();
  });

  it('switches between the projects an access key is granted', async () => {
    shared = await consolePage(browser, { viewport: { width: 1280, height: 900 } });
    const page = shared;
    await signInWithKeys(page, baseUrl, keys);
    await page.getByTestId('project-switch').selectOption(second.id);
    await page.getByRole('link', { name: 'Networks' }).click();
    await page.locator('[data-testid="networks"] a[href^="#/networks/"]').first().waitFor({ timeout: SEEN_WITHIN_MS });
    await page.getByTestId('project-switch').selectOption(h.projectId);
    await page.getByText('No networks yet.').waitFor({ timeout: SEEN_WITHIN_MS });
  });

  it('refuses a wrong secret key with the server’s message, in place', async () => {
    const page = await consolePage(browser);
    await page.goto(`${baseUrl}/console/`);
    await page.getByLabel('Access key', { exact: true }).fill(h.credentials.accessKey);
    await page.getByLabel('Secret key', { exact: true }).fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await page.getByRole('alert').innerText()).not.toBe('');
    await page.close();
  });

  it('renders the overview quickly, from a small bundle, and takes the README’s pictures', async () => {
    // Something to look at: two workspaces, a running pool, a failed one.
    const network = await activeNetwork(h.client, step);
    const running = await h.client.post(
      '/v2/{project_id}/pools',
      poolBody(network, { name: 'training', resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 6 }] }),
    );
    training = running.body.metadata.name as string;
    const other = await activeNetwork(h.client, step, { workspaceId: 'team-b' });
    const inference = await h.client.post(
      '/v2/{project_id}/pools',
      poolBody(other, { name: 'inference', workspaceId: 'team-b' }),
    );
    expect(inference.status, inference.text).toBe(200);
    await h.app.inject({
      method: 'POST',
      url: '/_atelier/faults',
      headers: auth(adminToken),
      payload: { operation: 'create', name: 'batch-*' },
    });
    await h.client.post('/v2/{project_id}/pools', poolBody(network, { name: 'batch-night' }));
    // Two T4 pools of two nodes: the second waits for the first's capacity.
    for (const name of ['vision', 'vision-next']) {
      const created = await h.client.post(
        '/v2/{project_id}/pools',
        poolBody(network, { name, resources: [{ flavor: T4, count: 2 }] }),
      );
      expect(created.status, created.text).toBe(200);
      await h.settle();
    }

    const page = shared;
    await page.goto(`${baseUrl}/console/#/`);
    // The API lists one workspace at a time: the overview shows the ones named.
    await page.getByRole('form', { name: 'Show a workspace' }).getByLabel('Workspace').fill('team-b');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => bucket(page, 'team-b', 'created').innerText(), { timeout: SEEN_WITHIN_MS }).toBe('1');
    await expect.poll(() => bucket(page, '0', 'failed').innerText(), { timeout: SEEN_WITHIN_MS }).toBe('1');
    await expect.poll(() => bucket(page, '0', 'pending').innerText(), { timeout: SEEN_WITHIN_MS }).toBe('1');
    await expect.poll(() => page.getByTestId(`waiting-${T4}`).innerText()).toBe('1 waiting');
    // Time to first render: a reload of the signed-in overview, until pools and quotas are on screen.
    await page.reload();
    await page.getByTestId('quota-pool').waitFor();
    await page.getByTestId('events').waitFor({ timeout: SEEN_WITHIN_MS });
    const firstRenderMs = await page.evaluate(
      () => performance.getEntriesByName('atelier-overview-rendered')[0]?.startTime ?? -1,
    );
    const files = readdirSync(ASSETS).filter((f) => /\.(js|css)$/.test(f));
    const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(new URL(f, ASSETS)), { level: 9 }).length, 0);
    process.stderr.write(
      `console: bundle ${(gzipped / 1024).toFixed(1)} KiB gzipped (${files.length} files), ` +
        `first render of the overview ${Math.round(firstRenderMs)} ms after navigation\n`,
    );
    expect(firstRenderMs).toBeGreaterThan(0);
    expect(firstRenderMs).toBeLessThan(5_000);
    expect(gzipped).toBeLessThan(150 * 1024);
    await page.getByRole('heading', { name: 'Flavors' }).scrollIntoViewIfNeeded();
    await shoot(page, 'console-overview.png');

    await page.goto(`${baseUrl}/console/#/pools/${running.body.metadata.name}`);
    await page.locator('h1 [data-phase="Running"]').waitFor({ timeout: SEEN_WITHIN_MS });
    await page.getByTestId('timeline').waitFor({ timeout: SEEN_WITHIN_MS });
    await page.locator('[data-testid="nodes"] tbody tr').nth(5).waitFor({ timeout: SEEN_WITHIN_MS });
    await shoot(page, 'console-pool.png');
  });

  it("pages through a pool's nodes by continue token, drains one and deletes one after asking", async () => {
    const page = shared;
    await page.goto(`${baseUrl}/console/#/pools/${training}`);
    const rows = page.locator('[data-testid="nodes"] tbody tr');
    await rows.nth(5).waitFor({ timeout: SEEN_WITHIN_MS });
    await page.locator('select[name="node-page-size"]').selectOption('5');
    await expect.poll(() => rows.count(), { timeout: SEEN_WITHIN_MS }).toBe(5);
    expect(await page.getByTestId('node-page').innerText()).toBe('Page 1, 1 more node');
    const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-node')));
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count(), { timeout: SEEN_WITHIN_MS }).toBe(1);
    const last = (await rows.first().getAttribute('data-node')) as string;
    expect(firstPage).not.toContain(last);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rows.count(), { timeout: SEEN_WITHIN_MS }).toBe(5);

    // Drain the first node: it takes no new work.
    const drained = rows.first();
    await drained.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Drain' }).click();
    await page.getByText('1 node drained.').waitFor({ timeout: SEEN_WITHIN_MS });
    await drained.getByText('drained').waitFor({ timeout: SEEN_WITHIN_MS });

    // Delete the second, after asking once more: the pool shrinks by one.
    await drained.getByRole('checkbox').uncheck();
    const doomed = (await rows.nth(1).getAttribute('data-node')) as string;
    await rows.nth(1).getByRole('checkbox').check();
    expect(await page.getByTestId('selected-count').innerText()).toBe('1 selected');
    await page.getByRole('button', { name: 'Delete nodes' }).click();
    await page.getByRole('button', { name: 'Yes, delete nodes' }).click();
    await page.getByText('1 node being deleted.').or(page.getByRole('alert')).waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await page.getByRole('alert').count(), 'no refusal').toBe(0);
    await seeAfter(page.locator('dl.spec dd', { hasText: /^5 × / }), step);
    await seeAfter(page.getByTestId('node-page').getByText('Page 1', { exact: true }), step);
    expect(await page.locator(`[data-node="${doomed}"]`).count()).toBe(0);
  });

  it('says when the nodes are loading, and shows an error the API answers in their place', async () => {
    const page = shared;
    // The node list is held, then refused: the rest of the pool's page is unaffected.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const nodeList = (url: URL) => url.pathname.endsWith('/nodes');
    await page.route(nodeList, async (route) => {
      await held;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        json: { error_code: 'ModelArts.50005000', error_msg: 'the node list is unavailable' },
      });
    });
    await page.goto(`${baseUrl}/console/#/pools/${training}`);
    await page.reload(); // a fresh page: nothing cached
    await page.getByTestId('pool-nodes').getByText('Loading the nodes…').waitFor({ timeout: SEEN_WITHIN_MS });
    await page.locator('h1 [data-phase="Running"]').waitFor();
    release();
    await page
      .getByTestId('pool-nodes')
      .getByRole('alert')
      .getByText('the node list is unavailable')
      .waitFor({ timeout: SEEN_WITHIN_MS });
    await page.unroute(nodeList);
    await page.locator('[data-testid="nodes"] tbody tr').first().waitFor({ timeout: SEEN_WITHIN_MS });
  });

  it('drives the emulator: lifecycle timing and advance, faults, the clock, reset', async () => {
    const page = shared;
    await page.getByRole('link', { name: 'Emulator' }).click();
    await page.getByText('The controls need the admin token').waitFor();
    await page.getByLabel('Admin token (ATELIER_ADMIN_TOKEN)', { exact: true }).fill(adminToken);
    await page.getByRole('button', { name: 'Use token' }).click();

    // Lifecycle: pool creation waits for an advance, which the panel gives.
    await page.getByLabel('poolCreate mode', { exact: true }).selectOption('manual');
    await page.getByTestId('timings').getByText('waits for advance').waitFor({ timeout: SEEN_WITHIN_MS });
    expect((await h.app.inject({ url: '/_atelier/lifecycle', headers: auth(adminToken) })).json()).toMatchObject({
      timings: { poolCreate: { mode: 'manual' } },
    });
    const network = await activeNetwork(h.client, step);
    const created = await h.client.post('/v2/{project_id}/pools', poolBody(network));
    await h.advance(3_600_000);
    const name = created.body.metadata.name as string;
    expect((await h.client.get(`/v2/{project_id}/pools/${name}`)).body.status.phase).toBe('Creating');
    await page.getByRole('button', { name: 'Advance every pending step' }).click();
    await page.getByText(/\d+ step\(s\) advanced/).waitFor({ timeout: SEEN_WITHIN_MS });
    expect((await h.client.get(`/v2/{project_id}/pools/${name}`)).body.status.phase).toBe('Running');
    await page.getByLabel('poolCreate mode', { exact: true }).selectOption('auto');

    // Faults: registered, listed, cleared.
    await page.locator('select[name="operation"]').selectOption('scale');
    await page.getByRole('button', { name: 'Register fault' }).click();
    await page.getByTestId('faults').getByText('scale').waitFor({ timeout: SEEN_WITHIN_MS });
    await page.getByRole('button', { name: 'Clear all faults' }).click();
    await page.getByText('No faults registered').waitFor({ timeout: SEEN_WITHIN_MS });

    // The clock: read, then moved an hour.
    await expect.poll(() => page.getByTestId('clock').innerText()).toContain('0 s ahead');
    await page.getByLabel('Seconds forward', { exact: true }).fill('3600');
    await page.getByRole('button', { name: 'Move the clock' }).click();
    await expect
      .poll(() => page.getByTestId('clock').innerText(), { timeout: SEEN_WITHIN_MS })
      .toContain('3600 s ahead');

    // Reset: this project's resources go, after asking once more.
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Yes, reset' }).click();
    await page.getByText(/Removed \d+ pool\(s\) and \d+ network\(s\)/).waitFor({ timeout: SEEN_WITHIN_MS });
    expect((await h.client.get('/v2/{project_id}/pools')).body.items).toEqual([]);
  });

  it('fits a phone’s width and is reachable from the keyboard', async () => {
    const page = shared;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/', '#/pools', '#/networks', '#/pools/new', '#/emulator']) {
      await page.goto(`${baseUrl}/console/${hash}`);
      await page.locator('main h1').first().waitFor();
      const overflow = (await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      )) as number;
      // On failure, name what sticks out: the elements whose right edge is past the page's.
      const wide =
        overflow > 1
          ? await page.evaluate(`[...document.querySelectorAll('main *')]
              .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
              .slice(-3).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
          : [];
      expect(overflow, `${hash} ${JSON.stringify(wide)}`).toBeLessThanOrEqual(1);
    }
    // Tab from the top of the page to the Pools link and follow it with Enter.
    await page.goto(`${baseUrl}/console/#/`);
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    let reached = false;
    for (let i = 0; i < 10 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      // A string, evaluated in the page: the test's own types have no DOM.
      reached = (await page.evaluate("document.activeElement?.textContent === 'Pools'")) as boolean;
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pools' }).waitFor();
  });
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
