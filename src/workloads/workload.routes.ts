import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { PoolMetricsList, PoolMonitor, PoolMonitorQuery } from './monitor.schema.js';
import { showPoolMonitor, showPoolRuntimeMetrics } from './monitor.service.js';
import { ListWorkloadsQuery, WorkloadList, WorkloadPoolParams, WorkloadStatistics } from './workload.schema.js';
import { listWorkloads, showWorkloadStatistics } from './workload.service.js';

export const workloadRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['workloads'];
    app.get(
      '/v2/:project_id/pools/:pool_name/workloads',
      {
        schema: {
          operationId: 'ListWorkloads',
          tags,
          params: WorkloadPoolParams,
          querystring: ListWorkloadsQuery,
          response: { 200: WorkloadList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listWorkloads(ctx, request.params.project_id, request.params.pool_name, request.query),
    );
    app.get(
      '/v2/:project_id/statistics/pools/:pool_name/workloads',
      {
        schema: {
          operationId: 'ShowWorkloadStatistics',
          tags,
          params: WorkloadPoolParams,
          response: { 200: WorkloadStatistics, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showWorkloadStatistics(ctx, request.params.project_id, request.params.pool_name),
    );
    app.get(
      '/v2/:project_id/metrics/runtime/pools',
      {
        schema: {
          operationId: 'ShowPoolRuntimeMetrics',
          tags,
          params: ProjectParams,
          response: { 200: PoolMetricsList, ...errorResponses(400, 401, 403) },
        },
      },
      (request) => showPoolRuntimeMetrics(ctx, request.params.project_id),
    );
    app.get(
      '/v2/:project_id/pools/:pool_name/monitor',
      {
        schema: {
          operationId: 'ShowPoolMonitor',
          tags,
          params: WorkloadPoolParams,
          querystring: PoolMonitorQuery,
          response: { 200: PoolMonitor, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPoolMonitor(ctx, request.params.project_id, request.params.pool_name, request.query),
    );
  };
