import type { FastifyPluginAsync } from 'fastify';
import { AtelierError } from '../errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Every ModelArts Resource Management operation we know of (shared spec files).
 * Those this server implements register their own routes; the rest answer 501
 * with a catalogue error so a client learns "not built here", never a bare 404.
 */
export const KNOWN_OPERATIONS: ReadonlyArray<{ operationId: string; summary: string; method: Method; url: string }> = [
  {
    operationId: 'ShowOsQuota',
    summary: 'Show the pool and network quotas of a project, with their usage',
    method: 'GET',
    url: '/v1/:project_id/quotas',
  },
  {
    operationId: 'ShowPoolStatistics',
    summary: 'Count pools per status, and failures of the last three days',
    method: 'GET',
    url: '/v2/:project_id/statistics/pools',
  },
  {
    operationId: 'ShowOsConfig',
    summary: 'Show the resource limits users of this project see',
    method: 'GET',
    url: '/v1/:project_id/os-user-config',
  },
  {
    operationId: 'ListResourceFlavors',
    summary: 'List the node flavors a pool can be built from',
    method: 'GET',
    url: '/v1/:project_id/resourceflavors',
  },
  { operationId: 'CreateNetwork', summary: 'Create a network', method: 'POST', url: '/v1/:project_id/networks' },
  { operationId: 'ListNetworks', summary: 'List networks', method: 'GET', url: '/v1/:project_id/networks' },
  {
    operationId: 'ShowNetwork',
    summary: 'Show a network',
    method: 'GET',
    url: '/v1/:project_id/networks/:network_name',
  },
  {
    operationId: 'PatchNetwork',
    summary: 'Change a network by merge patch',
    method: 'PATCH',
    url: '/v1/:project_id/networks/:network_name',
  },
  {
    operationId: 'DeleteNetwork',
    summary: 'Delete a network',
    method: 'DELETE',
    url: '/v1/:project_id/networks/:network_name',
  },
  {
    operationId: 'ShowNetworkAvailableIp',
    summary: 'Show the free IP addresses of a network',
    method: 'GET',
    url: '/v1/:project_id/networks/:network_name/network-ip-availabilities',
  },
  { operationId: 'CreatePool', summary: 'Create a resource pool', method: 'POST', url: '/v2/:project_id/pools' },
  { operationId: 'ListPools', summary: 'List resource pools', method: 'GET', url: '/v2/:project_id/pools' },
  { operationId: 'ShowPool', summary: 'Show a resource pool', method: 'GET', url: '/v2/:project_id/pools/:pool_name' },
  {
    operationId: 'PatchPool',
    summary: 'Change a resource pool by merge patch (scale, relabel)',
    method: 'PATCH',
    url: '/v2/:project_id/pools/:pool_name',
  },
  {
    operationId: 'DeletePool',
    summary: 'Delete a resource pool',
    method: 'DELETE',
    url: '/v2/:project_id/pools/:pool_name',
  },
  {
    operationId: 'ShowPoolMonitor',
    summary: 'Show the monitoring figures of a pool',
    method: 'GET',
    url: '/v2/:project_id/pools/:pool_name/monitor',
  },
  {
    operationId: 'RetryPoolScope',
    summary: 'Retry enabling a pool scope that failed',
    method: 'POST',
    url: '/v2/:project_id/pools/:pool_name/retry-scope',
  },
  {
    operationId: 'ListEvents',
    summary: 'List the events of a pool or a network',
    method: 'GET',
    url: '/v1/:project_id/events',
  },
  {
    operationId: 'ListPoolNodes',
    summary: 'List the nodes of a pool',
    method: 'GET',
    url: '/v2/:project_id/pools/:pool_name/nodes',
  },
  {
    operationId: 'BatchDeletePoolNodes',
    summary: 'Delete nodes of a pool',
    method: 'POST',
    url: '/v2/:project_id/pools/:pool_name/nodes/batch-delete',
  },
  {
    operationId: 'BatchUpdatePoolNodes',
    summary: 'Update nodes of a pool',
    method: 'POST',
    url: '/v2/:project_id/pools/:pool_name/nodes/batch-update',
  },
  {
    operationId: 'ListWorkloads',
    summary: 'List the workloads running on a pool',
    method: 'GET',
    url: '/v2/:project_id/pools/:pool_name/workloads',
  },
  {
    operationId: 'ShowWorkloadStatistics',
    summary: 'Count the workloads of a pool per status',
    method: 'GET',
    url: '/v2/:project_id/pools/:pool_name/statistics/workloads',
  },
  {
    operationId: 'ShowPoolRuntimeMetrics',
    summary: 'Show runtime metrics of pools',
    method: 'GET',
    url: '/v1/:project_id/metrics/runtime/pools',
  },
  {
    operationId: 'ShowPoolTags',
    summary: 'Show the tags of a pool',
    method: 'GET',
    url: '/v1/:project_id/pools/:pool_name/tags',
  },
  {
    operationId: 'ListPoolTags',
    summary: 'List the tags used by pools',
    method: 'GET',
    url: '/v1/:project_id/pools/tags',
  },
  {
    operationId: 'UpdatePoolTags',
    summary: 'Replace the tags of a pool',
    method: 'POST',
    url: '/v1/:project_id/pools/:pool_name/tags',
  },
  {
    operationId: 'BatchCreatePoolTags',
    summary: 'Add tags to a pool',
    method: 'POST',
    url: '/v1/:project_id/pools/:pool_name/tags/create',
  },
  {
    operationId: 'BatchDeletePoolTags',
    summary: 'Remove tags from a pool',
    method: 'DELETE',
    url: '/v1/:project_id/pools/:pool_name/tags/delete',
  },
  {
    operationId: 'ListPoolsByTags',
    summary: 'List pools by tags',
    method: 'POST',
    url: '/v1/:project_id/pools/resource-instances/filter',
  },
  {
    operationId: 'ListPluginTemplates',
    summary: 'List plug-in templates',
    method: 'GET',
    url: '/v2/:project_id/plugintemplates',
  },
  {
    operationId: 'ShowPluginTemplate',
    summary: 'Show a plug-in template',
    method: 'GET',
    url: '/v1/:project_id/plugintemplates/:plugintemplate_name',
  },
  {
    operationId: 'ListPoolPlugins',
    summary: 'List the plug-ins installed on a pool',
    method: 'GET',
    url: '/v2/:project_id/pools/:pool_name/plugins',
  },
  {
    operationId: 'CreatePoolPlugin',
    summary: 'Install a plug-in on a Running pool',
    method: 'POST',
    url: '/v2/:project_id/pools/:pool_name/plugins',
  },
];

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
