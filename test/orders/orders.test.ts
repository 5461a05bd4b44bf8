// Orders over HTTP (orders-billing-terraform.md §1, decisions 16–19): every asynchronous pool change
// places one, named in the answer's label, listable at once and following the pool's nodes.
import { describe, expect, it } from 'vitest';
import { activeNetwork } from '../helpers/fixtures.js';
import { useAdminHarness } from '../admin/helpers.js';
import { CPU_8, createBody, createPool, mergePatch, phaseOf, show, statistics } from '../pools/helpers.js';
import { patchNodePool } from '../nodepools/helpers.js';
import { listed, listOrders, orderOf, showOrder } from './helpers.js';

describe('orders of pay-per-use pools', () => {
  const h = useAdminHarness();

  it('a create places a running order before the answer; it ends successed with one item per node', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network, { resources: [{ flavor: CPU_8, count: 2 }] }));
    const id = created.metadata.name as string;
    const name = orderOf(created);
    expect(name.startsWith(`${id}-createPool-`)).toBe(true);
    // Listable before the engine ran, as Terraform looks for it (decision 16).
    const since = h.clock.now().getTime() - 3_600_000;
    const first = await listOrders(h.client, { involvedName: id, limit: 500, offset: 0, since });
    expect(first.count).toBe(1);
    expect(first.items[0]).toMatchObject({
      orderName: name,
      resourceName: id,
      resourceType: 'pools',
      phase: 'running',
    });
    expect(first.items[0].endTimestamp).toBe(0);
    const before = await showOrder(h.client, name);
    expect(before.count).toBe(3);
    expect(before.items.map((i: any) => [i.action, i.status])).toEqual([
      ['createPool', 'processing'],
      ['createNode', 'processing'],
      ['createNode', 'processing'],
    ]);
    expect(typeof before.items[0].beginTimestamp).toBe('string');

    await h.settle();
    expect(await phaseOf(h.client, id)).toBe('Running');
    const done = await listed(h.client, id, name);
    expect(done).toMatchObject({ phase: 'successed', failReason: '' });
    expect(done.endTimestamp).toBeGreaterThanOrEqual(done.beginTimestamp);
    const after = await showOrder(h.client, name);
    expect(after.items.every((i: any) => i.status === 'succeed')).toBe(true);
    // The succeed items name the pool and its nodes, as Terraform reads them.
    const nodes = await h.client.get(`/v2/{project_id}/pools/${id}/nodes`);
    const nodeNames = nodes.body.items.map((n: any) => n.metadata.name).sort();
    expect(
      after.items
        .slice(1)
        .map((i: any) => i.resourceName)
        .sort(),
    ).toEqual(nodeNames);
    // involvedName also matches the display name (decision 18).
    const byDisplay = await listOrders(h.client, { involvedName: created.metadata.labels['os.modelarts/name'] });
    expect(byDisplay.items.map((o: any) => o.orderName)).toEqual([name]);
  });

  it('a count change via PATCH places a new order; a description change places none', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network, { resources: [{ flavor: CPU_8, count: 1 }] }));
    const id = created.metadata.name as string;
    await h.settle();

    const up = await mergePatch(h.client, id, { spec: { resources: [{ flavor: CPU_8, count: 3 }] } });
    expect(up.status, up.text).toBe(200);
    const upOrder = orderOf(up.body);
    expect(upOrder).not.toBe(orderOf(created));
    expect(upOrder).toContain('-scalePool-');
    const pending = await showOrder(h.client, upOrder);
    expect(pending.items.map((i: any) => [i.action, i.status])).toEqual([
      ['createNode', 'processing'],
      ['createNode', 'processing'],
    ]);
    await h.settle();
    expect((await listed(h.client, id, upOrder)).phase).toBe('successed');
    expect((await showOrder(h.client, upOrder)).items.every((i: any) => i.status === 'succeed')).toBe(true);

    const down = await mergePatch(h.client, id, { spec: { resources: [{ flavor: CPU_8, count: 1 }] } });
    expect(down.status, down.text).toBe(200);
    const downOrder = orderOf(down.body);
    expect((await showOrder(h.client, downOrder)).items.map((i: any) => i.action)).toEqual([
      'deleteNode',
      'deleteNode',
    ]);
    await h.settle();
    expect((await listed(h.client, id, downOrder)).phase).toBe('successed');

    const described = await mergePatch(h.client, id, {
      metadata: { annotations: { 'os.modelarts/description': 'no order for this' } },
    });
    expect(described.status, described.text).toBe(200);
    expect(orderOf(described.body)).toBe(downOrder);
    expect((await listOrders(h.client, { involvedName: id })).count).toBe(3);
    // Newest first.
    expect((await listOrders(h.client, { involvedName: id })).items.map((o: any) => o.orderName)).toEqual([
      downOrder,
      upOrder,
      orderOf(created),
    ]);
  });

  it('a workspace move places an order with nothing to wait for, successed at once (D-O7)', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network));
    await h.settle();
    const moved = await mergePatch(h.client, created.metadata.name, {
      metadata: { labels: { 'os.modelarts/workspace.id': 'ws-orders' } },
    });
    expect(moved.status, moved.text).toBe(200);
    const name = orderOf(moved.body);
    expect(name).toContain('-moveWorkspace-');
    expect(await listed(h.client, created.metadata.name, name)).toMatchObject({ phase: 'successed' });
    expect(await showOrder(h.client, name)).toEqual({ count: 0, items: [] });
  });

  it('pages newest first, counts before paging, filters by phase and time', async () => {
    const all = await listOrders(h.client, { limit: 2 });
    expect(all.items).toHaveLength(2);
    expect(all.count).toBeGreaterThan(2);
    const rest = await listOrders(h.client, { limit: 500, offset: 2 });
    expect(rest.items).toHaveLength(all.count - 2);
    const times = [...all.items, ...rest.items].map((o: any) => o.creationTimestamp);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect((await listOrders(h.client, { phase: 'running' })).count).toBe(0);
    expect((await listOrders(h.client, { since: h.clock.now().getTime() + 1 })).count).toBe(0);
  });

  it('a node pool count change places an order too', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network, { resources: [{ flavor: CPU_8, count: 1 }] }));
    const id = created.metadata.name as string;
    await h.settle();
    const res = await patchNodePool(h.client, id, `${CPU_8.replace(/\./g, '-')}-default`, {
      spec: { resources: { flavor: CPU_8, count: 2 } },
    });
    expect(res.status, res.text).toBe(200);
    const pool = await show(h.client, id);
    const name = orderOf(pool);
    expect(name).toContain('-scalePool-');
    await h.settle();
    expect((await listed(h.client, id, name)).phase).toBe('successed');
    expect((await statistics(h.client)).creating).toBe(0);
  });
});
