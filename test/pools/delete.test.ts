import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, displayName, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  CPU_8,
  createBody,
  createPool,
  listNames,
  mergePatch,
  phaseOf,
  pool,
  poolQuotaUsed,
  show,
  statistics,
  nodeGroup,
} from './helpers.js';

const CREATE_MS = 10_000;
const DELETE_MS = 5_000;
const SCALE_MS = 5_000;
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('DELETE /v2/{project_id}/pools/{pool_name}', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
    ATELIER_POOL_DELETE_SECONDS: String(DELETE_MS / 1000),
    ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const runningPool = async (options: Parameters<typeof createBody>[1] = {}) => {
    const created = await createPool(h.client, createBody(net, options));
    await h.advance(CREATE_MS);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Running');
    return created.metadata.name as string;
  };

  it('answers the pool in phase Deleting with its deletionTimestamp and its nodes as deleting', async () => {
    const name = await runningPool({ resources: [{ flavor: CPU_8, count: 2 }] });
    const before = await show(h.client, name);
    await h.advance(1_500);
    const res = await h.client.delete(pool(name));
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({
      ...before,
      metadata: { ...before.metadata, deletionTimestamp: rfc3339(h.clock.now()) },
      status: {
        ...before.status,
        phase: 'Deleting',
        resources: { deleting: [nodeGroup(CPU_8, 2)] },
      },
    });
    expect(await show(h.client, name)).toEqual(res.body);
  });

  it('answers a pool of one node with that node as deleting (each phase its counts hold moves)', async () => {
    const name = await runningPool({ resources: [{ flavor: CPU_8, count: 1 }] });
    const res = await h.client.delete(pool(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.status.resources).toEqual({ deleting: [nodeGroup(CPU_8, 1)] });
    expect((await show(h.client, name)).status.resources).toEqual({ deleting: [nodeGroup(CPU_8, 1)] });
  });

  it('keeps the pool readable until the delete time has passed, then 404', async () => {
    const name = await runningPool();
    const deleted = await h.client.delete(pool(name));
    expect(deleted.status).toBe(200);
    await h.advance(DELETE_MS - 1);
    expect(await show(h.client, name)).toEqual(deleted.body);
    expect(await listNames(h.client, '?status=deleting')).toEqual([name]);
    expect(await statistics(h.client)).toMatchObject({ deleting: 1 });
    await h.advance(1);
    expectError(await h.client.get(pool(name)), 404, 'ModelArts.50015001');
    expect(await listNames(h.client)).not.toContain(name);
    expect(await listNames(h.client, '?status=deleting')).toEqual([]);
    expect(await statistics(h.client)).toMatchObject({ deleting: 0 });
    expectError(await h.client.delete(pool(name)), 404, 'ModelArts.50015001');
  });

  it('answers 200 and the same snapshot to a repeated DELETE, without restarting the teardown', async () => {
    const name = await runningPool();
    const first = await h.client.delete(pool(name));
    expect(first.status).toBe(200);
    await h.advance(DELETE_MS - 1_000);
    const second = await h.client.delete(pool(name));
    expect(second.status, second.text).toBe(200);
    expect(second.body).toEqual(first.body);
    await h.advance(1_000);
    expect(await phaseOf(h.client, name)).toBe(404);
  });

  it('deletes a pool that is still Creating; it never becomes Running', async () => {
    const created = await createPool(h.client, createBody(net));
    const name = created.metadata.name;
    await h.advance(CREATE_MS - 1);
    const res = await h.client.delete(pool(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.status.phase).toBe('Deleting');
    expect(res.body.metadata.deletionTimestamp).toBe(rfc3339(h.clock.now()));
    await h.advance(1);
    expect(await phaseOf(h.client, name)).toBe('Deleting');
    await h.advance(DELETE_MS - 1);
    expect(await phaseOf(h.client, name)).toBe(404);
  });

  it('deletes a pool in the middle of a scale-out; the scaling never settles', async () => {
    const name = await runningPool({ resources: [{ flavor: CPU_8, count: 2 }] });
    expect((await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 4 }] } })).status).toBe(200);
    const res = await h.client.delete(pool(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.status.phase).toBe('Deleting');
    await h.advance(SCALE_MS - 1);
    expect(await phaseOf(h.client, name)).toBe('Deleting');
    await h.advance(1);
    expect(await phaseOf(h.client, name)).toBe(404);
  });

  it('deletes a CreationFailed record at once, without counting it against the quota again', async () => {
    const failed = await createPool(h.client, createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }));
    const name = failed.metadata.name;
    await h.advance(CREATE_MS);
    expect(await phaseOf(h.client, name)).toBe('CreationFailed');
    const used = await poolQuotaUsed(h.client);
    const failures = (await statistics(h.client)).failed;
    const res = await h.client.delete(pool(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata.name).toBe(name);
    expect(res.body.status.phase).toBe('Deleting');
    expect(res.body.metadata.deletionTimestamp).toBe(rfc3339(h.clock.now()));
    // A failure record has nothing to tear down.
    expectError(await h.client.get(pool(name)), 404, 'ModelArts.50015001');
    expect(await listNames(h.client, '?status=failed')).not.toContain(name);
    expect(await listNames(h.client, '?status=deleting')).not.toContain(name);
    expect(await poolQuotaUsed(h.client)).toBe(used);
    expect(await statistics(h.client)).toMatchObject({ failed: failures - 1, deleting: 0 });
  });

  it('frees the quota and the display name when the pool is gone', async () => {
    const display = displayName('reuse');
    const name = await runningPool({ name: display });
    const used = await poolQuotaUsed(h.client);
    expect((await h.client.delete(pool(name))).status).toBe(200);
    expect(await poolQuotaUsed(h.client)).toBe(used);
    await h.advance(DELETE_MS);
    expect(await poolQuotaUsed(h.client)).toBe(used - 1);
    const again = await createPool(h.client, createBody(net, { name: display }));
    expect(again.metadata.name).not.toBe(name);
  });

  it('answers 404 ModelArts.50015001 for an unknown pool', async () => {
    expectError(
      await h.client.delete(pool(`${displayName('ghost')}-0123456789abcdef0123456789abcdef`)),
      404,
      'ModelArts.50015001',
    );
  });
});
