import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { WriteConflict } from '../db/database.js';
import { isStorageFull } from '../db/storage-space.js';
import { isUnstorableText } from '../db/unstorable-text.js';
import { AtelierError } from '../errors.js';
import { MORE_ERRORS_MAX } from './wire.js';

function send(reply: FastifyReply, error: AtelierError): FastifyReply {
  const envelope = { error_code: error.code, error_msg: error.message };
  return reply
    .code(error.status)
    .type('application/json')
    .send(error.more.length > 0 ? { ...envelope, more_errors: error.more } : envelope);
}

/** One validation error as `<part><path>: <reason>`, naming the unknown field or the allowed values. */
function describeValidationError(context: string, error: FastifySchemaValidationError | undefined, fallback: string) {
  const where = `${context}${error?.instancePath ?? ''}`;
  let detail = error?.message ?? fallback;
  const params = error?.params as Record<string, unknown> | undefined;
  if (params && typeof params.additionalProperty === 'string') detail = `unknown field "${params.additionalProperty}"`;
  if (params && Array.isArray(params.allowedValues)) detail += ` (${params.allowedValues.join(', ')})`;
  else if (params && params.allowedValue !== undefined) detail += ` (${String(params.allowedValue)})`;
  const text = `${where}: ${detail}`;
  return text.length > 480 ? `${text.slice(0, 479)}…` : text;
}

type ValidationError = FastifySchemaValidationError & { keyword?: string };

/**
 * One error per problem. ajv reports a value that matches no branch of an anyOf (a
 * TypeBox union: `T | null`, a union of literals or of object shapes) with the errors of
 * every branch and one more for the anyOf itself. Of those, the errors of the branch the
 * value comes closest to are kept: not a branch whose type the value does not have at
 * all (the `null` of `T | null`), and of the rest the one with the fewest errors (the
 * first on a tie, which is what the first-error validator reports). Then one error per
 * place: the value's path, with the unknown or missing property for those errors.
 */
function distinctProblems(errors: readonly ValidationError[]): ValidationError[] {
  let kept = [...errors];
  const groups = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const group of groups) {
    if (!kept.includes(group)) continue;
    const prefix = `${group.schemaPath}/`;
    const branches = new Map<string, ValidationError[]>();
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const all = [...branches.values()];
    const wrongType = (b: ValidationError[]) =>
      b.length === 1 && b[0]!.keyword === 'type' && b[0]!.instancePath === group.instancePath;
    const fitting = all.filter((b) => !wrongType(b));
    const chosen = (fitting.length > 0 ? fitting : all).reduce<ValidationError[] | undefined>(
      (best, b) => (best === undefined || b.length < best.length ? b : best),
      undefined,
    );
    kept = kept.filter((e) => e !== group && (!e.schemaPath.startsWith(prefix) || chosen?.includes(e)));
    if (chosen === undefined) kept.push(group);
  }
  const seen = new Set<string>();
  return kept.filter((error) => {
    const params = error.params as Record<string, unknown>;
    const key = `${error.instancePath}\u0000${String(params.additionalProperty ?? params.missingProperty ?? '')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The errors after the first, at most MORE_ERRORS_MAX entries, the last of them saying how many were left out. */
function moreErrors(context: string, rest: readonly FastifySchemaValidationError[]): string[] {
  if (rest.length <= MORE_ERRORS_MAX) return rest.map((e) => describeValidationError(context, e, ''));
  const listed = rest.slice(0, MORE_ERRORS_MAX - 1).map((e) => describeValidationError(context, e, ''));
  const left = rest.length - listed.length;
  return [...listed, `${left} more error${left === 1 ? '' : 's'} not listed`];
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
    const context = fe.validationContext ?? 'request';
    const [first, ...rest] = distinctProblems(fe.validation);
    const detail = describeValidationError(context, first, fe.message);
    return new AtelierError('badRequest', { detail }, moreErrors(context, rest));
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
