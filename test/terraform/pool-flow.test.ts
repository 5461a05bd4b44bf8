// The Terraform provider's pool resource, call for call, on each database (issue 13, "done when"): the
// data sources, a network and a GPU pool on it created as the provider creates them (the order, the
// node drivers reaching Running, the scopes reaching Enabled, the Read), a second plan with no change,
// a scale from 1 to 2 nodes, a description and labels change (no order, shown at once), and a destroy
// of both, each waited for until 404. The client (./provider.ts, ./pool-provider.ts) is written from
// the provider's source; its order steps are in ./pool-orders.ts. The provider's waits (20 s, 30 s,
// 45 s, 10 s) run on the harness's clock, so the flow takes seconds.
import { beforeAll, describe, expect, it } from 'vitest';
import { displayName } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  createPool,
  deletePool,
  listPoolNodes,
  planPool,
  showPool,
  updatePool,
  type PoolConfig,
} from './pool-provider.js';
import {
  asArray,
  asMap,
  asString,
  pathSearch,
  providerFor,
  type Provider,
  type ProviderHttpError,
} from './provider.js';

const GPU = 'modelarts.vm.gpu.t4';
/** Longer than the provider's first look at the drivers, so it sees them Pending once. */
const NODE_CREATE_SECONDS = 40;

describe('the Terraform provider: a pool from apply to destroy', () => {
  const h = useHarness({
    ATELIER_NETWORK_QUOTA: '100',
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NODE_CREATE_SECONDS: String(NODE_CREATE_SECONDS),
  });
  let provider: Provider;
  beforeAll(() => {
    provider = providerFor(h);
  });

  /** huaweicloud_modelartsv2_resource_pool_nodes: what its flatteners assert of each node. */
  async function dataPoolNodes(id: string) {
    const nodes = await listPoolNodes(provider, id);
    for (const node of nodes) {
      asMap(pathSearch('metadata.labels', node, {}), 'node labels');
      asMap(pathSearch('metadata.annotations', node, {}), 'node annotations');
      asArray(pathSearch('status.plugins', node, []), 'node plugins');
      asString(pathSearch('status.driver.phase', node, ''), 'node driver phase');
      asString(pathSearch('status.privateIp', node, ''), 'node privateIp');
    }
    return nodes;
  }

  it('network and pool: create, a second plan, a scale, a description change, destroy', async () => {
    const network = await provider.createNetwork({
      name: displayName('tf-net'),
      cidr: '10.168.0.0/16',
      peerConnections: [],
      sfsTurbos: [],
    });
    expect(network.read!.status).toBe('Active');
    const flavors = await provider.dataResourceFlavors();
    expect(flavors.map((f) => pathSearch('metadata.name', f, ''))).toContain(GPU);

    const config: PoolConfig = {
      name: displayName('tf-pool'),
      description: 'training, team a',
      scope: ['Infer', 'Notebook'],
      networkId: network.id,
      resources: [
        {
          flavorId: GPU,
          count: 1,
          nodePool: 'np-gpu',
          labels: { team: 'a' },
          taints: [{ key: 'dedicated', value: 'infer', effect: 'NoSchedule' }],
          tags: { owner: 'team-a' },
          extendParams: JSON.stringify({ dockerBaseSize: '50' }),
          rootVolume: { volumeType: 'SSD', size: '100Gi' },
        },
      ],
    };

    // apply 1: the pool. Its nodes' drivers are Pending at the provider's first look, Running at the next.
    const from = provider.calls.length;
    let state = await createPool(provider, config);
    const id = state.id;
    const created = calls(from, id);
    expect(state.warnings).toEqual([]);
    expect(state.read).toMatchObject({
      name: config.name,
      description: config.description,
      scope: ['Infer', 'Notebook'],
      network_id: network.id,
      workspace_id: '0',
      status: 'Running',
      charging_mode: 'postPaid',
      clusters: [],
    });
    expect(state.read.resources).toEqual([
      expect.objectContaining({ flavor_id: GPU, count: 1, max_count: 1, node_pool: 'np-gpu', labels: { team: 'a' } }),
    ]);
    const nodes = await dataPoolNodes(id);
    expect(nodes.map((n) => pathSearch('status.driver.phase', n, ''))).toEqual(['Running']);
    expect(state.serverIds).toEqual([
      pathSearch('metadata.labels."os.modelarts.node/underlying.instance.id"', nodes[0], ''),
    ]);
    expect(created[0]).toBe('POST /v2/{pid}/pools 200');
    // The provider waits on the order (its calls are left out of `created`), then reads the drivers:
    // with short timings they are up by the time the order is done.
    expect(provider.calls.slice(from).some((c) => c.url.includes('/orders/') && c.status === 200)).toBe(true);
    expect(created.filter((c) => c === 'GET /v2/{pid}/pools/{id}/nodes 200').length).toBeGreaterThanOrEqual(1);
    expect(created.slice(-2)).toEqual(['GET /v2/{pid}/pools/{id} 200', 'GET /v2/{pid}/pools/{id} 200']);
    // The data source lists it with the provider's types.
    expect(
      (await provider.dataResourcePools({ workspaceId: '0' })).map((p) => pathSearch('metadata.name', p, '')),
    ).toContain(id);

    // A second plan: nothing to change.
    state.read = (await refreshed(state)).read;
    expect(planPool(state, config)).toEqual([]);

    // apply 2: scale 1 → 2 (the old maxCount echoed next to the new count).
    const scaled: PoolConfig = { ...config, resources: [{ ...config.resources[0]!, count: 2 }] };
    expect(planPool(state, scaled)).toEqual(['resources.0.count']);
    let mark = provider.calls.length;
    state = await updatePool(provider, state, scaled);
    expect(calls(mark, id)[0]).toBe('PATCH /v2/{pid}/pools/{id} 200');
    expect(state.read.resources).toEqual([expect.objectContaining({ count: 2, max_count: 2, labels: { team: 'a' } })]);
    const after = await dataPoolNodes(id);
    expect(after.map((n) => pathSearch('status.driver.phase', n, ''))).toEqual(['Running', 'Running']);
    expect(state.serverIds.length).toBeGreaterThanOrEqual(1);
    expect(planPool(state, scaled)).toEqual([]);

    // apply 3: description and node labels, no count: PATCH then Read, no order, no wait.
    const relabelled: PoolConfig = {
      ...scaled,
      description: 'training and inference',
      resources: [{ ...scaled.resources[0]!, labels: { team: 'b' } }],
    };
    mark = provider.calls.length;
    state = await updatePool(provider, state, relabelled);
    expect(calls(mark, id)).toEqual(['PATCH /v2/{pid}/pools/{id} 200', 'GET /v2/{pid}/pools/{id} 200']);
    expect(state.read.description).toBe('training and inference');
    expect(state.read.resources).toEqual([expect.objectContaining({ count: 2, labels: { team: 'b' } })]);
    expect(planPool(state, relabelled)).toEqual([]);

    // destroy: the pool (nodes listed, DELETE, GET until 404), then the network.
    mark = provider.calls.length;
    await deletePool(provider, id);
    await provider.deleteNetwork(network.id);
    const destroyed = calls(mark, id).map((c) => c.replace(network.id, '{net}'));
    expect(destroyed.slice(0, 3)).toEqual([
      'GET /v2/{pid}/pools/{id}/nodes 200',
      'GET /v2/{pid}/pools/{id} 200',
      'DELETE /v2/{pid}/pools/{id} 200',
    ]);
    expect(destroyed).toContain('GET /v2/{pid}/pools/{id} 404');
    expect(destroyed.slice(-2)).toEqual(['DELETE /v1/{pid}/networks/{net} 200', 'GET /v1/{pid}/networks/{net} 404']);
    await expect(showPool(provider, id)).rejects.toMatchObject({ status: 404 } satisfies Partial<ProviderHttpError>);

    // Every call signed as the Go SDK signs: never host; X-Project-Id unsigned.
    for (const call of provider.calls.slice(from)) {
      expect(call.signedHeaders).not.toContain('host');
      expect(call.signedHeaders).not.toContain('x-project-id');
      expect(call.signedHeaders).toContain('x-sdk-date');
      const nodeList = /\/nodes$|^\/v1\/[^/]+\/orders/.test(call.url);
      expect(call.signedHeaders).toEqual(
        nodeList ? ['accept', 'user-agent', 'x-sdk-date'] : ['accept', 'content-type', 'user-agent', 'x-sdk-date'],
      );
    }
  });

  /** Method, path and status of each call since `from`, ids replaced. */
  function calls(from: number, id: string): string[] {
    return provider.calls
      .slice(from)
      .map((c) => `${c.method} ${c.url.replace(h.projectId, '{pid}').replace(id, '{id}')} ${c.status}`)
      .filter((c) => !c.startsWith('GET /v1/{pid}/orders'));
  }

  /** terraform plan refreshes the state with a Read first. */
  async function refreshed(state: Awaited<ReturnType<typeof createPool>>) {
    return updatePool(provider, state, state.config);
  }
});
