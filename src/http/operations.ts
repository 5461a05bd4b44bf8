import type { FastifyPluginAsync } from 'fastify';
import { AtelierError } from '../errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Every ModelArts Resource Management operation we know of (shared spec files).
 * Those this server implements register their own routes; the rest answer 501
 * with a catalogue error so a client learns "not built here", never a bare 404.
 */
export const KNOWN_OPERATIONS: ReadonlyArray<{ operationId: string; method: Method; url: string }> = [
  { operationId: 'ShowOsQuota', method: 'GET', url: '/v1/:project_id/quotas' },
  { operationId: 'ShowPoolStatistics', method: 'GET', url: '/v2/:project_id/statistics/pools' },
  { operationId: 'ShowOsConfig', method: 'GET', url: '/v1/:project_id/os-user-config' },
  { operationId: 'ListResourceFlavors', method: 'GET', url: '/v1/:project_id/resourceflavors' },
  { operationId: 'CreateNetwork', method: 'POST', url: '/v1/:project_id/networks' },
  { operationId: 'ListNetworks', method: 'GET', url: '/v1/:project_id/networks' },
  { operationId: 'ShowNetwork', method: 'GET', url: '/v1/:project_id/networks/:network_name' },
  { operationId: 'PatchNetwork', method: 'PATCH', url: '/v1/:project_id/networks/:network_name' },
  { operationId: 'DeleteNetwork', method: 'DELETE', url: '/v1/:project_id/networks/:network_name' },
  {
    operationId: 'ShowNetworkAvailableIp',
    method: 'GET',
    url: '/v1/:project_id/networks/:network_name/network-ip-availabilities',
  },
  { operationId: 'CreatePool', method: 'POST', url: '/v2/:project_id/pools' },
  { operationId: 'ListPools', method: 'GET', url: '/v2/:project_id/pools' },
  { operationId: 'ShowPool', method: 'GET', url: '/v2/:project_id/pools/:pool_name' },
  { operationId: 'PatchPool', method: 'PATCH', url: '/v2/:project_id/pools/:pool_name' },
  { operationId: 'DeletePool', method: 'DELETE', url: '/v2/:project_id/pools/:pool_name' },
  { operationId: 'ShowPoolMonitor', method: 'GET', url: '/v2/:project_id/pools/:pool_name/monitor' },
  { operationId: 'RetryPoolScope', method: 'POST', url: '/v2/:project_id/pools/:pool_name/retry-scope' },
  { operationId: 'ListEvents', method: 'GET', url: '/v1/:project_id/events' },
  { operationId: 'ListPoolNodes', method: 'GET', url: '/v2/:project_id/pools/:pool_name/nodes' },
  { operationId: 'BatchDeletePoolNodes', method: 'POST', url: '/v2/:project_id/pools/:pool_name/nodes/batch-delete' },
  { operationId: 'BatchUpdatePoolNodes', method: 'POST', url: '/v2/:project_id/pools/:pool_name/nodes/batch-update' },
  { operationId: 'ListWorkloads', method: 'GET', url: '/v2/:project_id/pools/:pool_name/workloads' },
  {
    operationId: 'ShowWorkloadStatistics',
    method: 'GET',
    url: '/v2/:project_id/pools/:pool_name/statistics/workloads',
  },
  { operationId: 'ShowPoolRuntimeMetrics', method: 'GET', url: '/v1/:project_id/metrics/runtime/pools' },
  { operationId: 'ShowPoolTags', method: 'GET', url: '/v1/:project_id/pools/:pool_name/tags' },
  { operationId: 'ListPoolTags', method: 'GET', url: '/v1/:project_id/pools/tags' },
  { operationId: 'UpdatePoolTags', method: 'POST', url: '/v1/:project_id/pools/:pool_name/tags' },
  { operationId: 'BatchCreatePoolTags', method: 'POST', url: '/v1/:project_id/pools/:pool_name/tags/create' },
  { operationId: 'BatchDeletePoolTags', method: 'DELETE', url: '/v1/:project_id/pools/:pool_name/tags/delete' },
  { operationId: 'ListPoolsByTags', method: 'POST', url: '/v1/:project_id/pools/resource-instances/filter' },
  { operationId: 'ListPluginTemplates', method: 'GET', url: '/v2/:project_id/plugintemplates' },
  { operationId: 'ShowPluginTemplate', method: 'GET', url: '/v2/:project_id/plugintemplates/:plugintemplate_name' },
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
