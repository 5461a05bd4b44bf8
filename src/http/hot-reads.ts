import type { TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import fastJson from 'fast-json-stringify';
import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { IdentityService } from '../identity/identity.service.js';
import type { AtelierMetrics } from '../metrics/metrics.js';
import type { RequestSeries } from '../metrics/request-tally.js';
import { authorize } from './authenticate.js';
import { logFinished } from './request-log.js';
import { newRequestId, responseHeaders } from './request-id.js';
import { ProjectIdParam } from './wire.js';
import type { MaybeSync } from '../shared/maybe-sync.js';

/**
 * A read that dashboards and SDK scripts call in a loop (quotas, statistics),
 * declared beside its Fastify route so the two answer from one service call and
 * one response schema.
 */
export interface HotRead {
  /** The Fastify route it stands in for, with `:project_id`: the metrics and the log name it. */
  readonly route: string;
  /** The route's querystring schema; a route without one takes no query here. */
  readonly query?: TObject;
  /** The route's 200 response schema. */
  readonly response: TSchema;
  /** The answer: at once when everything it needs is in memory (shared/maybe-sync.ts), else a promise. */
  answer(projectId: string, query: Record<string, string>): MaybeSync<unknown>;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Every Fastify request hook the hot routes run (`hook:functionName`), and how the
 * lane has the same effect on the requests it answers. test/http/hot-reads.test.ts
 * compares this list with the hooks the application registers: a hook added to
 * Fastify (a rate limit, a security header) fails it until the lane applies it too
 * or this says why it need not.
 */
export const LANE_HOOKS: Readonly<Record<string, string>> = {
  'onRequest:addResponseHeaders': 'writes responseHeaders() (http/request-id.ts), the same function',
  'preValidation:authenticateRequest': 'calls authorize() (http/authenticate.ts), the same function',
  'preValidation:raiseBodyError': 'not needed: a request with a body goes to Fastify',
  'onSend:closeWhenDraining': 'not needed: once the server closes, every request goes to Fastify',
  'onSend:limitResponseSize': 'not needed: a quota or statistics answer is a few hundred bytes',
  'onResponse:reportFinished': 'counts the request and writes its log line (countRequest, logFinished)',
};

interface CompiledRead {
  read: HotRead;
  prefix: string;
  suffix: string;
  query: { names: ReadonlySet<string>; check: TypeCheck<TObject> } | undefined;
  serialize: (value: unknown) => string;
  /** The metrics series of its 200s, taken at the first one (a series shows once it counted a request). */
  answered: RequestSeries | undefined;
}

interface Match {
  compiled: CompiledRead;
  projectId: string;
  query: Record<string, string>;
}

export interface HotReadsOptions {
  identity: IdentityService;
  authRequired: boolean;
  metrics: AtelierMetrics;
  log: FastifyBaseLogger;
  /** True once the server has begun to close: responses then carry `Connection: close`, which Fastify adds. */
  closing: () => boolean;
}

const PROJECT_ID = new RegExp(ProjectIdParam.pattern ?? '^$');
// A query the lane parses itself: plain pairs, nothing percent- or plus-encoded.
const PLAIN_QUERY = /^[A-Za-z0-9_.~=&-]*$/;

/**
 * The polling reads without Fastify's request pipeline. A successful quotas or
 * statistics request spends most of its time in routing, hooks, validation and
 * reply handling, not in its answer (docs/performance.md); this lane answers
 * such a request with the same checks — the same authorization function, the
 * route's own query schema, the same service call and response schema — and the
 * same bytes, request log line and metrics. Anything it does not answer with a
 * 200 (a refused or malformed call, a request with a body or an unusual query,
 * an error, a server that is closing) goes to Fastify untouched, which gives the
 * one true answer, error envelope included. The lane never writes, so handing a
 * request over after trying it changes nothing.
 */
export class HotReads {
  private readonly reads: CompiledRead[];
  /** Requests this lane answered itself (the rest went to Fastify). */
  answered = 0;

  constructor(
    reads: readonly HotRead[],
    private readonly options: HotReadsOptions,
  ) {
    this.reads = reads.map((read) => {
      const [prefix, suffix] = read.route.split(':project_id');
      if (prefix === undefined || suffix === undefined)
        throw new Error(`a hot read needs :project_id in ${read.route}`);
      return {
        read,
        prefix,
        suffix,
        query: read.query
          ? { names: new Set(Object.keys(read.query.properties)), check: TypeCompiler.Compile(read.query) }
          : undefined,
        serialize: fastJson(read.response as unknown as Parameters<typeof fastJson>[0]) as (value: unknown) => string,
        answered: undefined,
      };
    });
  }

  /** The Fastify routes the lane stands in for. */
  get routes(): string[] {
    return this.reads.map((compiled) => compiled.read.route);
  }

  /** Wraps Fastify's request handler: the lane first, Fastify for everything it hands over. */
  listener(fastify: RequestListener): RequestListener {
    return (req, res) => {
      const match = this.match(req);
      if (!match) return fastify(req, res);
      let answered: MaybeSync<boolean>;
      try {
        answered = this.answer(match, req, res);
      } catch {
        return fastify(req, res);
      }
      if (answered === true) return;
      if (answered === false) return fastify(req, res);
      answered.then(
        (done) => {
          if (!done) fastify(req, res);
        },
        () => fastify(req, res),
      );
    };
  }

  private match(req: IncomingMessage): Match | undefined {
    if (req.method !== 'GET' || this.options.closing()) return undefined;
    const headers = req.headers;
    if (
      (headers['content-length'] !== undefined && headers['content-length'] !== '0') ||
      headers['transfer-encoding'] !== undefined
    ) {
      return undefined;
    }
    const url = req.url ?? '';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    for (const compiled of this.reads) {
      if (!path.startsWith(compiled.prefix) || !path.endsWith(compiled.suffix)) continue;
      const projectId = path.slice(compiled.prefix.length, path.length - compiled.suffix.length);
      if (!PROJECT_ID.test(projectId)) return undefined;
      const query = mark === -1 ? {} : parseQuery(url.slice(mark + 1), compiled.query);
      return query ? { compiled, projectId, query } : undefined;
    }
    return undefined;
  }

  /**
   * True when it answered; false (or a throw, or a rejection) hands the request to Fastify, nothing
   * written. At once when the caller and the answer are in memory (a remembered signature or a
   * reused token read, a cached project and reused reads): no promise, no turn of the event loop.
   */
  private answer(match: Match, req: IncomingMessage, res: ServerResponse): MaybeSync<boolean> {
    const started = performance.now();
    const { identity, authRequired } = this.options;
    let allowed: MaybeSync<unknown>;
    try {
      allowed = authorize(
        identity,
        authRequired,
        { method: 'GET', rawUrl: req.url ?? '', headers: req.headers },
        match.projectId,
      );
    } catch {
      return false;
    }
    if (allowed instanceof Promise) {
      return allowed.then(
        () => this.read(match, res, started),
        () => false,
      );
    }
    return this.read(match, res, started);
  }

  private read(match: Match, res: ServerResponse, started: number): MaybeSync<boolean> {
    const value = match.compiled.read.answer(match.projectId, match.query);
    return value instanceof Promise
      ? value.then((answer) => this.send(match, res, started, answer))
      : this.send(match, res, started, value);
  }

  private send(match: Match, res: ServerResponse, started: number, answer: unknown): boolean {
    const { compiled, projectId } = match;
    const body = compiled.serialize(answer);
    if (this.options.closing() || res.headersSent) return false;
    const reqId = newRequestId();
    // Added to the object responseHeaders() makes, not spread into a literal with more keys:
    // V8 (Node 20) takes a slow path for `{ ...headers, more }` that cost ~10 µs a request here.
    const headers: OutgoingHttpHeaders = responseHeaders(reqId);
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(200, headers);
    res.end(body);
    this.answered += 1;
    const seconds = (performance.now() - started) / 1000;
    // countRequest('GET', route, 200, seconds), without looking the series up each time.
    compiled.answered ??= this.options.metrics.requestSeries('GET', compiled.read.route, 200);
    compiled.answered.observe(seconds);
    const log = this.options.log;
    if ((log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info')) {
      logFinished(log.child({ reqId }), {
        projectId,
        route: compiled.read.route,
        method: 'GET',
        statusCode: 200,
        durationMs: Math.round(seconds * 1_000_000) / 1000,
      });
    }
    return true;
  }
}

/**
 * The query as Fastify would hand it to the route, or undefined when this lane
 * should not judge it (a route without a query schema, an encoded or repeated
 * name, a name the schema does not declare, a value the schema refuses).
 */
function parseQuery(text: string, schema: CompiledRead['query']): Record<string, string> | undefined {
  if (text === '') return {};
  if (!schema || !PLAIN_QUERY.test(text)) return undefined;
  const query: Record<string, string> = {};
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (!schema.names.has(name) || Object.hasOwn(query, name)) return undefined;
    query[name] = eq === -1 ? '' : pair.slice(eq + 1);
  }
  return schema.check.Check(query) ? query : undefined;
}
