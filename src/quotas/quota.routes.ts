import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import type { HotRead } from '../http/hot-reads.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { ShowOsQuotaResponse } from './quota.schema.js';
import { showOsQuota } from './quota.service.js';

const ROUTE = '/v1/:project_id/quotas';

export const quotaRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      ROUTE,
      {
        schema: {
          operationId: 'ShowOsQuota',
          summary: 'Quota and usage of pools and networks',
          tags: ['quotas'],
          params: ProjectParams,
          response: { 200: ShowOsQuotaResponse, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showOsQuota(ctx, request.params.project_id),
    );
  };

/** The same read for the hot-read lane (src/http/hot-reads.ts). */
export const quotaHotRead = (ctx: AppContext): HotRead => ({
  route: ROUTE,
  response: ShowOsQuotaResponse,
  answer: (projectId) => showOsQuota(ctx, projectId),
});
