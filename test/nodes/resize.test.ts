// batch-resize: nodes change flavor under an order placed with the change; refusals change nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { adminOk, useAdminHarness } from '../admin/helpers.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { listed, showOrder } from '../orders/helpers.js';
import { eventsOf, flavorEntry, show, writeFlavorsFile } from '../pools/helpers.js';
import { action, allNodes, namesOf, runningPool } from './helpers.js';

const SMALL = 'atelier.test.resize.small';
const BIG = 'atelier.test.resize.big';
const OTHER = 'atelier.test.resize.other';
const SMALL_POOL = `${SMALL.replace(/\./g, '-')}-default`;
const big = flavorEntry(BIG, 3);
big.flavor.spec.cpu = '16';

describe('batch-resize: nodes change flavor, as an order', () => {
  const h = useAdminHarness({
    ATELIER_FLAVORS_FILE: writeFlavorsFile([flavorEntry(SMALL), big, flavorEntry(OTHER)]),
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_QUOTA: '100',
  });
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });
  const resize = (pool: string, names: string[], target: Record<string, unknown>, source = { flavor: SMALL }) =>
    h.client.post(action(pool, 'batch-resize'), { nodes: [{ deleteNodeNames: names }], source, target });

  it('the nodes take the new flavor; spec, counts, events and the order follow; the order ends successed', async () => {
    const pool = await runningPool(h, net, [{ flavor: SMALL, count: 3 }]);
    const [n1, n2, n3] = namesOf(await allNodes(h.client, pool));
    const eventsBefore = (await eventsOf(h, pool)).length;
    const res = await resize(pool, [n1, n2], { flavor: BIG });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ orderName: expect.stringMatching(new RegExp(`^${pool}-resizeNodes-[a-z0-9]{5}$`)) });
    const orderName = res.body.orderName as string;
    // Placed with the change: listable before anything else happens.
    expect(await listed(h.client, pool, orderName)).toMatchObject({ phase: 'running', action: 'resizeNode' });
    const during = await allNodes(h.client, pool);
    const changed = during.filter((n) => [n1, n2].includes(n.metadata.name));
    expect(changed.map((n) => [n.status.phase, n.spec.flavor])).toEqual([
      ['Checking', BIG],
      ['Checking', BIG],
    ]);
    expect(changed[0].status.resources.cpu).toBe('15800m');
    expect(changed[0].metadata.labels['os.modelarts.node/nodepoolname']).toBe(`${BIG.replace(/\./g, '-')}-default`);
    expect(during.find((n) => n.metadata.name === n3)).toMatchObject({ spec: { flavor: SMALL } });
    const shown = await show(h.client, pool);
    expect(shown.metadata.labels['os.modelarts/order.name']).toBe(orderName);
    expect(shown.spec.resources).toEqual([
      expect.objectContaining({ flavor: SMALL, count: 1 }),
      expect.objectContaining({ flavor: BIG, count: 2 }),
    ]);
    const events = (await eventsOf(h, pool)).slice(eventsBefore).map((e) => e.reason);
    expect(events).toContain('PoolResourcesStatusChange');

    await h.settle();
    const after = await allNodes(h.client, pool);
    expect(after.map((n) => n.status.phase)).toEqual(['Available', 'Available', 'Available']);
    const status = (await show(h.client, pool)).status.resources;
    expect(status.available).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ flavor: SMALL, count: 1 }),
        expect.objectContaining({ flavor: BIG, count: 2 }),
      ]),
    );
    expect(await listed(h.client, pool, orderName)).toMatchObject({ phase: 'successed' });
    const items = (await showOrder(h.client, orderName)).items;
    expect(items.map((i: any) => [i.resourceName, i.action, i.status])).toEqual([
      [n1, 'resizeNode', 'succeed'],
      [n2, 'resizeNode', 'succeed'],
    ]);
  });

  it('capacity of the target flavor is checked, and the resized nodes count against it', async () => {
    const pool = await runningPool(h, net, [{ flavor: SMALL, count: 4 }]);
    const names = namesOf(await allNodes(h.client, pool));
    const before = await allNodes(h.client, pool);
    // Three of BIG exist in all (capacity 3), two are taken by the first test's pool.
    expectError(await resize(pool, names.slice(0, 2), { flavor: BIG }), 400, 'ModelArts.50004000');
    expect(await allNodes(h.client, pool)).toEqual(before);
    const one = await resize(pool, names.slice(0, 1), { flavor: BIG });
    expect(one.status, one.text).toBe(200);
    await h.settle();
    expectError(await resize(pool, names.slice(1, 2), { flavor: BIG }), 400, 'ModelArts.50004000');
  });

  it('refusals answer 400 and change nothing', async () => {
    const pool = await runningPool(h, net, [{ flavor: SMALL, count: 2 }]);
    const [n1, n2] = namesOf(await allNodes(h.client, pool));
    await h.client.post(action(pool, 'batch-lock'), { nodeNames: [n2], actions: ['delete'] });
    const before = await allNodes(h.client, pool);
    const spec = (await show(h.client, pool)).spec;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['unknown node', { nodes: [{ deleteNodeNames: ['nope'] }], source: {}, target: { flavor: OTHER } }],
      [
        'duplicate',
        { nodes: [{ deleteNodeNames: [n1] }, { deleteNodeNames: [n1] }], source: {}, target: { flavor: OTHER } },
      ],
      ['empty list', { nodes: [], source: {}, target: { flavor: OTHER } }],
      ['no names', { nodes: [{ batchUID: 'b-1' }], source: {}, target: { flavor: OTHER } }],
      ['unknown flavor', { nodes: [{ deleteNodeNames: [n1] }], source: {}, target: { flavor: 'no.such.flavor' } }],
      ['same flavor', { nodes: [{ deleteNodeNames: [n1] }], source: {}, target: { flavor: SMALL } }],
      ['no target flavor', { nodes: [{ deleteNodeNames: [n1] }], source: {}, target: {} }],
      ['wrong source', { nodes: [{ deleteNodeNames: [n1] }], source: { flavor: OTHER }, target: { flavor: BIG } }],
      ['locked node', { nodes: [{ deleteNodeNames: [n2] }], source: {}, target: { flavor: OTHER } }],
      ['no target', { nodes: [{ deleteNodeNames: [n1] }], source: {} }],
      [
        'node pool of another flavor',
        { nodes: [{ deleteNodeNames: [n1] }], source: {}, target: { flavor: OTHER, nodePool: SMALL_POOL } },
      ],
    ];
    for (const [what, body] of cases) {
      const res = await h.client.post(action(pool, 'batch-resize'), body);
      expect(res.status, `${what}: ${res.text}`).toBe(400);
      expectError(res, 400, 'ModelArts.50004000');
    }
    // A node in a phase that forbids it: Checking after a reboot.
    await h.client.post(action(pool, 'batch-reboot'), { nodeNames: [n1] });
    expectError(await resize(pool, [n1], { flavor: OTHER }, { flavor: SMALL }), 400, 'ModelArts.50004000');
    await h.settle();
    expect(await allNodes(h.client, pool)).toEqual(before);
    expect((await show(h.client, pool)).spec).toEqual(spec);
    const missing = await resize('pool-nope', [n1], { flavor: OTHER });
    expectError(missing, 404, 'ModelArts.50015001');
  });

  it('a node that does not come back fails its item: the order ends failed', async () => {
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'nodeReboot', name: '*', count: 1 }, 201);
    const pool = await runningPool(h, net, [{ flavor: SMALL, count: 2 }]);
    const [n1] = namesOf(await allNodes(h.client, pool));
    const res = await resize(pool, [n1], { flavor: OTHER });
    expect(res.status, res.text).toBe(200);
    await h.settle();
    const shown = await listed(h.client, pool, res.body.orderName);
    expect(shown).toMatchObject({ phase: 'failed' });
    expect((await showOrder(h.client, res.body.orderName)).items).toMatchObject([{ status: 'failed' }]);
    await adminOk(h, 'DELETE', '/_atelier/faults');
  });
});
