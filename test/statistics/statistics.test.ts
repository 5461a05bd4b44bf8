import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { showPoolStatistics } from '../../src/statistics/statistics.service.js';
import { activeNetwork, displayName, expectError, poolBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const STATISTICS = '/v2/{project_id}/statistics/pools';
const POOLS = '/v2/{project_id}/pools';
const HOUR = 3_600_000;

/** Two flavors: one the installation has only two nodes of, one without limit. */
const CAPPED = 'atelier.test.cpu.capped';
const FREE = 'atelier.test.cpu.free';
const CAPPED_NODES = 2;

const GO_UTC = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])? \+0000 UTC$/;

function writeFlavorsFile(dir: string): string {
  const flavor = (name: string) => ({
    metadata: { name, labels: { 'os.modelarts/scope': 'Train,Infer,Notebook' } },
    spec: { type: 'Dedicate', cpuArch: 'x86', cpu: '8', memory: '32Gi' },
    status: { phase: { 'az-1': 'normal' } },
  });
  const file = join(dir, 'flavors.json');
  writeFileSync(
    file,
    JSON.stringify({ flavors: [{ flavor: flavor(CAPPED), capacity: CAPPED_NODES }, { flavor: flavor(FREE) }] }),
  );
  return file;
}

let flavorsDir: string;
let flavorsFile: string;
beforeAll(() => {
  flavorsDir = mkdtempSync(join(tmpdir(), 'atelier-stats-flavors-'));
  flavorsFile = writeFlavorsFile(flavorsDir);
});
afterAll(() => rmSync(flavorsDir, { recursive: true, force: true }));

/** Pool creation and deletion take a minute of (manual) time; networks are ready at once. */
const SLOW_POOLS = {
  ATELIER_NETWORK_CREATE_SECONDS: '0',
  ATELIER_POOL_CREATE_SECONDS: '60',
  ATELIER_POOL_DELETE_SECONDS: '60',
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function open(env: Record<string, string> = {}): Promise<Harness> {
  h = await startHarness({ ATELIER_FLAVORS_FILE: flavorsFile, ...SLOW_POOLS, ...env });
  return h;
}

async function statistics(harness: Harness, query = '') {
  const res = await harness.client.get(`${STATISTICS}${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { statistics: { status: Record<string, number> }; operationTime: string };
}

async function createPool(harness: Harness, body: ReturnType<typeof poolBody>): Promise<string> {
  const res = await harness.client.post(POOLS, body);
  expect(res.status, res.text).toBe(200);
  return res.body.metadata.name as string;
}

async function phaseOf(harness: Harness, name: string): Promise<string> {
  const res = await harness.client.get(`${POOLS}/${name}`);
  expect(res.status, res.text).toBe(200);
  return res.body.status.phase as string;
}

async function listed(harness: Harness, query: string): Promise<string[]> {
  const res = await harness.client.get(`${POOLS}?${query}`);
  expect(res.status, res.text).toBe(200);
  return (res.body.items as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name);
}

const failing = (network: string, extra: { workspaceId?: string } = {}) =>
  poolBody(network, {
    name: displayName('fail'),
    labels: { 'atelier.io/simulate': 'CreationFailed' },
    resources: [{ flavor: FREE, count: 1 }],
    ...extra,
  });

describe('GET /v2/{project_id}/statistics/pools — shape', () => {
  it('answers the seed shape: all five buckets, zero for an empty project, and operationTime', async () => {
    const harness = await open();
    const res = await harness.client.get(STATISTICS);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toStrictEqual({
      statistics: { status: { created: 0, creating: 0, deleting: 0, failed: 0, pending: 0 } },
      operationTime: '2026-03-01 08:00:00 +0000 UTC',
    });
  });

  it('prints operationTime as Go time.Time.String() of the clock, trailing zeros of the fraction trimmed', async () => {
    const harness = await open();
    const cases: Array<[string, string]> = [
      ['2026-03-01T08:00:00.123Z', '2026-03-01 08:00:00.123 +0000 UTC'],
      ['2026-03-01T08:00:00.500Z', '2026-03-01 08:00:00.5 +0000 UTC'],
      ['2026-03-01T08:00:00.040Z', '2026-03-01 08:00:00.04 +0000 UTC'],
      ['2027-12-31T23:59:59.000Z', '2027-12-31 23:59:59 +0000 UTC'],
    ];
    for (const [now, expected] of cases) {
      harness.clock.set(now);
      const body = await statistics(harness);
      expect(body.operationTime).toBe(expected);
      expect(body.operationTime).toMatch(GO_UTC);
      expect(body.operationTime).not.toContain('m=');
    }
  });

  it('refuses a project the caller was not granted, existing or not, in the ModelArts envelope', async () => {
    const harness = await open();
    // docs/errors.md: the same 403 whether the project exists or not, so callers cannot probe for projects.
    expectError(await harness.clientFor('no-such-project-stats').get(STATISTICS), 403, 'ModelArts.0210');
    const other = await harness.newProject();
    expectError(await harness.clientFor(other.projectId).get(STATISTICS), 403, 'ModelArts.0210');
    // Its owner may read it.
    expect((await other.get(STATISTICS)).status).toBe(200);
  });

  it('answers "project not found" (404 ModelArts.50005101) for a project that does not exist', async () => {
    // Over HTTP this needs a credential granted a project that was since removed (docs/errors.md),
    // which nothing can do yet; the service is the layer that decides it.
    const harness = await open();
    await expect(showPoolStatistics(harness.context, 'no-such-project-stats')).rejects.toMatchObject({
      code: 'ModelArts.50005101',
      status: 404,
    });
  });
});

describe('GET /v2/{project_id}/statistics/pools — buckets', () => {
  it('counts every phase in its bucket, and agrees with ListPools?status=', async () => {
    const harness = await open();
    const net = await activeNetwork(harness.client, harness.settle);

    // Minute 0: one pool that will run, one that will be deleted, one that will fail.
    const running = await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }] }));
    const doomed = await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }] }));
    const failed = await createPool(harness, failing(net));
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 0,
      creating: 3,
      deleting: 0,
      failed: 0,
      pending: 0,
    });

    await harness.advance(60_000);
    expect(await phaseOf(harness, running)).toBe('Running');
    expect(await phaseOf(harness, failed)).toBe('CreationFailed');

    // Minute 1: delete one, take all capped nodes with a second pool, queue a third behind it.
    expect((await harness.client.delete(`${POOLS}/${doomed}`)).status).toBe(200);
    const creating = await createPool(harness, poolBody(net, { resources: [{ flavor: CAPPED, count: CAPPED_NODES }] }));
    const waiting = await createPool(harness, poolBody(net, { resources: [{ flavor: CAPPED, count: 1 }] }));
    expect(await phaseOf(harness, doomed)).toBe('Deleting');
    expect(await phaseOf(harness, creating)).toBe('Creating');
    expect(await phaseOf(harness, waiting)).toBe('Waiting');

    const status = (await statistics(harness)).statistics.status;
    expect(status).toStrictEqual({ created: 1, creating: 1, deleting: 1, failed: 1, pending: 1 });
    expect(await listed(harness, 'status=created')).toEqual([running]);
    expect(await listed(harness, 'status=creating')).toEqual([creating]);
    expect(await listed(harness, 'status=deleting')).toEqual([doomed]);
    expect(await listed(harness, 'status=pending')).toEqual([waiting]);
    expect(await listed(harness, 'status=failed')).toEqual([failed]);

    // Minute 2: the deleted pool is gone, the capped pool runs, the queued one still waits.
    await harness.advance(60_000);
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 2,
      creating: 0,
      deleting: 0,
      failed: 1,
      pending: 1,
    });

    // Freeing the capped nodes admits the waiting pool.
    expect((await harness.client.delete(`${POOLS}/${creating}`)).status).toBe(200);
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 1,
      creating: 0,
      deleting: 1,
      failed: 1,
      pending: 1,
    });
    await harness.advance(60_000);
    expect(await phaseOf(harness, waiting)).toBe('Creating');
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 1,
      creating: 1,
      deleting: 0,
      failed: 1,
      pending: 0,
    });
  });

  it('counts a failure until 72 hours after it, not after', async () => {
    const harness = await open();
    const net = await activeNetwork(harness.client, harness.settle);
    const name = await createPool(harness, failing(net));
    await harness.advance(60_000);
    expect(await phaseOf(harness, name)).toBe('CreationFailed');
    const failedAt = harness.clock.now().getTime();

    await harness.advance(72 * HOUR - 1);
    expect((await statistics(harness)).statistics.status.failed).toBe(1);
    expect(await listed(harness, 'status=failed')).toEqual([name]);

    // Two milliseconds later the failure is older than 72 h: no longer counted, even
    // before the engine has removed the record.
    harness.clock.set(new Date(failedAt + 72 * HOUR + 1));
    expect((await statistics(harness)).statistics.status.failed).toBe(0);
    expect(await listed(harness, 'status=failed')).toEqual([]);

    await harness.settle();
    expect((await harness.client.get(`${POOLS}/${name}`)).status).toBe(404);
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 0,
      creating: 0,
      deleting: 0,
      failed: 0,
      pending: 0,
    });
  });

  it('stops counting a failure as soon as its name is used again (decision 7)', async () => {
    const harness = await open();
    const net = await activeNetwork(harness.client, harness.settle);
    const body = failing(net);
    await createPool(harness, body);
    await harness.advance(60_000);
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 0,
      creating: 0,
      deleting: 0,
      failed: 1,
      pending: 0,
    });

    const retry = structuredClone(body);
    delete (retry.metadata.labels as Record<string, string>)['atelier.io/simulate'];
    await createPool(harness, retry);
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 0,
      creating: 1,
      deleting: 0,
      failed: 0,
      pending: 0,
    });
    expect(await listed(harness, 'status=failed')).toEqual([]);
  });

  it('caps failed at 500, as ListPools?status=failed, and failures do not use the pool quota', async () => {
    const harness = await open({ ATELIER_POOL_CREATE_SECONDS: '0' });
    const net = await activeNetwork(harness.client, harness.settle);
    const started = performance.now();
    const total = 501;
    // Batches as large as the pool quota (15): if failures counted, the second batch would be refused.
    for (let made = 0; made < total;) {
      const batch = Math.min(harness.config.quotas.pool, total - made);
      const results = await Promise.all(Array.from({ length: batch }, () => harness.client.post(POOLS, failing(net))));
      for (const res of results) expect(res.status, res.text).toBe(200);
      made += batch;
      await harness.settle();
    }
    const createMs = performance.now() - started;

    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 0,
      creating: 0,
      deleting: 0,
      failed: 500,
      pending: 0,
    });
    const failedList = await listed(harness, 'status=failed');
    expect(failedList).toHaveLength(500);
    expect(new Set(failedList).size).toBe(500);
    expect(await listed(harness, '')).toEqual([]);

    const quotas = await harness.client.get('/v1/{project_id}/quotas');
    expect(quotas.body.quotas.resources[0]).toEqual({ type: 'pool', quota: 15, used: 0 });
    // A working pool is still accepted next to 501 failure records.
    const ok = await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }] }));
    await harness.settle();
    expect(await phaseOf(harness, ok)).toBe('Running');
    expect((await statistics(harness)).statistics.status).toStrictEqual({
      created: 1,
      creating: 0,
      deleting: 0,
      failed: 500,
      pending: 0,
    });
    console.info(`[statistics] 501 failing pools created and settled in ${Math.round(createMs)} ms`);
  });
});

describe('GET /v2/{project_id}/statistics/pools — workspaces', () => {
  it('counts workspace "0" when workspaceId is absent, other workspaces separately, unknown ones as zeros', async () => {
    const harness = await open({ ATELIER_POOL_CREATE_SECONDS: '0' });
    const net = await activeNetwork(harness.client, harness.settle);
    const wsB = 'ws-stats-b';
    // Default workspace: one pool without the label, one with "0" spelled out.
    await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }] }));
    await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }], workspaceId: '0' }));
    await createPool(harness, failing(net));
    // Workspace B: a running pool, two failures.
    await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }], workspaceId: wsB }));
    await createPool(harness, failing(net, { workspaceId: wsB }));
    await createPool(harness, failing(net, { workspaceId: wsB }));
    await harness.settle();

    const defaults = { created: 2, creating: 0, deleting: 0, failed: 1, pending: 0 };
    expect((await statistics(harness)).statistics.status).toStrictEqual(defaults);
    expect((await statistics(harness, '?workspaceId=0')).statistics.status).toStrictEqual(defaults);
    expect((await statistics(harness, `?workspaceId=${wsB}`)).statistics.status).toStrictEqual({
      created: 1,
      creating: 0,
      deleting: 0,
      failed: 2,
      pending: 0,
    });
    const unknown = await statistics(harness, '?workspaceId=ws-nobody-uses');
    expect(unknown).toStrictEqual({
      statistics: { status: { created: 0, creating: 0, deleting: 0, failed: 0, pending: 0 } },
      operationTime: expect.stringMatching(GO_UTC),
    });
  });

  it('follows a pool that moves to another workspace', async () => {
    const harness = await open({ ATELIER_POOL_CREATE_SECONDS: '0' });
    const net = await activeNetwork(harness.client, harness.settle);
    const name = await createPool(harness, poolBody(net, { resources: [{ flavor: FREE, count: 1 }] }));
    await harness.settle();
    const moved = await harness.client.patch(`${POOLS}/${name}`, {
      metadata: { labels: { 'os.modelarts/workspace.id': 'ws-stats-c' } },
    });
    expect(moved.status, moved.text).toBe(200);
    expect((await statistics(harness)).statistics.status.created).toBe(0);
    expect((await statistics(harness, '?workspaceId=ws-stats-c')).statistics.status.created).toBe(1);
  });
});
