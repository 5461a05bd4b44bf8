// The walk: every resource-management operation of the SDK's ModelArtsClient (test/helpers/sdk-operations.ts),
// each once, with a valid call in the shape its request builder gives (method, path, query, content type,
// body) through the SDK core's own client (HcClient, AK/SK signed), against a listening server on the
// dialect of the run. Each built operation answers 2xx. PENDING holds the operations not built yet: it must
// be exactly the 501 list of src/http/operations.ts, so the test fails when either drifts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_OPERATIONS } from '../../src/http/operations.js';
import type { RunningServer } from '../../src/server.js';
import { displayName, networkBody, poolBody } from '../helpers/fixtures.js';
import { SDK_OPERATIONS } from '../helpers/sdk-operations.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, sdkClient, TempDirs } from '../identity/helpers.js';
import { CPU_8 } from '../pools/helpers.js';

/** Operations of operations.ts not built yet (SDK operations and RetryPoolScope, which the SDK lacks). */
const PENDING: ReadonlySet<string> = new Set<string>();

const SDK_JSON = 'application/json;charset=UTF-8';
const operationId = (sdkMethod: string) => sdkMethod[0].toUpperCase() + sdkMethod.slice(1);

const dirs = new TempDirs();
let server: RunningServer;
const projectId = randomBytes(16).toString('hex');
const ak = `AK${randomBytes(9).toString('hex').toUpperCase()}`;
const sk = randomBytes(20).toString('base64url');
const ADMIN_TOKEN = randomBytes(16).toString('hex');

beforeAll(async () => {
  server = await listen(dirs.make(), {
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: ak,
    ATELIER_BOOTSTRAP_SK: sk,
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_NETWORK_DELETE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_POOL_DELETE_SECONDS: '0',
    ATELIER_PLUGIN_INSTALL_SECONDS: '0',
    ATELIER_ENGINE_INTERVAL_MS: '20',
    ATELIER_ADMIN_TOKEN: ADMIN_TOKEN,
  });
});
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

interface Call {
  method: string;
  url: string;
  query?: Record<string, string>;
  body?: object;
  contentType?: string;
}

describe("the walk: every resource-management operation of the SDK's ModelArtsClient", () => {
  it('PENDING is exactly the 501 list of operations.ts', () => {
    const documented = server.app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const built = new Set(
      Object.values(documented.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId)),
    );
    const unbuilt = KNOWN_OPERATIONS.map((op) => op.operationId).filter((id) => !built.has(id));
    expect([...PENDING].sort()).toEqual(unbuilt.sort());
  });

  it('each operation answers 2xx through the SDK client, or 501 while it is pending', async () => {
    const client = sdkClient({ endpoint: server.address, ak, sk, projectId });
    const statuses = new Map<string, number>();
    const problems: string[] = [];
    const call = async (sdkMethod: string, request: Call) => {
      expect(statuses.has(sdkMethod), `${sdkMethod} walked twice`).toBe(false);
      const res = await client.call(request);
      statuses.set(sdkMethod, res.status);
      const pending = PENDING.has(operationId(sdkMethod));
      const ok = pending ? res.status === 501 : res.status >= 200 && res.status < 300;
      if (!ok) problems.push(`${sdkMethod}: ${res.status} ${res.errorCode ?? ''} ${res.errorMsg ?? ''}`);
      return res.body;
    };
    const until = (url: string, done: (body: any) => boolean) =>
      waitFor(async () => (await client.call({ method: 'GET', url })).body, { until: done, interval: 20 });

    // What a project and the catalogues offer.
    await call('showOsQuota', { method: 'GET', url: '/v1/{project_id}/quotas' });
    await call('showOsConfig', { method: 'GET', url: '/v1/{project_id}/os-user-config' });
    await call('listResourceFlavors', {
      method: 'GET',
      url: '/v1/{project_id}/resourceflavors',
      query: { limit: '50' },
    });
    await call('listPluginTemplates', { method: 'GET', url: '/v2/{project_id}/plugintemplates' });
    await call('showPluginTemplate', { method: 'GET', url: '/v1/{project_id}/plugintemplates/gpu-driver' });
    await call('showNodeConfigTemplate', {
      method: 'GET',
      url: '/v1/{project_id}/nodeconfigtemplates/modelarts-vm-default',
    });

    // A network.
    const networks = '/v1/{project_id}/networks';
    const net = (await call('createNetwork', { method: 'POST', url: networks, body: networkBody() })).metadata.name;
    const active = await until(`${networks}/${net}`, (b) => b?.status?.phase === 'Active');
    await call('listNetworks', { method: 'GET', url: networks, query: { limit: '10' } });
    await call('showNetwork', { method: 'GET', url: `${networks}/${net}` });
    await call('patchNetwork', {
      method: 'PATCH',
      url: `${networks}/${net}`,
      body: { metadata: { annotations: { 'os.modelarts/description': 'the walk' } } },
    });
    await call('showNetworkAvailableIp', {
      method: 'GET',
      url: `${networks}/${net}/network-ip-availabilities`,
      query: { network_id: active.status.subnets[0].networkId },
    });

    // A pool of three nodes, Running.
    const pools = '/v2/{project_id}/pools';
    const body = poolBody(net, { name: displayName('walk'), resources: [{ flavor: CPU_8, count: 3 }] });
    const pool = (await call('createPool', { method: 'POST', url: pools, body })).metadata.name as string;
    const base = `${pools}/${pool}`;
    const poolId = (await until(base, (b) => b?.status?.phase === 'Running')).metadata.name as string;
    await call('listPools', { method: 'GET', url: pools, query: { workspaceId: '0' } });
    await call('showPool', { method: 'GET', url: base });
    await call('patchPool', {
      method: 'PATCH',
      url: base,
      body: { metadata: { annotations: { 'os.modelarts/description': 'the walk' } } },
    });
    await call('showPoolStatistics', { method: 'GET', url: '/v2/{project_id}/statistics/pools' });
    await call('listEvents', {
      method: 'GET',
      url: '/v1/{project_id}/events',
      query: { resource: 'pools', name: pool },
    });
    await call('showPoolNodeConfig', { method: 'GET', url: `${base}/node-config` });
    await call('showPoolNodeConfigTemplate', { method: 'GET', url: `${base}/node-config-template` });

    // Plug-ins and tags.
    await call('listPoolPlugins', { method: 'GET', url: `${base}/plugins` });
    await call('createPoolPlugin', {
      method: 'POST',
      url: `${base}/plugins`,
      contentType: SDK_JSON,
      body: { apiVersion: 'v2', kind: 'Plugin', spec: { template: { name: 'node-local-dns', inputs: {} } } },
    });
    const tags = `/v1/{project_id}/pools/${pool}/tags`;
    await call('batchCreatePoolTags', {
      method: 'POST',
      url: `${tags}/create`,
      body: { tags: [{ key: 'k', value: 'v' }] },
    });
    await call('showPoolTags', { method: 'GET', url: tags });
    await call('listPoolTags', {
      method: 'GET',
      url: '/v1/{project_id}/pools/tags',
      query: { limit: '10', offset: '0' },
    });
    await call('batchDeletePoolTags', { method: 'DELETE', url: `${tags}/delete`, body: { tags: [{ key: 'k' }] } });

    // A node pool beside the default one.
    const nodePools = `${base}/nodepools`;
    await call('createNodePool', {
      method: 'POST',
      url: nodePools,
      contentType: SDK_JSON,
      body: {
        apiVersion: 'v2',
        kind: 'NodePool',
        metadata: { name: 'walk-np' },
        spec: { resources: { flavor: CPU_8, count: 1, maxCount: 1 } },
      },
    });
    await until(`${nodePools}/walk-np`, (b) => b?.status?.resources?.available?.count === 1);
    await call('listNodePools', { method: 'GET', url: nodePools });
    await call('showNodePool', { method: 'GET', url: `${nodePools}/walk-np` });
    await call('patchNodePool', {
      method: 'PATCH',
      url: `${nodePools}/walk-np`,
      contentType: SDK_JSON,
      body: { spec: { resources: { flavor: CPU_8, count: 2, maxCount: 2 } } },
    });
    await until(`${nodePools}/walk-np`, (b) => b?.status?.resources?.available?.count === 2);
    await call('listNodePoolNodes', { method: 'GET', url: `${nodePools}/walk-np/nodes`, query: { limit: '10' } });

    // Nodes and their batch actions.
    const nodes = `${base}/nodes`;
    const listed = await call('listPoolNodes', { method: 'GET', url: nodes });
    // The two nodes of walk-np last: only names[3] (reset) and names[4] (migrated) are theirs, so walk-np keeps one.
    const inWalkNp = (n: any) => (n.metadata.labels['os.modelarts.node/nodepoolname'] === 'walk-np' ? 1 : 0);
    const names = [...(listed?.items ?? [])]
      .sort((x: any, y: any) => inWalkNp(x) - inWalkNp(y))
      .map((n: { metadata: { name: string } }) => n.metadata.name) as string[];
    expect(names).toHaveLength(5);
    await call('showPoolNode', { method: 'GET', url: `${nodes}/${names[0]}` });
    const lock = { nodeNames: [names[0]], actions: ['delete'] };
    await call('batchLockPoolNodes', { method: 'POST', url: `${nodes}/batch-lock`, body: lock });
    await call('batchUnlockPoolNodes', { method: 'POST', url: `${nodes}/batch-unlock`, body: lock });
    await call('batchUpdatePoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-update`,
      body: { nodeNames: [names[1]], action: 'createTags', tags: [{ key: 'k', value: 'v' }] },
    });
    await call('batchBindPoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-bind`,
      body: { nodes: [{ name: names[1], quotaName: 'q1' }] },
    });
    await call('batchRebootPoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-reboot`,
      body: { nodeNames: [names[2]] },
    });
    await call('batchResetPoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-reset`,
      body: { nodeNames: [names[3]], rollingConfig: { strategy: 'node', maxUnavailable: 1 } },
    });
    await call('batchResizePoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-resize`,
      body: {
        nodes: [{ deleteNodeNames: [names[0]] }],
        source: { flavor: CPU_8 },
        target: { flavor: 'modelarts.vm.cpu.16ud' },
      },
    });
    // A second pool on the same network and flavor, for a node to move to.
    const other = poolBody(net, { name: displayName('walk2'), resources: [{ flavor: CPU_8, count: 1 }] });
    const target = (await client.call({ method: 'POST', url: pools, body: other })).body.metadata.name as string;
    await until(`${pools}/${target}`, (b) => b?.status?.phase === 'Running');
    await call('batchMigratePoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-migrate`,
      body: { migrateNodeNames: [names[4]], fromClusterName: pool, toClusterName: target },
    });
    await call('listJobs', { method: 'GET', url: '/v2/{project_id}/jobs', query: { limit: '10' } });

    // Workloads, metrics, monitor, orders, scheduled events.
    await call('listWorkloads', { method: 'GET', url: `${base}/workloads`, query: { limit: '10', offset: '0' } });
    await call('showWorkloadStatistics', { method: 'GET', url: `/v2/{project_id}/statistics/pools/${pool}/workloads` });
    await call('showPoolRuntimeMetrics', { method: 'GET', url: '/v2/{project_id}/metrics/runtime/pools' });
    const end = Date.now();
    await call('showPoolMonitor', {
      method: 'GET',
      url: `${base}/monitor`,
      query: { time_range: `${end - 3_600_000}.${end}.60`, statistics: 'average', period: '60' },
    });
    await call('createOrderId', {
      method: 'POST',
      url: `/v2/{project_id}/pools/${poolId}/orderid`,
      query: { actionType: 'toPeriod' },
    });
    const placed = (await client.call({ method: 'GET', url: base })).body.metadata.labels['os.modelarts/order.name'];
    await call('showOrder', { method: 'GET', url: `/v1/{project_id}/orders/${placed}` });
    // Maintenance the cloud announces (an emulator control here), for the user to accept.
    const published = await fetch(`${server.address}/_atelier/scheduled-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project: projectId, pool, node: names[1] }),
    });
    expect(published.status).toBe(201);
    const events = await call('listScheduledEvents', { method: 'GET', url: '/v1/{project_id}/scheduled-events' });
    await call('acceptScheduledEvent', {
      method: 'POST',
      url: `/v1/{project_id}/scheduled-events/${events?.events?.[0]?.id ?? 'event-walk'}/accept`,
      contentType: SDK_JSON,
      body: {},
    });

    // Taking it all down.
    await call('batchDeletePoolNodes', {
      method: 'POST',
      url: `${nodes}/batch-delete`,
      body: { deleteNodeNames: [names[1]] },
    });
    await call('deleteNodePool', { method: 'DELETE', url: `${nodePools}/walk-np` });
    await call('deletePool', { method: 'DELETE', url: base });
    await waitFor(async () => (await client.call({ method: 'GET', url: base })).status, { until: (s) => s === 404 });
    await client.call({ method: 'DELETE', url: `${pools}/${target}` });
    await waitFor(async () => (await client.call({ method: 'GET', url: `${pools}/${target}` })).status, {
      until: (s) => s === 404,
    });
    await call('deleteNetwork', { method: 'DELETE', url: `${networks}/${net}` });

    expect(problems).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual(SDK_OPERATIONS.map(([name]) => name).sort());
  });
});
