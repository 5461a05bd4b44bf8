import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AtelierError, badRequest } from '../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

export { MAX_JSON_DEPTH };

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: the AK/SK signature covers these bytes. */
    rawBody: Buffer | undefined;
    /**
     * Why the body could not be read. Raised only after authentication, so an
     * unauthenticated caller learns nothing from the server's parsing.
     */
    bodyError: AtelierError | undefined;
  }
}

/** The 12 MB limit API Gateway puts on signed bodies (auth-errors.md §1). */
export const BODY_LIMIT = 12 * 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * Replaces Fastify's JSON parsing: keeps the raw bytes for signature checks,
 * accepts merge-patch JSON (decision 9), treats an empty body as no body (the
 * SDK sends `content-type: application/json` even on DELETE), and turns
 * malformed or too deeply nested JSON into our 400.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('bodyError', undefined);
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (request: FastifyRequest, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    const text = raw.toString('utf8');
    // Before parsing: nothing past this point (the merge-patch walk least of all) meets a deeper body.
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      request.bodyError = badRequest(`The body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
      return done(null, undefined);
    }
    parseJson(request, text, (error, value) => {
      if (error) request.bodyError = badRequest('The body is not valid JSON.');
      done(null, error ? undefined : value);
    });
  });
  // Anything else is refused with the catalogue's content-type error, but only when
  // there is a body to interpret: a bodiless GET with an odd content type is fine.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    request.bodyError = new AtelierError('contentTypeNotSupported', {
      type: request.headers['content-type'] ?? 'none',
    });
    done(null, undefined);
  });
}

/** Raises a body error kept back by the parsers; runs after authentication. */
export function registerBodyErrors(app: FastifyInstance): void {
  app.addHook('preValidation', async function raiseBodyError(request) {
    if (request.bodyError) throw request.bodyError;
  });
}
