import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AtelierError } from '../errors.js';

/**
 * No answer is larger than `maxBytes` (ATELIER_MAX_RESPONSE_MB). Lists are bounded
 * in items and each object in metadata (shared/metadata-limits.ts), yet a page of
 * 500 large objects could still be sent whole to a client that asked for it; such
 * an answer is refused instead, with a 400 that asks for a smaller page.
 */
export function registerResponseLimit(app: FastifyInstance, maxBytes: number): void {
  app.addHook('onSend', async function limitResponseSize(_request: FastifyRequest, _reply: FastifyReply, payload) {
    // A UTF-8 string is at most three bytes a character: most answers skip the byte count.
    if (typeof payload === 'string' && payload.length * 3 > maxBytes && Buffer.byteLength(payload) > maxBytes) {
      throw new AtelierError('responseTooLarge', { limit: maxBytes });
    }
    return payload;
  });
}
