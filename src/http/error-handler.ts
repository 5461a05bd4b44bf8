import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WriteConflict } from '../db/database.js';
import { isStorageFull } from '../db/storage-space.js';
import { isUnstorableText } from '../db/unstorable-text.js';
import { AtelierError } from '../errors.js';

function send(reply: FastifyReply, error: AtelierError): FastifyReply {
  return reply.code(error.status).type('application/json').send({ error_code: error.code, error_msg: error.message });
}

/** Maps everything that goes wrong to the ModelArts envelope; nothing leaks internals. */
export function toAtelierError(error: FastifyError | Error): AtelierError | undefined {
  if (error instanceof AtelierError) return error;
  if (error instanceof WriteConflict) return new AtelierError('conflict');
  if (isStorageFull(error)) return new AtelierError('storageFull');
  if (isUnstorableText(error)) {
    return new AtelierError('badRequest', { detail: 'a value contains a character that cannot be stored (U+0000)' });
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    const first = fe.validation[0];
    const where = `${fe.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    let detail = first?.message ?? fe.message;
    const params = first?.params as Record<string, unknown> | undefined;
    if (params && typeof params.additionalProperty === 'string')
      detail = `unknown field "${params.additionalProperty}"`;
    if (params && Array.isArray(params.allowedValues)) detail += ` (${params.allowedValues.join(', ')})`;
    else if (params && params.allowedValue !== undefined) detail += ` (${String(params.allowedValue)})`;
    return new AtelierError('badRequest', { detail: `${where}: ${detail}` });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AtelierError('contentTypeNotSupported', { type: 'unknown' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AtelierError('bodyTooLarge');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AtelierError('badRequest', { detail: fe.message });
  }
  return undefined;
}

/**
 * Errors the router raises before any route or hook runs (a malformed
 * percent-escape, an over-long path segment): same envelope, same header.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Request-Id', request.id);
  void send(
    reply,
    toAtelierError(error) ?? new AtelierError('badRequest', { detail: 'the request line is malformed' }),
  );
}

export interface ErrorHandlingOptions {
  /** Told of every change the database refused for want of space (/readyz then probes it). */
  onStorageFull?: () => void;
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = toAtelierError(error);
    if (known?.kind === 'storageFull') {
      request.log.error({ err: error }, 'the database is out of space');
      options.onStorageFull?.();
    }
    if (known) {
      if (known.status === 500) request.log.error({ err: error }, 'request failed');
      return send(reply, known);
    }
    request.log.error({ err: error }, 'unexpected error');
    return send(reply, new AtelierError('internal'));
  });
  app.setNotFoundHandler((_request, reply) => send(reply, new AtelierError('routeNotFound')));
}
