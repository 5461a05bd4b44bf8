import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import type { HotRead } from '../http/hot-reads.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { ShowPoolStatisticsQuery, ShowPoolStatisticsResponse } from './statistics.schema.js';
import { showPoolStatistics } from './statistics.service.js';

const ROUTE = '/v2/:project_id/statistics/pools';

export const statisticsRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      ROUTE,
      {
        schema: {
          operationId: 'ShowPoolStatistics',
          summary: 'Pools per status, and failures of the last three days',
          tags: ['statistics'],
          params: ProjectParams,
          querystring: ShowPoolStatisticsQuery,
          response: { 200: ShowPoolStatisticsResponse, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPoolStatistics(ctx, request.params.project_id, request.query.workspaceId),
    );
  };

/** The same read for the hot-read lane (src/http/hot-reads.ts). */
export const statisticsHotRead = (ctx: AppContext): HotRead => ({
  route: ROUTE,
  query: ShowPoolStatisticsQuery,
  response: ShowPoolStatisticsResponse,
  answer: (projectId, query) => showPoolStatistics(ctx, projectId, query.workspaceId),
});
