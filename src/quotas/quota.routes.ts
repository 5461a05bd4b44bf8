import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { ShowOsQuotaResponse } from './quota.schema.js';
import { showOsQuota } from './quota.service.js';

export const quotaRoutes = (ctx: AppContext): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/:project_id/quotas',
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
