import { randomUUID } from 'node:crypto';

/**
 * The request id and the headers every response carries, whichever path answers it:
 * Fastify's hooks, the hot-read lane (http/hot-reads.ts) and the connection-level
 * error answers (http/client-errors.ts) all take them from here, so a header added
 * for one reaches them all.
 */
export const newRequestId = (): string => randomUUID();

/** A new object each call: the caller may add its own headers to it. */
export function responseHeaders(requestId: string): Record<string, string> {
  return { 'x-request-id': requestId };
}
