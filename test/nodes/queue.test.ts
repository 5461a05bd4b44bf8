// Capacity counted in nodes (decision 10): scale-outs and new node pools that do not fit wait in
// the same queue per flavor as Waiting pools, first come first served, and their orders wait with them.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import {
  createBody,
  createPool,
  eventsOf,
  flavorEntry,
  listNames,
  mergePatch,
  nodeGroup,
  phaseOf,
  pool,
  show,
  statistics,
  writeFlavorsFile,
} from '../pools/helpers.js';
import { createNodePoolBody, defaultOf, listNodePools, nodesOf, postNodePool } from '../nodepools/helpers.js';
import { listed, orderOf, showOrder } from '../orders/helpers.js';
import { allNodes } from './helpers.js';

const CREATE_MS = 10_000;
const DELETE_MS = 5_000;
const SCALE_MS = 5_000;

/** Four nodes of SMALL in the whole installation. */
const SMALL = 'atelier.test.queue.small';
const DEFAULT_NP = defaultOf(SMALL);

describe('scale-outs and node pools queue for capacity (decision 10)', () => {
  let h: Harness;
  let net: string;
  let flavorsFile: string;

  beforeAll(async () => {
    flavorsFile = writeFlavorsFile([flavorEntry(SMALL, 4)]);
    h = await startHarness({
      ATELIER_FLAVORS_FILE: flavorsFile,
      ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
      ATELIER_POOL_DELETE_SECONDS: String(DELETE_MS / 1000),
      ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
      ATELIER_POOL_QUOTA: '100',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
    });
    net = await activeNetwork(h.client, h.settle);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dirname(flavorsFile), { recursive: true, force: true });
  });

  const small = async (count: number, client: ApiClient = h.client, network = net) =>
    (await createPool(client, createBody(network, { resources: [{ flavor: SMALL, count }] }))).metadata.name as string;
  const scale = (name: string, count: number, client: ApiClient = h.client) =>
    mergePatch(client, name, { spec: { resources: [{ flavor: SMALL, count }] } });
  const resourcesOf = async (name: string, client: ApiClient = h.client) => (await show(client, name)).status.resources;

  /** Deletes every pool of the project and waits until they are gone, so each test starts with free capacity. */
  const clearAll = async (client: ApiClient = h.client) => {
    for (const name of await listNames(client)) expect((await client.delete(pool(name))).status).toBe(200);
    await h.advance(DELETE_MS);
    expect(await listNames(client)).toEqual([]);
  };

  it('accepts a scale-out that does not fit, keeps the pool Running, and admits it when another pool is deleted', async () => {
    const a = await small(2);
    const b = await small(2);
    await h.advance(CREATE_MS);
    const stats = await statistics(h.client);

    const res = await scale(a, 3);
    expect(res.status, res.text).toBe(200);
    expect(res.body.spec.resources).toEqual([{ flavor: SMALL, count: 3, maxCount: 3 }]);
    expect(res.body.status.phase).toBe('Running');
    // The waiting node is no node yet: the roll-up counts the nodes there are, the message says what waits.
    expect(res.body.status.resources).toEqual({ available: [nodeGroup(SMALL, 2)] });
    expect(res.body.status.message).toBe(
      `Waiting for capacity: 1 nodes of flavor ${SMALL} for node pool ${DEFAULT_NP}.`,
    );
    expect(await allNodes(h.client, a)).toHaveLength(2);
    expect(await statistics(h.client)).toEqual(stats);
    // Its order waits too: one createNode item, processing, named by the node pool until the node exists.
    const orderName = orderOf(res.body);
    expect((await listed(h.client, a, orderName)).phase).toBe('running');
    expect((await showOrder(h.client, orderName)).items).toEqual([
      expect.objectContaining({ resourceName: DEFAULT_NP, action: 'createNode', status: 'processing' }),
    ]);
    // However long it takes.
    await h.advance(SCALE_MS);
    expect((await show(h.client, a)).status.message).toMatch(/^Waiting for capacity/);
    expect((await listed(h.client, a, orderName)).phase).toBe('running');

    // B's nodes go: the node A waited for is created, and comes up like any scale-out's.
    expect((await h.client.delete(pool(b))).status).toBe(200);
    await h.advance(DELETE_MS);
    const admitted = await show(h.client, a);
    expect(admitted.status.phase).toBe('Running');
    expect(admitted.status).not.toHaveProperty('message');
    expect(admitted.status.resources).toEqual({ available: [nodeGroup(SMALL, 2)], creating: [nodeGroup(SMALL, 1)] });
    const nodes = await allNodes(h.client, a);
    expect(nodes).toHaveLength(3);
    const fresh = nodes.find((n) => n.status.phase === 'Creating')!;
    expect((await showOrder(h.client, orderName)).items).toEqual([
      expect.objectContaining({ resourceName: fresh.metadata.name, action: 'createNode', status: 'processing' }),
    ]);
    expect((await eventsOf(h, a)).map((e) => e.message)).toContainEqual(
      `Capacity freed: 1 nodes of flavor ${SMALL} join node pool ${DEFAULT_NP}.`,
    );
    await h.advance(SCALE_MS);
    expect(await resourcesOf(a)).toEqual({ available: [nodeGroup(SMALL, 3)] });
    expect((await listed(h.client, a, orderName)).phase).toBe('successed');
    await clearAll();
  });

  it('admits waiting pools and waiting scale-outs in the order they asked, whichever kind', async () => {
    const a = await small(2);
    const b = await small(2);
    await h.advance(CREATE_MS);
    // First a scale-out of A, then a new pool C: one node frees, A's scale-out has it.
    expect((await scale(a, 3)).status).toBe(200);
    const c = await small(1);
    expect(await phaseOf(h.client, c)).toBe('Waiting');
    expect((await scale(b, 1)).status).toBe(200);
    await h.advance(SCALE_MS);
    expect(await resourcesOf(a)).toEqual({ available: [nodeGroup(SMALL, 2)], creating: [nodeGroup(SMALL, 1)] });
    expect(await phaseOf(h.client, c)).toBe('Waiting');

    // Now a new pool D first, then a scale-out of A: the next free node is D's.
    const d = await small(1);
    expect(await phaseOf(h.client, d)).toBe('Waiting');
    expect((await scale(a, 4)).status).toBe(200);
    // B goes: one node, which C (first in the queue) takes; D and A's fourth node still wait.
    expect((await h.client.delete(pool(b))).status).toBe(200);
    await h.advance(DELETE_MS);
    expect(await phaseOf(h.client, c)).toBe('Creating');
    expect(await phaseOf(h.client, d)).toBe('Waiting');
    expect((await show(h.client, a)).status.message).toMatch(/^Waiting for capacity: 1 nodes/);
    // C goes: D asked before A's second scale-out.
    expect((await h.client.delete(pool(c))).status).toBe(200);
    await h.advance(DELETE_MS);
    expect(await phaseOf(h.client, d)).toBe('Creating');
    expect(await allNodes(h.client, a)).toHaveLength(3);
    expect((await show(h.client, a)).status.message).toMatch(/^Waiting for capacity: 1 nodes/);
    await clearAll();
  });

  it('creates a node pool that does not fit with no nodes, and gives it its nodes as capacity frees', async () => {
    const a = await small(1);
    const b = await small(3);
    await h.advance(CREATE_MS);
    const added = await postNodePool(h.client, a, createNodePoolBody('extra', { flavor: SMALL, count: 2 }));
    expect(added.status, added.text).toBe(200);
    expect(added.body).toMatchObject({ kind: 'NodePool', metadata: { name: 'extra' }, status: { resources: {} } });
    expect(added.body.spec.resources).toMatchObject({ flavor: SMALL, count: 2, nodePool: 'extra' });
    expect((await listNodePools(h.client, a)).map((np) => np.metadata.name)).toEqual([DEFAULT_NP, 'extra']);
    expect(await nodesOf(h.client, a, 'extra')).toEqual([]);
    expect((await show(h.client, a)).status.message).toBe(
      `Waiting for capacity: 2 nodes of flavor ${SMALL} for node pool extra.`,
    );

    // B shrinks by one: one node is free, the node pool waits for two.
    expect((await scale(b, 2)).status).toBe(200);
    await h.advance(SCALE_MS);
    expect(await nodesOf(h.client, a, 'extra')).toEqual([]);
    expect((await scale(b, 1)).status).toBe(200);
    await h.advance(SCALE_MS);
    expect(await nodesOf(h.client, a, 'extra')).toHaveLength(2);
    await h.advance(SCALE_MS);
    expect((await listNodePools(h.client, a))[1].status.resources).toEqual({
      available: { flavor: SMALL, nodePool: 'extra', count: 2, maxCount: 2 },
    });
    await clearAll();
  });

  it('cancels the waiting part of a scale-out by a scale-in, failing its order items, and creates nothing later', async () => {
    const a = await small(2);
    const b = await small(2);
    await h.advance(CREATE_MS);
    const out = await scale(a, 4);
    expect(out.status, out.text).toBe(200);
    const orderName = orderOf(out.body);
    // One of the two waiting nodes is cancelled: one item fails, the other still waits.
    expect((await scale(a, 3)).body.status.message).toMatch(/^Waiting for capacity: 1 nodes/);
    expect((await showOrder(h.client, orderName)).items.map((i: any) => i.status).sort()).toEqual([
      'failed',
      'processing',
    ]);
    // The other too: the pool waits for nothing, and the order ends failed.
    const back = await scale(a, 2);
    expect(back.status, back.text).toBe(200);
    expect(back.body.status).not.toHaveProperty('message');
    const ended = await listed(h.client, a, orderName);
    expect(ended.phase).toBe('failed');
    expect(ended.failReason).toMatch(/cancelled/);

    // Capacity frees: nothing is created for A.
    expect((await h.client.delete(pool(b))).status).toBe(200);
    await h.advance(DELETE_MS);
    expect(await allNodes(h.client, a)).toHaveLength(2);
    expect(await resourcesOf(a)).toEqual({ available: [nodeGroup(SMALL, 2)] });
    // And a deleted pool's waiting scale-out goes with it, admitting who queued behind it.
    const c = await small(2);
    await h.advance(CREATE_MS);
    expect((await scale(a, 3)).status).toBe(200);
    const d = await small(1);
    expect(await phaseOf(h.client, d)).toBe('Waiting');
    expect((await h.client.delete(pool(a))).status).toBe(200);
    expect(await phaseOf(h.client, d)).toBe('Waiting');
    await h.advance(DELETE_MS);
    expect(await phaseOf(h.client, d)).toBe('Creating');
    expect(await allNodes(h.client, c)).toHaveLength(2);
    await clearAll();
  });

  it('never gives more nodes than the capacity to scale-outs of two projects racing each other', async () => {
    const others = [await h.newProject(), await h.newProject()];
    const nets = [await activeNetwork(others[0], h.settle), await activeNetwork(others[1], h.settle)];
    for (let round = 0; round < 3; round += 1) {
      const pools = [await small(1, others[0], nets[0]), await small(1, others[1], nets[1])];
      await h.advance(CREATE_MS);
      // Two nodes are free; each asks for two more at the same time.
      const answers = await Promise.all(pools.map((name, i) => scale(name, 3, others[i])));
      for (const res of answers) expect(res.status, res.text).toBe(200);
      const counts = await Promise.all(pools.map(async (name, i) => (await allNodes(others[i], name)).length));
      expect(counts.sort()).toEqual([1, 3]);
      expect(answers.filter((res) => res.body.status.message !== undefined)).toHaveLength(1);
      await h.advance(SCALE_MS);
      for (const client of others) await clearAll(client);
    }
  });

  it('still refuses bad input with 400 and changes nothing', async () => {
    const a = await small(2);
    await h.advance(CREATE_MS);
    const before = await show(h.client, a);
    // More nodes than the flavor has in the whole installation could never start.
    expectError(await scale(a, 5), 400, 'ModelArts.50004000');
    // Nor could node pools of one flavor that add up to more.
    const np = await postNodePool(h.client, a, createNodePoolBody('huge', { flavor: SMALL, count: 3 }));
    expectError(np, 400, 'ModelArts.50004000');
    expect(np.body.error_msg).toMatch(/capacity of 4/);
    expect(await show(h.client, a)).toEqual(before);
    expect(await listNodePools(h.client, a)).toHaveLength(1);
    // Nothing queued: a pool that fits starts at once.
    expect(await phaseOf(h.client, await small(2))).toBe('Creating');
    await clearAll();
  });
});
