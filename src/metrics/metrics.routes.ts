import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context.js';
import { AtelierError } from '../errors.js';
import { type AtelierMetrics } from './metrics.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests, so neither the token's bytes nor its length leak through timing. */
function holdsToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * GET /metrics in the Prometheus text format. Public like the health checks unless
 * ATELIER_METRICS_TOKEN is set; then only `Authorization: Bearer <token>` reads it.
 */
export const metricsRoutes =
  (ctx: AppContext, metrics: AtelierMetrics): FastifyPluginAsync =>
  async (app) => {
    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const token = ctx.config.metricsToken;
      if (token !== undefined && !holdsToken(request.headers.authorization, token)) {
        throw new AtelierError('unauthorized', {
          reason: 'the metrics endpoint needs Authorization: Bearer with ATELIER_METRICS_TOKEN',
        });
      }
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  };
