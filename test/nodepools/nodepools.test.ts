import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { CPU_8, createBody, createPool, mergePatch, pool, show } from '../pools/helpers.js';
import {
  createNodePoolBody,
  defaultOf,
  listNodePools,
  nodePool,
  nodesOf,
  patchNodePool,
  phasesOf,
  postNodePool,
} from './helpers.js';

const CREATE_MS = 10_000;
const SCALE_MS = 5_000;
const DELETE_MS = 5_000;

describe('node pools (nodepools-nodes-jobs.md §4)', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
    ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
    ATELIER_POOL_DELETE_SECONDS: String(DELETE_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const runningPool = async (resources: unknown[] = [{ flavor: CPU_8, count: 2 }]): Promise<string> => {
    const created = await createPool(h.client, createBody(net, { resources }));
    await h.advance(CREATE_MS);
    expect((await show(h.client, created.metadata.name)).status.phase).toBe('Running');
    return created.metadata.name;
  };

  /** What a refusal must leave as it was: the pool, its node pools and their nodes. */
  const snapshot = async (name: string) => {
    const p = await show(h.client, name);
    const pools = await listNodePools(h.client, name);
    const nodes = await Promise.all(pools.map((np) => nodesOf(h.client, name, np.metadata.name)));
    return { p, pools, nodes };
  };

  it('lists and shows the default node pool of each entry; show accepts and ignores continue and limit', async () => {
    const name = await runningPool();
    const items = await listNodePools(h.client, name);
    expect(items).toEqual([
      {
        apiVersion: 'v2',
        kind: 'NodePool',
        metadata: { name: defaultOf(CPU_8) },
        spec: { resources: { flavor: CPU_8, count: 2, maxCount: 2, nodePool: defaultOf(CPU_8) } },
        status: { resources: { available: { flavor: CPU_8, nodePool: defaultOf(CPU_8), count: 2, maxCount: 2 } } },
      },
    ]);
    const shown = await h.client.get(`${nodePool(name, defaultOf(CPU_8))}?limit=10&continue=abc`);
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body).toEqual(items[0]);
  });

  it('creates a node pool: a new spec.resources entry of the pool and its nodes, which come up', async () => {
    const name = await runningPool();
    const res = await postNodePool(
      h.client,
      name,
      createNodePoolBody('cv-team', { flavor: CPU_8, count: 2, maxCount: 2, labels: { team: 'cv' } }),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      apiVersion: 'v2',
      kind: 'NodePool',
      metadata: { name: 'cv-team' },
      spec: { resources: { flavor: CPU_8, count: 2, nodePool: 'cv-team', labels: { team: 'cv' } } },
      status: { resources: { creating: { flavor: CPU_8, nodePool: 'cv-team', count: 2 } } },
    });
    const p = await show(h.client, name);
    expect(p.spec.resources.map((r: any) => [r.nodePool ?? defaultOf(r.flavor), r.count])).toEqual([
      [defaultOf(CPU_8), 2],
      ['cv-team', 2],
    ]);
    expect(p.status.resources.creating).toEqual([{ flavor: CPU_8, nodePool: 'cv-team', count: 2, maxCount: 2 }]);
    const nodes = await nodesOf(h.client, name, 'cv-team');
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      expect(n.status.phase).toBe('Creating');
      expect(n.metadata.labels).toMatchObject({ 'os.modelarts.node/nodepoolname': 'cv-team', team: 'cv' });
    }
    await h.advance(SCALE_MS);
    expect(await phasesOf(h.client, name, 'cv-team')).toEqual({ Available: 2 });
    expect((await show(h.client, name)).status.phase).toBe('Running');
    // An array of one is accepted too (D-NP1).
    const second = await postNodePool(h.client, name, createNodePoolBody('np-b', [{ flavor: CPU_8, count: 1 }]));
    expect(second.status, second.text).toBe(200);
    expect(second.body.spec.resources).toMatchObject({ flavor: CPU_8, count: 1, maxCount: 1, nodePool: 'np-b' });
  });

  it('refuses a duplicate, a bad name, an unknown pool or node pool, and a pool not Running; nothing changes', async () => {
    const name = await runningPool();
    const before = await snapshot(name);
    const create = (npName: string, resources: unknown = { flavor: CPU_8, count: 1 }) =>
      postNodePool(h.client, name, createNodePoolBody(npName, resources));
    expectError(await create(defaultOf(CPU_8)), 400, 'ModelArts.50004000');
    expect((await postNodePool(h.client, name, createNodePoolBody('dup', { flavor: CPU_8, count: 1 }))).status).toBe(
      200,
    );
    await h.advance(SCALE_MS);
    const withDup = await snapshot(name);
    expectError(await create('dup'), 409, 'ModelArts.50035003');
    for (const bad of ['x', 'Upper', '1abc', 'ends-', 'my-default', 'a'.repeat(51), 'under_score']) {
      const res = await create(bad);
      expectError(res, 400, 'ModelArts.50004000');
    }
    expectError(await create('other', { flavor: 'no.such.flavor', count: 1 }), 400, 'ModelArts.50004000');
    // count at least 1; a physical pool's maxCount is its count (§4.3).
    expectError(await create('other', { flavor: CPU_8, count: 0 }), 400, 'ModelArts.50004000');
    expectError(await create('other', { flavor: CPU_8, count: 2, maxCount: 3 }), 400, 'ModelArts.50004000');
    expect(await snapshot(name)).toEqual(withDup);
    expect(withDup.pools).toHaveLength(before.pools.length + 1);

    expectError(
      await postNodePool(h.client, 'no-such-pool', createNodePoolBody('np', { flavor: CPU_8, count: 1 })),
      404,
      'ModelArts.50015001',
    );
    expectError(await h.client.get(nodePool(name, 'nope')), 404, 'ModelArts.50035002');
    expectError(await h.client.get(`${nodePool(name, 'nope')}/nodes`), 404, 'ModelArts.50035002');
    expectError(
      await patchNodePool(h.client, name, 'nope', { spec: { resources: { count: 3 } } }),
      404,
      'ModelArts.50035002',
    );
    expectError(await h.client.delete(nodePool(name, 'nope')), 404, 'ModelArts.50035002');
    expect(await snapshot(name)).toEqual(withDup);

    // A pool being created, or deleted, takes no spec change.
    const creating = (await createPool(h.client, createBody(net))).metadata.name;
    const creatingBefore = await show(h.client, creating);
    expectError(
      await postNodePool(h.client, creating, createNodePoolBody('np', { flavor: CPU_8, count: 1 })),
      400,
      'ModelArts.50004000',
    );
    expectError(
      await patchNodePool(h.client, creating, defaultOf(CPU_8), { spec: { resources: { count: 3 } } }),
      400,
      'ModelArts.50004000',
    );
    expect(await show(h.client, creating)).toEqual(creatingBefore);
  });

  it('never deletes the last node pool; deleting another sends its nodes away and answers the snapshot', async () => {
    const name = await runningPool([{ flavor: CPU_8, count: 1 }]);
    const before = await snapshot(name);
    expectError(await h.client.delete(nodePool(name, defaultOf(CPU_8))), 400, 'ModelArts.50004000');
    expect(await snapshot(name)).toEqual(before);

    expect(
      (await postNodePool(h.client, name, createNodePoolBody('leaving', { flavor: CPU_8, count: 2 }))).status,
    ).toBe(200);
    await h.advance(SCALE_MS);
    const res = await h.client.delete(nodePool(name, 'leaving'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'NodePool',
      metadata: { name: 'leaving' },
      spec: { resources: { flavor: CPU_8, count: 2, nodePool: 'leaving' } },
      status: { resources: { deleting: { nodePool: 'leaving', count: 2 } } },
    });
    const p = await show(h.client, name);
    expect(p.spec.resources).toEqual([{ flavor: CPU_8, count: 1, maxCount: 1 }]);
    expect(p.status.resources.deleting).toEqual([{ flavor: CPU_8, nodePool: 'leaving', count: 2, maxCount: 2 }]);
    expectError(await h.client.get(nodePool(name, 'leaving')), 404, 'ModelArts.50035002');
    await h.advance(SCALE_MS + DELETE_MS);
    expect((await show(h.client, name)).status.resources).toEqual({
      available: [{ flavor: CPU_8, nodePool: defaultOf(CPU_8), count: 1, maxCount: 1 }],
    });
  });

  it('is one record seen from two sides: a pool PATCH shows in the node pool and a node-pool PATCH in the pool', async () => {
    const name = await runningPool([{ flavor: CPU_8, count: 1 }]);
    // The pool adds a node pool of the same flavor under another name, and scales the default one.
    const patched = await mergePatch(h.client, name, {
      spec: {
        resources: [
          { flavor: CPU_8, count: 2 },
          { flavor: CPU_8, count: 1, nodePool: 'second' },
        ],
      },
    });
    expect(patched.status, patched.text).toBe(200);
    await h.advance(SCALE_MS);
    const pools = await listNodePools(h.client, name);
    expect(
      pools.map((np) => [np.metadata.name, np.spec.resources.count, np.status.resources.available?.count]),
    ).toEqual([
      [defaultOf(CPU_8), 2, 2],
      ['second', 1, 1],
    ]);
    // A node pool listed twice is refused.
    const twice = await mergePatch(h.client, name, {
      spec: {
        resources: [
          { flavor: CPU_8, count: 2, nodePool: 'same' },
          { flavor: CPU_8, count: 1, nodePool: 'same' },
        ],
      },
    });
    expectError(twice, 400, 'ModelArts.50004000');
    expect(twice.body.error_msg).toMatch(/listed twice/);

    // The node pool scales; the pool's spec follows.
    const scaled = await patchNodePool(h.client, name, 'second', { spec: { resources: { flavor: CPU_8, count: 3 } } });
    expect(scaled.status, scaled.text).toBe(200);
    expect(scaled.body.spec.resources).toMatchObject({ count: 3, maxCount: 3 });
    expect(scaled.body.status.resources.creating).toMatchObject({ count: 2 });
    const p = await show(h.client, name);
    expect(p.spec.resources[1]).toEqual({ flavor: CPU_8, count: 3, maxCount: 3, nodePool: 'second' });
    await h.advance(SCALE_MS);
    expect(await phasesOf(h.client, name, 'second')).toEqual({ Available: 3 });
    // And back in.
    const shrunk = await patchNodePool(h.client, name, 'second', { spec: { resources: { count: 1 } } });
    expect(shrunk.status, shrunk.text).toBe(200);
    expect(await phasesOf(h.client, name, 'second')).toEqual({ Available: 1, Deleting: 2 });
    await h.advance(SCALE_MS);
    expect(await phasesOf(h.client, name, 'second')).toEqual({ Available: 1 });
    // A pool PATCH that drops the entry deletes the node pool.
    const dropped = await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 2 }] } });
    expect(dropped.status, dropped.text).toBe(200);
    expectError(await h.client.get(nodePool(name, 'second')), 404, 'ModelArts.50035002');
  });

  it('labels and taints reach existing nodes only with the refresh policies, new nodes always', async () => {
    const name = await runningPool([{ flavor: CPU_8, count: 1 }]);
    const np = defaultOf(CPU_8);
    const taint = { key: 'dedicated', value: 'cv', effect: 'NoSchedule' };
    const quiet = await patchNodePool(h.client, name, np, {
      spec: { resources: { count: 2, labels: { team: 'cv' }, taints: [taint] } },
    });
    expect(quiet.status, quiet.text).toBe(200);
    await h.advance(SCALE_MS);
    const nodes = await nodesOf(h.client, name, np);
    const labelled = nodes.filter((n) => n.metadata.labels.team === 'cv');
    expect(labelled).toHaveLength(1);
    expect(labelled[0].status.taints).toEqual([taint]);
    expect(nodes.filter((n) => n.status.taints === undefined)).toHaveLength(1);

    const refresh = await patchNodePool(h.client, name, np, {
      spec: {
        resources: {
          labels: { team: 'nlp' },
          extendParams: { labelPolicyOnExistingNodes: 'refresh', taintPolicyOnExistingNodes: 'refresh' },
        },
      },
    });
    expect(refresh.status, refresh.text).toBe(200);
    for (const n of await nodesOf(h.client, name, np)) {
      expect(n.metadata.labels.team).toBe('nlp');
      expect(n.metadata.labels['os.modelarts.node/nodepoolname']).toBe(np);
      expect(n.status.taints).toEqual([taint]);
    }
    expect((await show(h.client, name)).spec.resources[0].labels).toEqual({ team: 'nlp' });
  });

  it('other edits (os, volumes) reach only the nodes created after them; the existing nodes keep their spec', async () => {
    const name = await runningPool([{ flavor: CPU_8, count: 1 }]);
    const np = defaultOf(CPU_8);
    const [old] = await nodesOf(h.client, name, np);
    const os = { name: 'EulerOS 2.10', imageId: 'img-2', imageType: 'private' };
    const rootVolume = { volumeType: 'SSD', size: '200' };
    const res = await patchNodePool(h.client, name, np, {
      spec: {
        resources: {
          count: 2,
          os,
          rootVolume,
          extendParams: { labelPolicyOnExistingNodes: 'refresh', taintPolicyOnExistingNodes: 'refresh' },
        },
      },
    });
    expect(res.status, res.text).toBe(200);
    await h.advance(SCALE_MS);
    const after = await nodesOf(h.client, name, np);
    expect(after).toHaveLength(2);
    const kept = after.find((n) => n.metadata.name === old.metadata.name);
    const added = after.find((n) => n.metadata.name !== old.metadata.name);
    expect(kept.spec).toEqual(old.spec);
    expect(added.spec).toMatchObject({ flavor: CPU_8, os, rootVolume });
  });

  describe("a node pool's nodes in pages (as ListPoolNodes, decision 27)", () => {
    const page = async (name: string, query: string) => {
      const res = await h.client.get(`${nodePool(name, 'paged')}/nodes${query}`);
      expect(res.status, res.text).toBe(200);
      return res.body as { metadata: { continue?: string; remainingItemCount?: number }; items: any[] };
    };
    const after = (token?: string) => (token ? `&continue=${encodeURIComponent(token)}` : '');
    const names = (items: any[]) => items.map((n) => n.metadata.name as string);

    it('limit pages with continue and remainingItemCount; 0 is the default page; 501, -1, x and bad tokens are 400', async () => {
      const name = await runningPool([
        { flavor: CPU_8, count: 1 },
        { flavor: CPU_8, count: 5, nodePool: 'paged' },
      ]);
      const all = names(await nodesOf(h.client, name, 'paged'));
      expect(all).toHaveLength(5);
      expect([...all].sort()).toEqual(all);
      const seen: string[] = [];
      const remaining: Array<number | undefined> = [];
      let token: string | undefined;
      do {
        const body = await page(name, `?limit=2${after(token)}`);
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...names(body.items));
        remaining.push(body.metadata.remainingItemCount);
        token = body.metadata.continue;
        if (!token) expect(body.metadata).toEqual({});
      } while (token);
      expect(seen).toEqual(all);
      expect(remaining).toEqual([3, 1, undefined]);
      for (const query of ['?limit=0', '?limit=500', '?limit=5', '?limit=0&continue=']) {
        const body = await page(name, query);
        expect(names(body.items), query).toEqual(all);
        expect(body.metadata, query).toEqual({});
      }
      for (const query of ['?limit=501', '?limit=-1', '?limit=x', '?limit=2&continue=bogus', '?continue=%7B']) {
        expectError(await h.client.get(`${nodePool(name, 'paged')}/nodes${query}`), 400, 'ModelArts.50004000');
      }
    });

    it('nodes added and removed between pages: none seen twice, none of those present throughout missed', async () => {
      const name = await runningPool([
        { flavor: CPU_8, count: 1 },
        { flavor: CPU_8, count: 6, nodePool: 'paged' },
      ]);
      const first = names(await nodesOf(h.client, name, 'paged'));
      const removed = new Set<string>();
      const seen: string[] = [];
      let token: string | undefined;
      let count = 6;
      for (let i = 0; i < 50; i += 1) {
        const body = await page(name, `?limit=2${after(token)}`);
        seen.push(...names(body.items));
        token = body.metadata.continue;
        if (!token) break;
        // Between pages: a node not yet listed goes, every other time the node the token names too; two come.
        const unseen = first.filter((n) => !seen.includes(n) && !removed.has(n));
        const leaving = [...(i % 2 === 1 ? [seen.at(-1)!] : []), ...unseen.slice(-1)];
        if (leaving.length > 0) {
          const gone = await h.client.post(`${pool(name)}/nodes/batch-delete`, { deleteNodeNames: leaving });
          expect(gone.status, gone.text).toBe(200);
          for (const n of leaving) removed.add(n);
        }
        count += 2 - leaving.length;
        const grown = await patchNodePool(h.client, name, 'paged', { spec: { resources: { count } } });
        expect(grown.status, grown.text).toBe(200);
        await h.advance(SCALE_MS + DELETE_MS);
      }
      expect(token).toBeUndefined();
      expect(new Set(seen).size).toBe(seen.length);
      for (const survivor of first.filter((n) => !removed.has(n))) expect(seen).toContain(survivor);
      expect(removed.size).toBeGreaterThan(1);
      expect(names(await nodesOf(h.client, name, 'paged')).length).toBeGreaterThan(first.length - removed.size);
    });
  });
});
