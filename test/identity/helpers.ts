// Helpers shared by the identity integration tests: temporary directories, signed requests that a test
// may tamper with, the command line as a child process, a listening server, and the official SDK's own
// HTTP client pointed at it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js';
import { Region } from '@huaweicloud/huaweicloud-sdk-core/region/region.js';
import type { FastifyInstance } from 'fastify';
import { inject } from 'light-my-request';
import { afterAll, beforeAll, expect } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { ApiResponse } from '../helpers/client.js';
import { freshDatabase } from '../helpers/databases.js';
import { expectError } from '../helpers/fixtures.js';
import type { SdkWireRequest } from '../helpers/sdk-signer.js';
import { formatSdkDate, signRequest } from '../helpers/signing.js';
import { waitFor } from '../helpers/wait-for.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const QUOTAS = '/v1/{project_id}/quotas';
export const NETWORKS = '/v1/{project_id}/networks';
export const POOLS = '/v2/{project_id}/pools';
export const STATISTICS = '/v2/{project_id}/statistics/pools';
export const HOUR = 3_600_000;

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Temporary directories of one test file; `removeAll` in afterAll/afterEach. */
export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = 'atelier-identity-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }
  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A 401 in the gateway envelope whose message gives away none of the secrets passed. */
export function expectUnauthorized(res: ApiResponse, reason?: RegExp, secrets: string[] = []): void {
  expectError(res, 401, 'APIGW.0301');
  expect(res.body.error_msg).toMatch(/^Incorrect IAM authentication information: /);
  if (reason) expect(res.body.error_msg).toMatch(reason);
  for (const secret of secrets) expect(res.text).not.toContain(secret);
}

export function expectForbidden(res: ApiResponse): void {
  expectError(res, 403, 'ModelArts.0210');
}

// --- signed requests a test can tamper with ----------------------------------------------------

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Signs a request through the SDK for `app.inject` (host `localhost`, JSON content type, X-Project-Id),
 * returning exactly what goes on the wire so a test can change one part before sending it.
 */
export async function signForInject(
  request: { method: string; url: string; body?: unknown; headers?: Record<string, string> },
  credentials: { accessKey: string; secretKey: string },
  projectId: string,
  signedAt = new Date(),
): Promise<WireRequest> {
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  const url = request.url.replace('{project_id}', projectId);
  const { headers } = await signRequest({
    method: request.method,
    url,
    headers: { host: 'localhost', 'content-type': 'application/json', 'x-project-id': projectId, ...request.headers },
    body,
    accessKey: credentials.accessKey,
    secretKey: credentials.secretKey,
    sdkDate: formatSdkDate(signedAt),
  });
  return { method: request.method, url, headers, body };
}

/** Sends a wire request without a socket through what the server runs (hot reads, then Fastify), header names as given. */
export async function sendInject(app: FastifyInstance, wire: WireRequest): Promise<ApiResponse> {
  const res = await inject(app.handleRequest, {
    method: wire.method as 'GET',
    url: wire.url,
    headers: wire.headers,
    payload: wire.body,
  });
  return {
    status: res.statusCode,
    headers: res.headers as ApiResponse['headers'],
    body: parse(res.body),
    text: res.body,
  };
}

/** Sends a request captured from the official SDK (test/helpers/sdk-signer.ts) to a listening server. */
export async function sendWire(baseUrl: string, wire: SdkWireRequest): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  // fetch sets Host from the URL itself; the SDK's value is the same host:port, and it is signed.
  for (const [name, value] of Object.entries(wire.headers)) if (name.toLowerCase() !== 'host') headers[name] = value;
  const res = await fetch(new URL(wire.url, baseUrl), { method: wire.method, headers, body: wire.body });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body: parse(text), text };
}

function parse(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

// --- servers and the command line ---------------------------------------------------------------

/** Configuration for a real server on a free loopback port over SQLite in `dir`. */
export function serverConfig(dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
    ATELIER_HOST: '127.0.0.1',
    ATELIER_PORT: '0',
    ATELIER_LOG_LEVEL: 'silent',
    ...env,
  });
}

/**
 * A real listening server over the vitest project's dialect: SQLite in `dir`, or a fresh database on
 * the run's PostgreSQL cluster (dropped on close); an ATELIER_DATABASE_URL in `env` wins.
 */
export async function listen(dir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const testDb = env.ATELIER_DATABASE_URL === undefined ? await freshDatabase(dir) : undefined;
  const url = env.ATELIER_DATABASE_URL ?? testDb!.url;
  const secret: Record<string, string> = url.startsWith('postgres')
    ? { ATELIER_SECRET_KEY: 'listen-test-secret-key-0123456789' }
    : {};
  const server = await startServer(serverConfig(dir, { ATELIER_DATABASE_URL: url, ...secret, ...env }));
  return {
    ...server,
    close: async () => {
      await server.close();
      await testDb?.drop();
    },
  };
}

/** The environment of a child process: ours without any ATELIER_* setting, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ATELIER_')) clean[name] = value;
  return { ...clean, ...env };
}

// Absolute, so that a command can run in another working directory too.
const MAIN = [ATELIER_MAIN];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `atelier <args>` (dist/main.js, built from the sources by vitest.config.ts) against the given environment; `input` is its
 * standard input (closed at once without it), `cwd` its working directory (the repository's by default).
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { input?: string; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...MAIN, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: childEnv(env), timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** `atelier serve` as a child process, with everything it writes kept. */
export class ServeProcess {
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [...MAIN, 'serve'], {
      cwd: REPO_ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits until stdout matches, with a deadline; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const match = await waitFor(
      async () => pattern.exec(this.stdout) ?? (this.child.exitCode !== null ? 'exited' : null),
      { what: `atelier serve to print ${pattern}`, timeout: timeoutMs, interval: 20 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
    });
    if (match === 'exited')
      throw new Error(`atelier serve exited early\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
    return match as RegExpMatchArray;
  }

  /** SIGTERM, then the exit code once the process is gone. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

// --- the official SDK's own HTTP client -----------------------------------------------------------

// The SDK logs every refused request with its full headers to stdout; tests check refusals themselves.
Logger4jInstance.level = 'off';

export interface SdkCallResult {
  status: number;
  body: any;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
}

/**
 * A client built the way a user of the official Node SDK builds one (ClientBuilder → HcClient →
 * DefaultHttpClient → axios), pointed at a listening Atelier. With `region` instead of `projectId` the
 * SDK first asks IAM (`iamEndpoint`, here Atelier too) for the project of that name.
 */
export function sdkClient(options: { endpoint: string; ak: string; sk: string; projectId?: string; region?: string }): {
  call(request: {
    method: string;
    url: string;
    query?: Record<string, string>;
    body?: object;
    contentType?: string;
    headers?: Record<string, string>;
  }): Promise<SdkCallResult>;
} {
  const credentials = new BasicCredentials().withAk(options.ak).withSk(options.sk);
  if (options.projectId) credentials.withProjectId(options.projectId);
  if (options.region) credentials.withIamEndpoint(options.endpoint);
  const builder = new ClientBuilder<HcClient>((client) => client)
    .withCredential(credentials)
    // A custom user agent also stops the SDK from writing ~/.huaweicloud/application_id.
    .withOptions({ customUserAgent: 'atelier-tests' });
  if (options.region) builder.withRegion(new Region(options.region, options.endpoint));
  else builder.withEndpoint(options.endpoint);
  const client = builder.build();
  return {
    async call(request) {
      // The shape generated ModelArts clients hand to sendRequest: GET and DELETE carry no `data`.
      const http: HttpRequestOptions = {
        method: request.method,
        url: request.url,
        contentType: request.contentType ?? 'application/json',
        queryParams: request.query ?? {},
        pathParams: {},
        headers: request.headers ?? {},
      };
      if (request.body !== undefined) http.data = request.body as Record<string, unknown>;
      try {
        const { httpStatusCode, ...body } = (await client.sendRequest(http)) as { httpStatusCode: number };
        return { status: httpStatusCode, body };
      } catch (error) {
        const e = error as { httpStatusCode?: number; errorCode?: string; errorMsg?: string; requestId?: string };
        if (typeof e.httpStatusCode !== 'number') throw error;
        return {
          status: e.httpStatusCode,
          body: undefined,
          errorCode: e.errorCode,
          errorMsg: e.errorMsg,
          requestId: e.requestId,
        };
      }
    },
  };
}

/**
 * A listening server of the enclosing `describe` with a fresh bootstrap project and access key, and the
 * SDK's own HTTP client for it: started before its first test, closed after its last.
 */
export function useSdkServer(env: Record<string, string> = {}): {
  server(): RunningServer;
  client(): ReturnType<typeof sdkClient>;
  projectId: string;
} {
  const dirs = new TempDirs();
  let server: RunningServer | undefined;
  const projectId = randomBytes(16).toString('hex');
  const ak = `AK${randomBytes(9).toString('hex').toUpperCase()}`;
  const sk = randomBytes(20).toString('base64url');
  beforeAll(async () => {
    server = await listen(dirs.make(), {
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: ak,
      ATELIER_BOOTSTRAP_SK: sk,
      ATELIER_ENGINE_INTERVAL_MS: '20',
      ...env,
    });
  });
  afterAll(async () => {
    await server?.close();
    dirs.removeAll();
  });
  const started = () => {
    if (!server) throw new Error('the server is used before it started');
    return server;
  };
  return {
    server: started,
    client: () => sdkClient({ endpoint: started().address, ak, sk, projectId }),
    projectId,
  };
}

/** The body of a password login at POST /v3/auth/tokens, scoped to a project. */
export function loginBody(user: string, domain: string, password: string, projectId: string) {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: domain } } } },
      scope: { project: { id: projectId } },
    },
  };
}
