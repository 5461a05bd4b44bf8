import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AppContext } from './context.js';
import { flavorRoutes } from './flavors/flavor.routes.js';
import { registerAuthentication } from './http/authenticate.js';
import { frameworkErrorHandler, registerErrorHandling } from './http/error-handler.js';
import { notImplementedRoutes } from './http/operations.js';
import { BODY_LIMIT, registerBodyErrors, registerBodyParsers } from './http/request-body.js';
import { iamRoutes } from './identity/iam.routes.js';
import { registerValidation } from './http/validation.js';
import { ErrorEnvelope } from './http/wire.js';
import { networkRoutes } from './networks/network.routes.js';
import { osConfigRoutes } from './os-config/os-config.routes.js';
import { poolRoutes } from './pools/pool.routes.js';
import { quotaRoutes } from './quotas/quota.routes.js';
import { statisticsRoutes } from './statistics/statistics.routes.js';

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP application over a context; never listens (server.ts does). */
export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    genReqId: () => randomUUID(),
    // A client-supplied id must not become ours: it would let callers forge log lines.
    requestIdHeader: false,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  registerBodyParsers(app);
  registerAuthentication(app, ctx.identity, ctx.config.authRequired);
  registerBodyErrors(app);
  registerValidation(app);
  registerErrorHandling(app);
  app.addSchema(ErrorEnvelope);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Atelier — ModelArts Resource Management API',
        version: '1',
        description: 'Resource pools, networks, OS quotas and pool statistics.',
      },
    },
  });

  const implemented = new Set<string>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) implemented.add(`${m} ${route.url}`);
  });

  await app.register(quotaRoutes(ctx));
  await app.register(statisticsRoutes(ctx));
  await app.register(networkRoutes(ctx));
  await app.register(poolRoutes(ctx));
  await app.register(flavorRoutes(ctx));
  await app.register(osConfigRoutes(ctx));
  await app.register(iamRoutes(ctx));
  await app.register(notImplementedRoutes(implemented));

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
