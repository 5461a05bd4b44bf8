// The official Node SDK's resource-management operations, as facts. The SDK's
// ModelArts package is not published to the npm registry (only its core is, which the tests sign
// with), so the operations are written down here as facts: each request builder of ModelArtsClient
// in huaweicloud-sdk-nodejs-v3 release 3.1.209 (services/modelarts/v1) whose path is a resource of
// resource management — pools, nodes, node pools, networks, quotas, OS config, statistics, events,
// flavors, plug-in templates, plug-ins, tags, workloads, metrics, monitor, scheduled events, jobs,
// orders, node config — with its HTTP method and path. The other builders (notebooks, training
// jobs, dev servers, services, workflows, images, authorizations …) are other ModelArts APIs.
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** [SDK method, HTTP method, path] of every resource-management request builder of ModelArtsClient. */
export const SDK_OPERATIONS: ReadonlyArray<readonly [string, Method, string]> = [
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
export const SDK_OPERATION_COUNT = 53;
