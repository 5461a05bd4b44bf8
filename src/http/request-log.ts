import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';

/** What the line says about a request. */
export interface FinishedRequest {
  projectId: string | undefined;
  /** The route pattern, `null` when no route matched. */
  route: string | null;
  method: string;
  statusCode: number;
  durationMs: number;
}

/** Writes the line; `log` carries the request id (Fastify's child logger binds `reqId`). */
export function logFinished(log: FastifyBaseLogger, request: FinishedRequest): void {
  log.info(request, 'request completed');
}

/**
 * The one info line a request writes, when its response is finished (Fastify's own
 * pair of "incoming request" / "request completed" lines is switched off in app.ts).
 * It names the route pattern and the project, never headers, bodies or the query:
 * a signature, a token or a password must not reach the log in any form.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const projectId = (request.params as { project_id?: unknown } | undefined)?.project_id;
  logFinished(request.log, {
    projectId: typeof projectId === 'string' ? projectId : undefined,
    route: request.routeOptions.url ?? null,
    method: request.method,
    statusCode: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
  });
}
