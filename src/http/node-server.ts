import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpLimits } from '../config.js';
import { answerExpectation } from './client-errors.js';

/**
 * The node HTTP server under Fastify, with the bounds a slow or idle client meets
 * (docs/operations.md, "Limits and timeouts"). Node checks the header and request
 * timeouts on a timer (30 s by default), so the timer runs at least as often as the
 * shorter of them allows: a header trickled one byte at a time is cut off within
 * about the header timeout, not half a minute later.
 */
export function createNodeServer(
  limits: HttpLimits,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4)),
    },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // A connection over the limit is closed at once by node, before it costs a request.
  server.maxConnections = limits.maxConnections;
  // Inactivity on the socket (nothing sent or received), whatever the request's state.
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
  server.on('checkExpectation', answerExpectation);
  return server;
}
