import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppContext } from './context.js';
import { StorageSpace } from './db/storage-space.js';
import { eventRoutes } from './events/event.routes.js';
import { flavorRoutes } from './flavors/flavor.routes.js';
import { healthRoutes } from './health/health.routes.js';
import type { EngineProbe } from './health/health.service.js';
import { registerAuthentication } from './http/authenticate.js';
import { frameworkErrorHandler, registerErrorHandling } from './http/error-handler.js';
import { notImplementedRoutes } from './http/operations.js';
import { registerConsole } from './http/console.js';
import { registerApiReference, registerOpenApi, type OpenApiOptions } from './http/openapi.js';
import { BODY_LIMIT, registerBodyErrors, registerBodyParsers } from './http/request-body.js';
import { registerDraining } from './http/draining.js';
import { registerResponseLimit } from './http/response-limit.js';
import { clientErrorHandler } from './http/client-errors.js';
import { createNodeServer } from './http/node-server.js';
import { DeferredCompilations, deferredSerializers } from './http/deferred-compile.js';
import { newRequestId, responseHeaders } from './http/request-id.js';
import { HotReads, type RequestListener } from './http/hot-reads.js';
import { RequestFinished } from './http/request-finished.js';
import { logRequest } from './http/request-log.js';
import { iamRoutes } from './identity/iam.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { registerValidation } from './http/validation.js';
import { ErrorEnvelope } from './http/wire.js';
import { AtelierMetrics } from './metrics/metrics.js';
import { metricsRoutes } from './metrics/metrics.routes.js';
import { jobRoutes } from './jobs/job.routes.js';
import { scheduledEventRoutes } from './scheduled-events/scheduled-event.routes.js';
import { orderRoutes } from './orders/order.routes.js';
import { networkRoutes } from './networks/network.routes.js';
import { nodeConfigRoutes } from './node-config/node-config.routes.js';
import { nodeRoutes } from './nodes/node.routes.js';
import { osConfigRoutes } from './os-config/os-config.routes.js';
import { pluginRoutes } from './plugins/plugin.routes.js';
import { workloadRoutes } from './workloads/workload.routes.js';
import { nodePoolRoutes } from './pools/nodepool.routes.js';
import { poolRoutes } from './pools/pool.routes.js';
import { tagRoutes } from './tags/tag.routes.js';
import { quotaHotRead, quotaRoutes } from './quotas/quota.routes.js';
import { statisticsHotRead, statisticsRoutes } from './statistics/statistics.routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * What the server runs for each request: the hot-read lane, then Fastify.
     * Tests inject through it to cover both (Fastify's own inject skips the lane).
     */
    handleRequest: RequestListener;
    hotReads: HotReads;
    /**
     * Compiles every route validator and serializer not compiled yet (each compiles at its first
     * request, http/deferred-compile.ts) and returns how many: a schema that cannot compile fails here.
     */
    compileSchemas(): number;
  }
}

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
  /**
   * The lifecycle engine, for /readyz; a getter because the engine is built after the app.
   * Absent when this process runs no engine (then readiness does not check it).
   */
  engine?: () => EngineProbe | undefined;
  /** What the OpenAPI document covers beyond the public API (the console's build only). */
  openApi?: OpenApiOptions;
}

/**
 * The hot-read lane in front of Fastify's own handler: Fastify hands its handler
 * over when it asks for its server, and the lane exists once the routes do.
 */
interface Lane {
  fastify?: RequestListener;
  handle?: RequestListener;
}

function createFastify(
  ctx: AppContext,
  finished: RequestFinished,
  lane: Lane,
  logger: BuildAppOptions['logger'],
  compilations: DeferredCompilations,
) {
  return Fastify({
    // The server Fastify would make, with the hot-read lane in front (set below, once the routes exist).
    serverFactory: (handler) => {
      lane.fastify = handler as RequestListener;
      return createNodeServer(ctx.config.http, (req, res) => (lane.handle ?? handler)(req, res));
    },
    clientErrorHandler,
    logger: logger ?? false,
    bodyLimit: BODY_LIMIT,
    genReqId: newRequestId,
    // A client-supplied id must not become ours: it would let callers forge log lines.
    requestIdHeader: false,
    frameworkErrors: finished.around(frameworkErrorHandler),
    // logRequest writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    schemaController: { compilersFactory: { buildSerializer: deferredSerializers(compilations) } },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

type App = ReturnType<typeof createFastify>;

/** Every resource's routes, then 501 for the catalogue's operations none of them built. */
async function registerRoutes(
  app: App,
  ctx: AppContext,
  options: BuildAppOptions,
  metrics: AtelierMetrics,
  storage: StorageSpace,
) {
  const implemented = new Set<string>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) implemented.add(`${m} ${route.url}`);
  });

  await app.register(quotaRoutes(ctx));
  await app.register(statisticsRoutes(ctx));
  await app.register(networkRoutes(ctx));
  await app.register(poolRoutes(ctx));
  await app.register(nodeRoutes(ctx));
  await app.register(nodePoolRoutes(ctx));
  await app.register(flavorRoutes(ctx));
  await app.register(pluginRoutes(ctx));
  await app.register(workloadRoutes(ctx));
  await app.register(tagRoutes(ctx));
  await app.register(osConfigRoutes(ctx));
  await app.register(nodeConfigRoutes(ctx));
  await app.register(jobRoutes(ctx));
  await app.register(scheduledEventRoutes(ctx));
  await app.register(orderRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(healthRoutes(ctx, options.engine, storage));
  await app.register(metricsRoutes(ctx, metrics));
  await app.register(iamRoutes(ctx));
  // Emulator controls exist only with a token; without one, /_atelier/ answers 404 like any unknown path.
  if (ctx.config.adminToken) await app.register(adminRoutes(ctx, ctx.config.adminToken));
  await app.register(notImplementedRoutes(implemented));

  await registerApiReference(app);
  await registerConsole(app);
}

/** Builds the HTTP application over a context; never listens (server.ts does). */
export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  // The request log and the metrics hear of every finished request, router errors included.
  const finished = new RequestFinished();
  const lane: Lane = {};
  const compilations = new DeferredCompilations();
  const app = createFastify(ctx, finished, lane, options.logger, compilations);

  app.addHook('onRequest', async function addResponseHeaders(request, reply) {
    reply.headers(responseHeaders(request.id));
  });
  const metrics = new AtelierMetrics(ctx);
  app.addHook('onClose', async () => metrics.close());
  finished.add(logRequest);
  finished.add(metrics.observeRequest);
  finished.register(app);
  const closing = registerDraining(app);
  registerResponseLimit(app, ctx.config.http.maxResponseBytes);
  registerBodyParsers(app);
  registerAuthentication(app, ctx.identity, ctx.config.authRequired);
  registerBodyErrors(app);
  registerValidation(app, compilations);
  const storage = new StorageSpace(() => ctx.signals.emit('storageFull'));
  registerErrorHandling(app, { onStorageFull: () => storage.markFull() });
  app.addSchema(ErrorEnvelope);

  await registerOpenApi(app, options.openApi);
  await registerRoutes(app, ctx, options, metrics, storage);

  const hotReads = new HotReads([quotaHotRead(ctx), statisticsHotRead(ctx)], {
    identity: ctx.identity,
    authRequired: ctx.config.authRequired,
    metrics,
    log: app.log,
    closing,
  });
  if (!lane.fastify) throw new Error('Fastify did not ask for a server');
  lane.handle = hotReads.listener(lane.fastify);
  app.decorate('handleRequest', lane.handle);
  app.decorate('hotReads', hotReads);
  app.decorate('compileSchemas', () => compilations.compileAll());
  await app.ready();
  return app;
}
