// The official Node SDK's resource-management operations against src/http/operations.ts. The SDK's
// ModelArts package is not published to the npm registry (only its core is, which the tests sign
// with), so the operations are written down here as facts: each request builder of ModelArtsClient
// in huaweicloud-sdk-nodejs-v3 release 3.1.209 (services/modelarts/v1) whose path is a resource of
// resource management — pools, nodes, node pools, networks, quotas, OS config, statistics, events,
// flavors, plug-in templates, plug-ins, tags, workloads, metrics, monitor, scheduled events, jobs,
// orders, node config — with its HTTP method and path. The other builders (notebooks, training
// jobs, dev servers, services, workflows, images, authorizations …) are other ModelArts APIs.
import { describe, expect, it } from 'vitest';
import { KNOWN_OPERATIONS } from '../../src/http/operations.js';
import { useHarness } from '../helpers/harness.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** [SDK method, HTTP method, path] of every resource-management request builder of ModelArtsClient. */
const SDK_OPERATIONS: ReadonlyArray<readonly [string, Method, string]> = [
  ['listEvents', 'GET', '/v1/{project_id}/events'],
  ['createNetwork', 'POST', '/v1/{project_id}/networks'],
  ['listNetworks', 'GET', '/v1/{project_id}/networks'],
  ['deleteNetwork', 'DELETE', '/v1/{project_id}/networks/{network_name}'],
  ['patchNetwork', 'PATCH', '/v1/{project_id}/networks/{network_name}'],
  ['showNetwork', 'GET', '/v1/{project_id}/networks/{network_name}'],
  ['showNetworkAvailableIp', 'GET', '/v1/{project_id}/networks/{network_name}/network-ip-availabilities'],
  ['showNodeConfigTemplate', 'GET', '/v1/{project_id}/nodeconfigtemplates/{nodeconfigtemplate_name}'],
  ['showOrder', 'GET', '/v1/{project_id}/orders/{order_name}'],
  ['showOsConfig', 'GET', '/v1/{project_id}/os-user-config'],
  ['showPluginTemplate', 'GET', '/v1/{project_id}/plugintemplates/{plugintemplate_name}'],
  ['listPoolTags', 'GET', '/v1/{project_id}/pools/tags'],
  ['showPoolTags', 'GET', '/v1/{project_id}/pools/{pool_name}/tags'],
  ['batchCreatePoolTags', 'POST', '/v1/{project_id}/pools/{pool_name}/tags/create'],
  ['batchDeletePoolTags', 'DELETE', '/v1/{project_id}/pools/{pool_name}/tags/delete'],
  ['showOsQuota', 'GET', '/v1/{project_id}/quotas'],
  ['listResourceFlavors', 'GET', '/v1/{project_id}/resourceflavors'],
  ['listScheduledEvents', 'GET', '/v1/{project_id}/scheduled-events'],
  ['acceptScheduledEvent', 'POST', '/v1/{project_id}/scheduled-events/{event_id}/accept'],
  ['listJobs', 'GET', '/v2/{project_id}/jobs'],
  ['showPoolRuntimeMetrics', 'GET', '/v2/{project_id}/metrics/runtime/pools'],
  ['listPluginTemplates', 'GET', '/v2/{project_id}/plugintemplates'],
  ['createPool', 'POST', '/v2/{project_id}/pools'],
  ['listPools', 'GET', '/v2/{project_id}/pools'],
  ['createOrderId', 'POST', '/v2/{project_id}/pools/{name}/orderid'],
  ['deletePool', 'DELETE', '/v2/{project_id}/pools/{pool_name}'],
  ['patchPool', 'PATCH', '/v2/{project_id}/pools/{pool_name}'],
  ['showPool', 'GET', '/v2/{project_id}/pools/{pool_name}'],
  ['showPoolMonitor', 'GET', '/v2/{project_id}/pools/{pool_name}/monitor'],
  ['showPoolNodeConfig', 'GET', '/v2/{project_id}/pools/{pool_name}/node-config'],
  ['showPoolNodeConfigTemplate', 'GET', '/v2/{project_id}/pools/{pool_name}/node-config-template'],
  ['createNodePool', 'POST', '/v2/{project_id}/pools/{pool_name}/nodepools'],
  ['listNodePools', 'GET', '/v2/{project_id}/pools/{pool_name}/nodepools'],
  ['deleteNodePool', 'DELETE', '/v2/{project_id}/pools/{pool_name}/nodepools/{nodepool_name}'],
  ['patchNodePool', 'PATCH', '/v2/{project_id}/pools/{pool_name}/nodepools/{nodepool_name}'],
  ['showNodePool', 'GET', '/v2/{project_id}/pools/{pool_name}/nodepools/{nodepool_name}'],
  ['listNodePoolNodes', 'GET', '/v2/{project_id}/pools/{pool_name}/nodepools/{nodepool_name}/nodes'],
  ['listPoolNodes', 'GET', '/v2/{project_id}/pools/{pool_name}/nodes'],
  ['batchBindPoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-bind'],
  ['batchDeletePoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-delete'],
  ['batchLockPoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-lock'],
  ['batchMigratePoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-migrate'],
  ['batchRebootPoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-reboot'],
  ['batchResetPoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-reset'],
  ['batchResizePoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-resize'],
  ['batchUnlockPoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-unlock'],
  ['batchUpdatePoolNodes', 'POST', '/v2/{project_id}/pools/{pool_name}/nodes/batch-update'],
  ['showPoolNode', 'GET', '/v2/{project_id}/pools/{pool_name}/nodes/{node_name}'],
  ['createPoolPlugin', 'POST', '/v2/{project_id}/pools/{pool_name}/plugins'],
  ['listPoolPlugins', 'GET', '/v2/{project_id}/pools/{pool_name}/plugins'],
  ['listWorkloads', 'GET', '/v2/{project_id}/pools/{pool_name}/workloads'],
  ['showPoolStatistics', 'GET', '/v2/{project_id}/statistics/pools'],
  ['showWorkloadStatistics', 'GET', '/v2/{project_id}/statistics/pools/{pool_name}/workloads'],
];

/** The number of them: the "53 resource-management operations". */
const SDK_OPERATION_COUNT = 53;

/** Paths compared as the wire sees them: parameter names do not travel. */
const shape = (path: string) => path.replace(/:\w+|\{\w+\}/g, '{}');
const operationId = (sdkMethod: string) => sdkMethod[0].toUpperCase() + sdkMethod.slice(1);

describe("the SDK's resource-management operations", () => {
  const h = useHarness();

  it(`are ${SDK_OPERATION_COUNT}, each named once`, () => {
    expect(SDK_OPERATIONS).toHaveLength(SDK_OPERATION_COUNT);
    expect(new Set(SDK_OPERATIONS.map(([name]) => name)).size).toBe(SDK_OPERATION_COUNT);
  });

  it('each is built (a route of its own in the API document) or listed in operations.ts at its method and path', () => {
    const documented = h.app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const built = new Map<string, string | undefined>();
    for (const [path, methods] of Object.entries(documented.paths))
      for (const [method, op] of Object.entries(methods))
        built.set(`${method.toUpperCase()} ${shape(path)}`, op.operationId);
    const listed = new Map(KNOWN_OPERATIONS.map((op) => [`${op.method} ${shape(op.url)}`, op.operationId]));
    const missing: string[] = [];
    for (const [name, method, path] of SDK_OPERATIONS) {
      const key = `${method} ${shape(path)}`;
      const id = built.get(key) ?? listed.get(key);
      if (id === undefined) missing.push(`${name}: ${method} ${path}`);
      else expect(id, `${method} ${path}`).toBe(operationId(name));
    }
    expect(missing).toEqual([]);
  });

  it('no operation of operations.ts that the SDK has sits at another method or path', () => {
    const sdk = new Map(SDK_OPERATIONS.map(([name, method, path]) => [operationId(name), `${method} ${shape(path)}`]));
    for (const op of KNOWN_OPERATIONS) {
      const expected = sdk.get(op.operationId);
      if (expected !== undefined) expect(`${op.method} ${shape(op.url)}`, op.operationId).toBe(expected);
    }
  });

  it('each answers on its route: its own answer or the 501 of an operation not built, never "no such route"', async () => {
    for (const [name, method, path] of SDK_OPERATIONS) {
      const url = path.replace(/\{(?!project_id)\w+\}/g, 'some-name');
      const res = await h.client.request(method, url, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expect(res.body?.error_code, `${name}: ${method} ${path}`).not.toBe('APIGW.0101');
      if (res.status === 501) expect(res.body.error_msg).toContain(operationId(name));
    }
  });
});
