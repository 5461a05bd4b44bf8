import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { ShowPoolStatisticsQuery, ShowPoolStatisticsResponse } from './statistics.schema.js';
import { showPoolStatistics } from './statistics.service.js';

export const statisticsRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v2/:project_id/statistics/pools',
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
