import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import type { StorageSpace } from '../db/storage-space.js';
import { errorResponses } from '../http/wire.js';
import { Liveness, Readiness } from './health.schema.js';
import { checkReadiness, type EngineProbe } from './health.service.js';

/**
 * Liveness and readiness for orchestrators (docs/operations.md). Both are public:
 * a probe carries no credentials, and neither answer says more than ok or which check failed.
 */
export const healthRoutes =
  (
    ctx: AppContext,
    engine: (() => EngineProbe | undefined) | undefined,
    storage?: StorageSpace,
  ): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['operations'];
    app.get(
      '/healthz',
      {
        config: { public: true },
        schema: { operationId: 'Healthz', tags, hide: true, response: { 200: Liveness } },
      },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: {
          operationId: 'Readyz',
          hide: true,
          tags,
          response: {
            200: Readiness,
            ...errorResponses(503),
          },
        },
      },
      (request) => checkReadiness(ctx, engine, request.log, storage),
    );
  };
