import type { FastifyPluginAsync } from 'fastify';
import { AtelierError } from '../errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Every ModelArts Resource Management operation we know of (shared spec files).
 * Those this server implements register their own routes; the rest answer 501
 * with a catalogue error so a client learns "not built here", never a bare 404.
 */
interface KnownOperation {
  operationId: string;
  summary: string;
  method: Method;
  url: string;
}

/** Each entry: operation id, method, path (Fastify's `:param` form), summary. */
export const KNOWN_OPERATIONS: ReadonlyArray<KnownOperation> = (
  [
    ['ShowOsQuota', 'GET', '/v1/:project_id/quotas', 'Show the pool and network quotas of a project, with their usage'],
    [
      'ShowPoolStatistics',
      'GET',
      '/v2/:project_id/statistics/pools',
      'Count pools per status, and failures of the last three days',
    ],
    ['ShowOsConfig', 'GET', '/v1/:project_id/os-user-config', 'Show the resource limits users of this project see'],
    ['ListResourceFlavors', 'GET', '/v1/:project_id/resourceflavors', 'List the node flavors a pool can be built from'],
    ['CreateNetwork', 'POST', '/v1/:project_id/networks', 'Create a network'],
    ['ListNetworks', 'GET', '/v1/:project_id/networks', 'List networks'],
    ['ShowNetwork', 'GET', '/v1/:project_id/networks/:network_name', 'Show a network'],
    ['PatchNetwork', 'PATCH', '/v1/:project_id/networks/:network_name', 'Change a network by merge patch'],
    ['DeleteNetwork', 'DELETE', '/v1/:project_id/networks/:network_name', 'Delete a network'],
    [
      'ShowNetworkAvailableIp',
      'GET',
      '/v1/:project_id/networks/:network_name/network-ip-availabilities',
      'Show the free IP addresses of a network',
    ],
    ['CreatePool', 'POST', '/v2/:project_id/pools', 'Create a resource pool'],
    ['ListPools', 'GET', '/v2/:project_id/pools', 'List resource pools'],
    ['ShowPool', 'GET', '/v2/:project_id/pools/:pool_name', 'Show a resource pool'],
    [
      'PatchPool',
      'PATCH',
      '/v2/:project_id/pools/:pool_name',
      'Change a resource pool by merge patch (scale, relabel)',
    ],
    ['DeletePool', 'DELETE', '/v2/:project_id/pools/:pool_name', 'Delete a resource pool'],
    ['ShowPoolMonitor', 'GET', '/v2/:project_id/pools/:pool_name/monitor', 'Show the monitoring figures of a pool'],
    [
      'RetryPoolScope',
      'POST',
      '/v2/:project_id/pools/:pool_name/retry-scope',
      'Retry enabling a pool scope that failed',
    ],
    ['ListEvents', 'GET', '/v1/:project_id/events', 'List the events of a pool or a network'],
    ['CreateNodePool', 'POST', '/v2/:project_id/pools/:pool_name/nodepools', 'Add a node pool to a resource pool'],
    ['ListNodePools', 'GET', '/v2/:project_id/pools/:pool_name/nodepools', 'List the node pools of a resource pool'],
    ['ShowNodePool', 'GET', '/v2/:project_id/pools/:pool_name/nodepools/:nodepool_name', 'Show a node pool'],
    [
      'PatchNodePool',
      'PATCH',
      '/v2/:project_id/pools/:pool_name/nodepools/:nodepool_name',
      'Change a node pool (scale, labels, taints, tags)',
    ],
    [
      'DeleteNodePool',
      'DELETE',
      '/v2/:project_id/pools/:pool_name/nodepools/:nodepool_name',
      'Delete a node pool and its nodes',
    ],
    [
      'ListNodePoolNodes',
      'GET',
      '/v2/:project_id/pools/:pool_name/nodepools/:nodepool_name/nodes',
      'List the nodes of a node pool',
    ],
    ['ListPoolNodes', 'GET', '/v2/:project_id/pools/:pool_name/nodes', 'List the nodes of a pool'],
    ['ShowPoolNode', 'GET', '/v2/:project_id/pools/:pool_name/nodes/:node_name', 'Show a node of a pool'],
    ['BatchDeletePoolNodes', 'POST', '/v2/:project_id/pools/:pool_name/nodes/batch-delete', 'Delete nodes of a pool'],
    ['BatchUpdatePoolNodes', 'POST', '/v2/:project_id/pools/:pool_name/nodes/batch-update', 'Update nodes of a pool'],
    [
      'BatchLockPoolNodes',
      'POST',
      '/v2/:project_id/pools/:pool_name/nodes/batch-lock',
      'Lock nodes of a pool against deletion',
    ],
    ['BatchUnlockPoolNodes', 'POST', '/v2/:project_id/pools/:pool_name/nodes/batch-unlock', 'Unlock nodes of a pool'],
    [
      'BatchBindPoolNodes',
      'POST',
      '/v2/:project_id/pools/:pool_name/nodes/batch-bind',
      'Bind nodes of a pool to a logical sub-pool',
    ],
    ['BatchDrainPoolNodes', 'POST', '/v2/:project_id/pools/:pool_name/nodes/batch-drain', 'Drain nodes of a pool'],
    ['ListWorkloads', 'GET', '/v2/:project_id/pools/:pool_name/workloads', 'List the workloads running on a pool'],
    [
      'ShowWorkloadStatistics',
      'GET',
      '/v2/:project_id/statistics/pools/:pool_name/workloads',
      'Count the workloads of a pool per status',
    ],
    ['ShowPoolRuntimeMetrics', 'GET', '/v2/:project_id/metrics/runtime/pools', 'Show runtime metrics of pools'],
    ['ShowPoolTags', 'GET', '/v1/:project_id/pools/:pool_name/tags', 'Show the tags of a pool'],
    ['ListPoolTags', 'GET', '/v1/:project_id/pools/tags', 'List the tags used by pools'],
    ['UpdatePoolTags', 'POST', '/v1/:project_id/pools/:pool_name/tags', 'Replace the tags of a pool'],
    ['BatchCreatePoolTags', 'POST', '/v1/:project_id/pools/:pool_name/tags/create', 'Add tags to a pool'],
    ['BatchDeletePoolTags', 'DELETE', '/v1/:project_id/pools/:pool_name/tags/delete', 'Remove tags from a pool'],
    ['ListPoolsByTags', 'POST', '/v1/:project_id/pools/resource-instances/filter', 'List pools by tags'],
    ['ListPluginTemplates', 'GET', '/v2/:project_id/plugintemplates', 'List plug-in templates'],
    ['ShowPluginTemplate', 'GET', '/v1/:project_id/plugintemplates/:plugintemplate_name', 'Show a plug-in template'],
    [
      'BatchRebootPoolNodes',
      'POST',
      '/v2/:project_id/pools/:pool_name/nodes/batch-reboot',
      'Reboot nodes of a pool (a job)',
    ],
    [
      'BatchResetPoolNodes',
      'POST',
      '/v2/:project_id/pools/:pool_name/nodes/batch-reset',
      'Reset nodes of a pool (a job)',
    ],
    [
      'BatchResizePoolNodes',
      'POST',
      '/v2/:project_id/pools/:pool_name/nodes/batch-resize',
      'Change the flavor of nodes of a pool (an order)',
    ],
    [
      'BatchMigratePoolNodes',
      'POST',
      '/v2/:project_id/pools/:pool_name/nodes/batch-migrate',
      'Move nodes to another pool (a job)',
    ],
    [
      'ShowPoolNodeConfig',
      'GET',
      '/v2/:project_id/pools/:pool_name/node-config',
      'Show the node configuration of a pool',
    ],
    [
      'ShowPoolNodeConfigTemplate',
      'GET',
      '/v2/:project_id/pools/:pool_name/node-config-template',
      'Show the node configuration templates of a pool',
    ],
    [
      'ShowNodeConfigTemplate',
      'GET',
      '/v1/:project_id/nodeconfigtemplates/:nodeconfigtemplate_name',
      'Show a node configuration template',
    ],
    ['ListJobs', 'GET', '/v2/:project_id/jobs', 'List the maintenance jobs of the project'],
    [
      'ShowJob',
      'GET',
      '/v2/:project_id/jobs/:job_id',
      'Show a maintenance job (no SDK method; the Terraform provider reads it)',
    ],
    ['CreatePoolPlugin', 'POST', '/v2/:project_id/pools/:pool_name/plugins', 'Install a plug-in on a pool'],
    ['ListPoolPlugins', 'GET', '/v2/:project_id/pools/:pool_name/plugins', 'List the plug-ins of a pool'],
    ['CreateOrderId', 'POST', '/v2/:project_id/pools/:pool_name/orderid', 'Create the order of a pool change'],
    ['ShowOrder', 'GET', '/v1/:project_id/orders/:order_name', 'Show an order'],
    [
      'ListOrders',
      'GET',
      '/v1/:project_id/orders',
      'List the orders of the project (no SDK method; Terraform waits on it)',
    ],
    ['ListScheduledEvents', 'GET', '/v1/:project_id/scheduled-events', 'List scheduled maintenance events'],
    [
      'AcceptScheduledEvent',
      'POST',
      '/v1/:project_id/scheduled-events/:event_id/accept',
      'Accept a scheduled maintenance event',
    ],
  ] as const satisfies ReadonlyArray<readonly [string, Method, string, string]>
).map(([operationId, method, url, summary]) => ({ operationId, method, url, summary }));

/** Registers 501 answers for known operations that no plugin has implemented. */
export const notImplementedRoutes =
  (implemented: ReadonlySet<string>): FastifyPluginAsync =>
  async (app) => {
    for (const op of KNOWN_OPERATIONS) {
      if (implemented.has(`${op.method} ${op.url}`)) continue;
      app.route({
        method: op.method,
        url: op.url,
        schema: { hide: true },
        handler: async () => {
          throw new AtelierError('notImplemented', { operation: op.operationId });
        },
      });
    }
  };
