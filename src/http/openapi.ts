import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { readFileSync } from 'node:fs';
import { KNOWN_OPERATIONS } from './operations.js';

/**
 * The OpenAPI document at /openapi.json and its browsable reference at /docs.
 * The routes' TypeBox schemas are the document's source; what a route does not
 * say about itself (its ModelArts summary, the words for each status, how to
 * authenticate, the media types of a merge patch) is added here, in one place,
 * so that the document passes Redocly's recommended rules (test/http/openapi.test.ts).
 */

const SECURITY_SCHEMES = {
  akSkSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'An AK/SK signature as the Huawei Cloud SDKs send it: `SDK-HMAC-SHA256 Access=<AK>, ' +
      'SignedHeaders=<names>, Signature=<hex>` over the canonical request, with `X-Sdk-Date` signed ' +
      'and within 15 minutes of the server time (`V11-HMAC-SHA256` derived keys are accepted too).',
  },
  authToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Auth-Token',
    description:
      'A project-scoped token issued by `POST /v3/auth/tokens` (its `X-Subject-Token` header) or by ' +
      '`atelier tokens create`.',
  },
} as const;

const TAGS = [
  { name: 'quotas', description: 'OS quotas and the limits users see' },
  { name: 'statistics', description: 'Pool counts per status' },
  { name: 'pools', description: 'Dedicated resource pools and their lifecycle' },
  { name: 'networks', description: 'Networks pools are attached to' },
  { name: 'flavors', description: 'Node flavors pools are built from' },
  { name: 'events', description: 'What happened to pools and networks' },
  { name: 'node-config', description: 'How the nodes of a pool are configured, and the templates behind it' },
  { name: 'jobs', description: 'Maintenance jobs on the nodes of a pool (reboot, reset, migrate, replace)' },
  { name: 'iam', description: 'The IAM calls clients make first: tokens and project lookup' },
];

/** What each status means on this API; the envelope's error_code tells the case apart. */
const STATUS_DESCRIPTIONS: Record<string, string> = {
  '400': 'Bad request (`ModelArts.50004000`): the message names the offending field.',
  '401': 'Missing or invalid credentials (`APIGW.0301`): the message says what was wrong.',
  '403': 'The credential may not use this project (`ModelArts.0210`).',
  '404': 'The project, or the object named in the path, does not exist.',
  '409': 'Conflict: the name is taken, or the object is still in use.',
  '413': 'The body is larger than 12 MB (`APIGW.0201`).',
  '500': 'Unexpected failure (`ModelArts.50005000`); details go to the server log only.',
};

const X_REQUEST_ID = {
  description: 'The id of this request, also in the server log line that records it.',
  schema: { type: 'string', format: 'uuid' },
};

/** Response headers an operation sets beyond X-Request-Id, by operationId and status. */
const RESPONSE_HEADERS: Record<string, Record<string, Record<string, unknown>>> = {
  KeystoneCreateUserTokenByPassword: {
    '201': {
      'X-Subject-Token': {
        description: 'The token: send it as `X-Auth-Token` on later calls, until `token.expires_at`.',
        schema: { type: 'string' },
      },
    },
  },
};

/** The IAM operations are not ModelArts ones, so not in KNOWN_OPERATIONS. */
const OTHER_SUMMARIES: Record<string, string> = {
  KeystoneCreateUserTokenByPassword: 'Issue a project-scoped token for a user and password',
  KeystoneListProjects: 'List the projects the caller may use, optionally by name',
  KeystoneListRegions: 'List the regions this installation serves',
  KeystoneShowRegion: 'Show one region this installation serves',
};

/** A merge patch may be sent as either type (spec decision 9; the SDK sends application/json). */
const PATCH_MEDIA_TYPES = ['application/json', 'application/merge-patch+json'];

const catalogue = new Map(KNOWN_OPERATIONS.map((op) => [`${op.method} ${op.url}`, op]));

type RouteSchema = FastifySchema & {
  hide?: boolean;
  operationId?: string;
  summary?: string;
  security?: unknown[];
  consumes?: string[];
};

/** The emulator controls' prefix: hidden from the public document, shown in the console's (see below). */
const EMULATOR_PREFIX = '/_atelier/';

/**
 * Per route: the ModelArts operation name and summary, public routes' security, merge-patch bodies.
 * With `emulator`, the emulator controls are documented too (for the console's generated types only).
 */
const transformFor =
  (emulator: boolean): FastifyDynamicSwaggerOptions['transform'] =>
  ({ schema, url, route }) => {
    const given = (schema ?? {}) as RouteSchema;
    if (given.hide && !(emulator && url.startsWith(EMULATOR_PREFIX))) return { schema, url };
    return describeRoute({ ...given, hide: false }, url, route);
  };

function describeRoute(given: RouteSchema, url: string, route: Parameters<Transform>[0]['route']) {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const known = methods.map((m) => catalogue.get(`${m} ${route.url}`)).find((op) => op !== undefined);
  const operationId = given.operationId ?? known?.operationId;
  const result: RouteSchema = {
    ...given,
    operationId,
    summary: given.summary ?? known?.summary ?? (operationId ? OTHER_SUMMARIES[operationId] : undefined),
  };
  if ((route.config as { public?: boolean } | undefined)?.public) result.security = [];
  if (methods.includes('PATCH') && given.body && !given.consumes) result.consumes = PATCH_MEDIA_TYPES;
  return { schema: result, url };
}

type Transform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

type Json = Record<string, unknown>;
type Operation = { operationId?: string; responses?: Record<string, Json> };

/** Over the whole document: words for every response, the headers every response carries, plain enums. */
const transformObject: FastifyDynamicSwaggerOptions['transformObject'] = (documentObject) => {
  const document = (documentObject as { openapiObject: Json }).openapiObject;
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const item of Object.values(paths))
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        response.description = describeResponse(status, response.description, operation);
        response.headers = {
          ...(response.headers as Json | undefined),
          ...RESPONSE_HEADERS[operation.operationId ?? '']?.[status],
          'X-Request-Id': { $ref: '#/components/headers/XRequestId' },
        };
      }
    }
  const components = (document.components ?? {}) as Json;
  document.components = { ...components, headers: { ...(components.headers as Json), XRequestId: X_REQUEST_ID } };
  return plainEnums(document) as Json;
};

function describeResponse(status: string, given: unknown, operation: Operation & { summary?: string }): string {
  if (status.startsWith('2')) {
    const usable = typeof given === 'string' && given !== 'Default Response' && given !== 'ModelArts error envelope';
    return usable ? given : `Success: ${operation.summary ?? operation.operationId ?? 'the operation'}.`;
  }
  return STATUS_DESCRIPTIONS[status] ?? 'An error, in the ModelArts envelope.';
}

/**
 * `anyOf` of single-valued string schemas (what TypeBox's Union of Literals
 * renders) as one plain `enum`, and map key bounds as words, the form OpenAPI tooling and generated clients
 * understand. Schemas built with StringEnum are already plain.
 */
function plainEnums(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(plainEnums);
  if (!node || typeof node !== 'object') return node;
  const record = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(record)) out[key] = plainEnums(value);
  // OpenAPI 3.0 has no `propertyNames` (JSON Schema's bound on a map's keys): say it in words instead.
  const keyBound = (out.propertyNames as Json | undefined)?.maxLength;
  if (out.propertyNames !== undefined) {
    delete out.propertyNames;
    if (typeof keyBound === 'number') {
      const said = `Keys are at most ${keyBound} characters.`;
      out.description = typeof out.description === 'string' ? `${out.description} ${said}` : said;
    }
  }
  const values = Array.isArray(out.anyOf) ? singleStringValues(out.anyOf as unknown[]) : undefined;
  if (values) {
    delete out.anyOf;
    out.type = 'string';
    out.enum = values;
  }
  return out;
}

function singleStringValues(choices: unknown[]): string[] | undefined {
  const values: string[] = [];
  for (const choice of choices) {
    const c = choice as Json;
    const value = Array.isArray(c.enum) && c.enum.length === 1 ? c.enum[0] : c.const;
    if (typeof value !== 'string' || Object.keys(c).some((k) => !['type', 'enum', 'const'].includes(k)))
      return undefined;
    values.push(value);
  }
  return values.length > 0 ? values : undefined;
}

/** The package's version and licence; src/ and dist/ both sit beside package.json. */
function packageJson(): { version: string; license: string } {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
    license: string;
  };
}

export interface OpenApiOptions {
  /**
   * Document the emulator controls under /_atelier/ as well. Only the console's build asks for this
   * (console/scripts/openapi-document.ts), so that its client is typed from the schemas for those too;
   * the served /openapi.json never includes them (docs/emulator.md).
   */
  emulator?: boolean;
}

/** Registers the document generator; call before any route is registered, so it sees them all. */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions = {}): Promise<void> {
  const pkg = packageJson();
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Atelier — ModelArts Resource Management API',
        version: pkg.version,
        description:
          'Resource pools, networks, OS quotas and pool statistics, on the paths and with the JSON of the ' +
          'ModelArts Resource Management API. Errors carry the envelope `{"error_code", "error_msg"}`.',
        license: { name: pkg.license, url: `https://spdx.org/licenses/${pkg.license}.html` },
      },
      // The document is served by the server it describes.
      servers: [{ url: '/', description: 'This Atelier server' }],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: [{ akSkSignature: [] }, { authToken: [] }],
      tags: TAGS,
    },
    // Shared schemas under their own $id rather than def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: transformFor(options.emulator ?? false),
    transformObject,
  });
}

/** Serves /openapi.json and the browsable reference at /docs, both without credentials. */
export async function registerApiReference(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await app.register(async (scope) => {
    // The UI's own routes (page, assets, its copy of the document) are public like the document.
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), public: true };
      route.schema = { ...route.schema, hide: true } as typeof route.schema;
    });
    await scope.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, displayOperationId: true, validatorUrl: null },
      staticCSP: true,
    });
  });
}
