import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { AtelierError } from '../errors.js';
import type { IdentityService, Principal } from '../identity/identity.service.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';
import { BODY_LIMIT } from './request-body.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Reachable without credentials (health, IAM token issuance, the OpenAPI document). */
    public?: boolean;
  }
}

const SIGNED = /^(SDK|V11)-HMAC-SHA256\s/;

/**
 * Fastify reads no body on GET or HEAD, but the SDK signs whatever `data` a request carries: its own
 * IAM call (GET /v3/projects?name=, made when a client is built with a region instead of a project id)
 * sends `{}` and signs its hash. Reading such a body here lets the signature cover what was sent.
 */
async function unparsedBody(request: FastifyRequest): Promise<Buffer | undefined> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const length = request.headers['content-length'];
  if ((length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new AtelierError('bodyTooLarge');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What authentication looks at: the request as received. */
export interface CallerRequest {
  readonly method: string;
  /** The request target as received (raw path and query): the signature covers it. */
  readonly rawUrl: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body, when it is at hand; otherwise `readBody` reads it, only for a signature (which covers it). */
  readonly body?: Buffer;
  readBody?(): Promise<Buffer | undefined>;
}

/** Who is calling: at once for a remembered signature or a reused token read, else a promise. */
function authenticate(identity: IdentityService, request: CallerRequest): MaybeSync<Principal> {
  const authorization = request.headers.authorization;
  // auth-errors.md §2: a signature takes precedence over a token.
  if (typeof authorization === 'string' && SIGNED.test(authorization)) {
    if (request.body === undefined && request.readBody === undefined) {
      const recalled = identity.recallSignature(request);
      if (recalled) return recalled;
      return identity.authenticateSignature({
        method: request.method,
        rawUrl: request.rawUrl,
        headers: request.headers,
        body: undefined,
        recallTried: true,
      });
    }
    return verifyWithBody(identity, request);
  }
  const token = request.headers['x-auth-token'];
  if (typeof token === 'string' && token !== '') return identity.authenticateToken(token);
  throw new AtelierError('unauthorized', {
    reason: authorization
      ? 'the Authorization header is not an SDK-HMAC-SHA256 signature'
      : 'no Authorization or X-Auth-Token header',
  });
}

// A literal, not a spread with a key added: V8 (Node 20) takes a slow path for those (docs/performance.md).
const signedParts = (request: CallerRequest, body: Buffer | undefined) => ({
  method: request.method,
  rawUrl: request.rawUrl,
  headers: request.headers,
  body,
});

async function verifyWithBody(identity: IdentityService, request: CallerRequest): Promise<Principal> {
  const body = request.body ?? (await request.readBody?.());
  return identity.authenticateSignature(signedParts(request, body));
}

/**
 * Who is calling and whether they may use `projectId` (when the path names one):
 * the principal, `undefined` for an anonymous call where credentials are not
 * required, or an AtelierError. Shared by the Fastify hook and the hot reads.
 * At once (answer or throw) when the caller is recognised from memory — a
 * remembered signature, a reused token read — else a promise (shared/maybe-sync.ts).
 */
export function authorize(
  identity: IdentityService,
  required: boolean,
  request: CallerRequest,
  projectId: unknown,
): MaybeSync<Principal | undefined> {
  if (!required && request.headers.authorization === undefined && request.headers['x-auth-token'] === undefined)
    return undefined;
  return andThen(authenticate(identity, request), (principal) => {
    if (typeof projectId !== 'string') return principal;
    if (!principal.projectIds.has(projectId)) {
      throw new AtelierError('projectForbidden', { reason: `the caller may not use project ${projectId}` });
    }
    const header = request.headers['x-project-id'];
    if (header !== undefined && header !== projectId) {
      throw new AtelierError('projectForbidden', { reason: 'X-Project-Id names another project than the path' });
    }
    return principal;
  });
}

/**
 * Every route but the public ones needs a signature or a token, and a route
 * under /{project_id} needs a grant for that project. It runs after the body is
 * read (the signature covers it) and before anything else looks at the request,
 * so a refused caller learns nothing — not even whether a project exists.
 */
export function registerAuthentication(app: FastifyInstance, identity: IdentityService, required: boolean): void {
  app.decorateRequest('principal', undefined);
  app.addHook('preValidation', async function authenticateRequest(request) {
    if (request.is404 || request.routeOptions.config?.public) return;
    const caller: CallerRequest = {
      method: request.method,
      rawUrl: request.raw.url ?? request.url,
      headers: request.headers,
      readBody: async () => request.rawBody ?? (await unparsedBody(request)),
    };
    request.principal = await authorize(
      identity,
      required,
      caller,
      (request.params as { project_id?: unknown } | undefined)?.project_id,
    );
  });
}
