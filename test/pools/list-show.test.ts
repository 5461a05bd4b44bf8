import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, displayName, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { createBody, createPool, listNames, phaseOf, pool, POOLS, show, statistics } from './helpers.js';

const HOUR = 3_600_000;
const q = (selector: string) => `?labelSelector=${encodeURIComponent(selector)}`;

describe('GET /v2/{project_id}/pools', () => {
  // One pool in each phase a user can reach without capacity limits, oldest first.
  const p = { running: '', failed: '', deleting: '', creating: '', other: '', teamA: '', teamB: '' };

  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: '10',
    ATELIER_POOL_DELETE_SECONDS: '600',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    const net = await activeNetwork(h.client, h.settle);
    const otherNet = await activeNetwork(h.client, h.settle, { workspaceId: 'ws-list' });
    const make = async (options: Parameters<typeof createBody>[1] = {}, network = net) =>
      (await createPool(h.client, createBody(network, options))).metadata.name as string;
    p.running = await make({ labels: { team: 'a' } });
    p.failed = await make({ labels: { 'atelier.io/simulate': 'CreationFailed', team: 'a' } });
    p.deleting = await make();
    await h.advance(10_000);
    expect((await h.client.delete(pool(p.deleting))).status).toBe(200);
    p.creating = await make({ labels: { team: 'b' } });
    p.other = await make({ labels: { 'os.modelarts/workspace.id': 'ws-list', team: 'a' } }, otherNet);
  });

  it('lists every pool of workspace "0" but failure records, newest first', async () => {
    const res = await h.client.get(POOLS);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body.apiVersion).toBe('v2');
    expect(res.body.kind).toBe('PoolList');
    expect(res.body.items.map((i: any) => [i.metadata.name, i.status.phase])).toEqual([
      [p.creating, 'Creating'],
      [p.deleting, 'Deleting'],
      [p.running, 'Running'],
    ]);
    // Items are whole Pool objects, as a read shows them.
    for (const item of res.body.items) expect(item).toEqual(await show(h.client, item.metadata.name));
  });

  it('treats workspaceId=0 as the default and filters on other workspaces', async () => {
    expect(await listNames(h.client, '?workspaceId=0')).toEqual(await listNames(h.client));
    expect(await listNames(h.client, '?workspaceId=ws-list')).toEqual([p.other]);
    expect(await listNames(h.client, '?workspaceId=ws-none')).toEqual([]);
  });

  it.each([
    ['created', 'running'],
    ['creating', 'creating'],
    ['failed', 'failed'],
    ['deleting', 'deleting'],
  ] as const)('selects the %s bucket', async (status, which) => {
    expect(await listNames(h.client, `?status=${status}`)).toEqual([p[which]]);
  });

  it('selects the pending bucket (empty while no pool waits)', async () => {
    expect(await listNames(h.client, '?status=pending')).toEqual([]);
  });

  it('combines status and workspaceId', async () => {
    expect(await listNames(h.client, '?workspaceId=ws-list&status=creating')).toEqual([p.other]);
    expect(await listNames(h.client, '?workspaceId=ws-list&status=created')).toEqual([]);
  });

  it('filters on labels with a Kubernetes label selector', async () => {
    expect(await listNames(h.client, q('team=a'))).toEqual([p.running]);
    expect(await listNames(h.client, q('team==b'))).toEqual([p.creating]);
    expect(await listNames(h.client, q('team in (a,b)'))).toEqual([p.creating, p.running]);
    expect(await listNames(h.client, q('team!=a'))).toEqual([p.creating, p.deleting]);
    expect(await listNames(h.client, q('!team'))).toEqual([p.deleting]);
    expect(await listNames(h.client, q('team,team notin (b)'))).toEqual([p.running]);
    expect(await listNames(h.client, q('os.modelarts.pool/biz=private,team=b'))).toEqual([p.creating]);
    expect(await listNames(h.client, `${q('team=a')}&status=failed`)).toEqual([p.failed]);
    expect(await listNames(h.client, `${q('team=a')}&workspaceId=ws-list`)).toEqual([p.other]);
    expect(await listNames(h.client, q(''))).toEqual(await listNames(h.client));
  });

  it.each(['?status=running', '?status=Created', '?status=', q('team in (a'), q('team=a=b'), q('=a')])(
    'refuses %s with 400',
    async (query) => {
      expectError(await h.client.get(`${POOLS}${query}`), 400, 'ModelArts.50004000');
    },
  );

  it('counts the same pools in the statistics', async () => {
    expect(await statistics(h.client)).toEqual({ created: 1, creating: 1, deleting: 1, failed: 1, pending: 0 });
    expect(await statistics(h.client, '?workspaceId=ws-list')).toEqual({
      created: 0,
      creating: 1,
      deleting: 0,
      failed: 0,
      pending: 0,
    });
  });
});

describe('GET /v2/{project_id}/pools/{pool_name}', () => {
  let net: string;
  const h = useHarness({ ATELIER_POOL_CREATE_SECONDS: '10', ATELIER_NETWORK_CREATE_SECONDS: '0' });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('answers 404 ModelArts.50015001 for an unknown pool', async () => {
    const res = await h.client.get(pool(`${displayName('ghost')}-0123456789abcdef0123456789abcdef`));
    expectError(res, 404, 'ModelArts.50015001');
  });

  it('answers 404 for the display name instead of the pool name', async () => {
    const name = displayName('byname');
    await createPool(h.client, createBody(net, { name }));
    expectError(await h.client.get(pool(name)), 404, 'ModelArts.50015001');
  });

  it('does not show a pool of another project', async () => {
    const created = await createPool(h.client, createBody(net));
    const other = h.clientFor('another-project-0001');
    const res = await other.get(pool(created.metadata.name));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain(created.metadata.name);
  });

  it('keeps a CreationFailed record readable for 72 hours after the failure, then 404', async () => {
    const failed = await createPool(h.client, createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }));
    await h.advance(10_000);
    const record = await show(h.client, failed.metadata.name);
    expect(record.status.phase).toBe('CreationFailed');
    expect(record.status.resources).toEqual({});
    expect(await statistics(h.client)).toMatchObject({ failed: 1 });
    await h.advance(72 * HOUR - 1);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe('CreationFailed');
    expect(await listNames(h.client, '?status=failed')).toEqual([failed.metadata.name]);
    await h.advance(1);
    expectError(await h.client.get(pool(failed.metadata.name)), 404, 'ModelArts.50015001');
    expect(await listNames(h.client, '?status=failed')).toEqual([]);
    expect(await statistics(h.client)).toMatchObject({ failed: 0 });
  });
});

describe('CreationFailed retention from ATELIER_FAILED_RETENTION_HOURS', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: '10',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_FAILED_RETENTION_HOURS: '2',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('removes the record when the configured retention has passed', async () => {
    const failed = await createPool(h.client, createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }));
    await h.advance(10_000);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe('CreationFailed');
    await h.advance(2 * HOUR - 1);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe('CreationFailed');
    await h.advance(1);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe(404);
  });
});
