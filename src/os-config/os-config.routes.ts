import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { quotaLimits, requireProject } from '../projects/project.service.js';
import { SCOPE_PLUGINS } from '../plugins/plugin.lifecycle.js';
import { OsConfig } from './os-config.schema.js';

/** The most flavors one pool may combine (pools.md §3.2). */
export const MAX_POOL_FLAVORS = 10;

export async function showOsConfig(ctx: AppContext, projectId: string): Promise<OsConfig> {
  const limits = quotaLimits(ctx, await requireProject(ctx, projectId));
  const plugin = (scope: string, reservedNetworkCidr: string[]) => ({
    scope,
    plugins: [...SCOPE_PLUGINS],
    externalDependency: false,
    reservedNetworkCidr,
    supportRetry: true,
  });
  return {
    networkCidrs: ['192.168.128.0/17', '172.16.0.0/16', '10.0.0.0/16'],
    networkQuota: limits.network,
    poolQuota: limits.pool,
    poolHighAvailable: false,
    pooHighAvailable: false,
    networkSubnetTypes: [''],
    maxPoolFlavors: MAX_POOL_FLAVORS,
    clusterFlavorSpecs: ['cce.s1.small', 'cce.s2.small'],
    licenseScopeType: 'multi',
    nodeOSVersionSupport: [{ name: 'EulerOS 2.10', endOfService: '2027-12-31' }],
    volumeTypes: ['SSD', 'GPSSD', 'SAS'],
    poolScopePlugins: [
      plugin('Train', []),
      plugin('Infer', ['192.168.0.0/16', '172.16.0.0/16', '10.247.0.0/16']),
      plugin('Notebook', []),
    ],
  };
}

export const osConfigRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/:project_id/os-user-config',
      {
        schema: {
          operationId: 'ShowOsConfig',
          summary: 'Service configuration and quota limits of the project',
          tags: ['quotas'],
          params: ProjectParams,
          response: { 200: OsConfig, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showOsConfig(ctx, request.params.project_id),
    );
  };
