// Capacity counted in nodes (decision 10) through node pools: a node pool takes nodes of its
// flavor's capacity like any scale-out, and deleting one gives them back to waiting pools.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { createBody, createPool, flavorEntry, phaseOf, show, writeFlavorsFile } from '../pools/helpers.js';
import { createNodePoolBody, listNodePools, nodePool, nodesOf, postNodePool } from './helpers.js';

const SMALL = 'atelier.test.np.small';
const STEP_MS = 5_000;

describe('node pools and capacity counted in nodes', () => {
  let h: Harness;
  let net: string;

  beforeAll(async () => {
    h = await startHarness({
      ATELIER_FLAVORS_FILE: writeFlavorsFile([flavorEntry(SMALL, 4)]),
      ATELIER_POOL_CREATE_SECONDS: String(STEP_MS / 1000),
      ATELIER_POOL_DELETE_SECONDS: String(STEP_MS / 1000),
      ATELIER_POOL_SCALE_SECONDS: String(STEP_MS / 1000),
      ATELIER_POOL_QUOTA: '100',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
    });
    net = await activeNetwork(h.client, h.settle);
  });
  afterAll(async () => {
    await h.close();
  });

  it('a node pool takes capacity in nodes; one that does not fit is refused; deleting one admits a waiting pool', async () => {
    const first = (await createPool(h.client, createBody(net, { resources: [{ flavor: SMALL, count: 1 }] }))).metadata
      .name;
    await h.advance(STEP_MS);
    const added = await postNodePool(h.client, first, createNodePoolBody('extra', { flavor: SMALL, count: 2 }));
    expect(added.status, added.text).toBe(200);
    await h.advance(STEP_MS);
    // 3 of the 4 nodes are taken: a node pool of 2 more does not fit, and changes nothing.
    const before = await show(h.client, first);
    const refused = await postNodePool(h.client, first, createNodePoolBody('more', { flavor: SMALL, count: 2 }));
    expectError(refused, 400, 'ModelArts.50004000');
    expect(refused.body.error_msg).toMatch(/capacity/);
    expect(await show(h.client, first)).toEqual(before);
    expect((await listNodePools(h.client, first)).map((np) => np.metadata.name)).toEqual([
      `${SMALL.replace(/\./g, '-')}-default`,
      'extra',
    ]);

    // A pool of 3 waits for the nodes; deleting the node pool of 2 frees them once its nodes are gone.
    const second = (await createPool(h.client, createBody(net, { resources: [{ flavor: SMALL, count: 3 }] }))).metadata
      .name;
    expect(await phaseOf(h.client, second)).toBe('Waiting');
    const deleted = await h.client.delete(nodePool(first, 'extra'));
    expect(deleted.status, deleted.text).toBe(200);
    expect(await phaseOf(h.client, second)).toBe('Waiting');
    await h.advance(STEP_MS);
    expect(await nodesOf(h.client, first, `${SMALL.replace(/\./g, '-')}-default`)).toHaveLength(1);
    expect(await phaseOf(h.client, second)).not.toBe('Waiting');
    await h.advance(STEP_MS);
    expect(await phaseOf(h.client, second)).toBe('Running');
  });
});
