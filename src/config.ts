import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PROJECT_ID_PATTERN } from './shared/conventions.js';
import { MAX_QUOTA } from './shared/limits.js';

/**
 * Every setting Atelier reads from the environment. This is the only module that
 * looks at process.env; everything else receives a frozen Config.
 */
const Seconds = (fallback: number) => Type.Number({ minimum: 0, maximum: 86_400, default: fallback });
const Limit = (fallback: number) => Type.Integer({ minimum: 0, maximum: MAX_QUOTA, default: fallback });

const Timeout = (fallback: number) => Type.Number({ exclusiveMinimum: 0, maximum: 3_600, default: fallback });

/** Slow and idle clients (docs/operations.md, "Limits and timeouts"). */
const HTTP_LIMITS = {
  ATELIER_HTTP_HEADERS_TIMEOUT_SECONDS: Timeout(10),
  ATELIER_HTTP_REQUEST_TIMEOUT_SECONDS: Timeout(30),
  ATELIER_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: Timeout(5),
  ATELIER_HTTP_IDLE_TIMEOUT_SECONDS: Timeout(60),
  ATELIER_HTTP_MAX_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1_024 }),
  ATELIER_MAX_RESPONSE_MB: Type.Number({ exclusiveMinimum: 0, maximum: 1_024, default: 32 }),
};

const EnvSchema = Type.Object({
  ATELIER_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  ATELIER_PORT: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
  ATELIER_DATABASE_URL: Type.String({ minLength: 1, default: 'sqlite:./data/atelier.db' }),
  ATELIER_REGION: Type.String({ pattern: '^[a-z0-9-]{1,64}(,[a-z0-9-]{1,64})*$', default: 'cn-north-4' }),
  ATELIER_DATABASE_CONNECT_SECONDS: Seconds(30),
  ATELIER_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  ATELIER_POOL_QUOTA: Limit(15),
  ATELIER_NETWORK_QUOTA: Limit(15),
  ATELIER_QUOTA_VALUES_AS_STRINGS: Type.Boolean({ default: false }),
  ATELIER_BOOTSTRAP_PROJECT_ID: Type.Optional(Type.String({ pattern: PROJECT_ID_PATTERN })),
  ATELIER_BOOTSTRAP_AK: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{8,64}$' })),
  ATELIER_BOOTSTRAP_SK: Type.Optional(Type.String({ minLength: 16, maxLength: 128 })),
  ATELIER_SECRET_KEY: Type.Optional(Type.String({ minLength: 16 })),
  ATELIER_AUTH_REQUIRED: Type.Boolean({ default: true }),
  ATELIER_TOKEN_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 8_760, default: 24 }),
  ATELIER_LOGIN_LOCKOUT_FAILURES: Type.Integer({ minimum: 1, maximum: 1_000, default: 5 }),
  ATELIER_LOGIN_ADDRESS_LOCKOUT_FAILURES: Type.Integer({ minimum: 1, maximum: 100_000, default: 20 }),
  ATELIER_LOGIN_WINDOW_SECONDS: Type.Number({ minimum: 1, maximum: 86_400, default: 900 }),
  ATELIER_LOGIN_LOCKOUT_SECONDS: Type.Number({ minimum: 1, maximum: 86_400, default: 900 }),
  ATELIER_LOGIN_DELAY_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 200 }),
  ATELIER_AUTH_CACHE_MS: Type.Integer({ minimum: 0, maximum: 1_000, default: 1_000 }),
  ATELIER_READ_CACHE_MS: Type.Integer({ minimum: 0, maximum: 1_000, default: 1_000 }),
  ATELIER_FLAVORS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  ATELIER_PLUGIN_TEMPLATES_FILE: Type.Optional(Type.String({ minLength: 1 })),
  ATELIER_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
  ATELIER_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 256, pattern: '^\\S+$' })),
  ATELIER_SEED_FILE: Type.Optional(Type.String({ minLength: 1 })),
  ATELIER_NETWORK_CREATE_SECONDS: Seconds(2),
  ATELIER_NETWORK_DELETE_SECONDS: Seconds(2),
  ATELIER_POOL_CREATE_SECONDS: Seconds(5),
  ATELIER_POOL_DELETE_SECONDS: Seconds(3),
  ATELIER_POOL_SCALE_SECONDS: Seconds(3),
  ATELIER_PLUGIN_INSTALL_SECONDS: Seconds(3),
  ATELIER_NODE_CREATE_SECONDS: Seconds(0),
  ATELIER_NODE_DELETE_SECONDS: Seconds(0),
  ATELIER_NODE_REBOOT_SECONDS: Seconds(0),
  ATELIER_NODE_RESET_SECONDS: Seconds(0),
  ATELIER_FAILED_RETENTION_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 87_600, default: 72 }),
  ATELIER_ORDER_EXPIRY_SECONDS: Type.Integer({ minimum: 0, maximum: 31_536_000, default: 86_400 }),
  ATELIER_WORKERS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  ATELIER_ENGINE_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 250 }),
  ATELIER_ENGINE_LEASE_SECONDS: Type.Number({ minimum: 1, maximum: 3_600, default: 30 }),
  ...HTTP_LIMITS,
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  /** The region ids IAM lists (GET /v3/regions); the first names the project a first start creates. */
  readonly regions: readonly string[];
  /** How long a start keeps trying to reach the database before it gives up; 0 tries once. */
  readonly databaseConnectMs: number;
  readonly logLevel: Env['ATELIER_LOG_LEVEL'];
  readonly quotas: { readonly pool: number; readonly network: number; readonly valuesAsStrings: boolean };
  readonly bootstrap: { readonly projectId?: string; readonly accessKey?: string; readonly secretKey?: string };
  /** Encryption key for SKs at rest; without it a key file beside the database is used. */
  readonly secretKey: string | undefined;
  readonly tokenTtlMs: number;
  /** Throttling of POST /v3/auth/tokens (identity/login-throttle.ts). */
  readonly login: LoginThrottleSettings;
  /**
   * When false, requests without credentials are served for any existing project
   * (local experiments, benchmarks); requests that carry credentials are still checked.
   */
  readonly authRequired: boolean;
  /** How long a credential lookup is reused; at most a second (docs/performance.md). */
  readonly authCacheMs: number;
  /** How long a polling read (usage, failures, tokens) is reused while this process writes nothing. */
  readonly readCacheMs: number;
  readonly flavorsFile: string | undefined;
  /** JSON or YAML plug-in templates added to the built-in catalogue (src/plugins/). */
  readonly pluginTemplatesFile: string | undefined;
  /** How long a plug-in stays Pending once its pool has nodes. */
  readonly pluginInstallSeconds: number;
  /** Bearer token of the emulator controls under /_atelier/; unset, the prefix answers 404. */
  readonly adminToken: string | undefined;
  /** Bearer token that GET /metrics requires; unset, the metrics are public like /healthz. */
  readonly metricsToken: string | undefined;
  /** JSON or YAML world loaded at start (docs/emulator.md, "Seed data"). */
  readonly seedFile: string | undefined;
  readonly timings: LifecycleTimings;
  /** How long a CreationFailed record stays visible (decision 7). */
  readonly failedRetentionMs: number;
  /** How long a yearly/monthly order may stay unpaid before its pool fails (decision 19); 0: for ever. */
  readonly orderExpiryMs: number;
  readonly engineIntervalMs: number;
  /** How long a replica's claim on a due step lasts without a heartbeat (db/claims.ts). */
  readonly engineLeaseMs: number;
  /** HTTP worker processes sharing the port (src/cluster.ts). */
  readonly workers: number;
  readonly http: HttpLimits;
}

/** What the server allows a connection (src/http/node-server.ts). */
export interface HttpLimits {
  /** From a request's first byte to the end of its headers. */
  readonly headersTimeoutMs: number;
  /** From a request's first byte to the end of its body. */
  readonly requestTimeoutMs: number;
  /** How long a keep-alive connection may wait for its next request. */
  readonly keepAliveTimeoutMs: number;
  /** How long a connection may send and receive nothing at all. */
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  /** The largest response body the server sends; a bigger one is refused with a 400 that says how to narrow it. */
  readonly maxResponseBytes: number;
}

/** Refused password logins: a growing delay, then a lockout, per user and per client address. */
export interface LoginThrottleSettings {
  /** Refused logins of one user within the window that lock it. */
  readonly maxFailuresPerUser: number;
  /** Refused logins from one client address within the window that lock it. */
  readonly maxFailuresPerAddress: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
  /** The delay of the second refusal in a row; it doubles with each further one. */
  readonly delayMs: number;
}

/** Seconds each simulated provisioning step takes; 0 = at the engine's next pass. */
export interface LifecycleTimings {
  readonly networkCreate: number;
  readonly networkDelete: number;
  readonly poolCreate: number;
  readonly poolDelete: number;
  readonly poolScale: number;
  readonly nodeCreate: number;
  readonly nodeDelete: number;
  readonly nodeReboot: number;
  readonly nodeReset: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Set by Atelier itself for the worker processes it forks (src/cluster.ts), not by operators. */
const WORKER_INDEX = 'ATELIER_WORKER_INDEX';
const INTERNAL_VARIABLES = new Set([WORKER_INDEX]);

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
};

/**
 * Reads, converts and validates every ATELIER_* variable at once, so an operator sees
 * all problems in one start attempt instead of fixing them one by one.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.keys(EnvSchema.properties);
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('ATELIER_') || raw === undefined) continue;
    if (INTERNAL_VARIABLES.has(name)) continue;
    if (!known.includes(name)) {
      problems.push(`${name} is not a known setting`);
      continue;
    }
    const schema = EnvSchema.properties[name as keyof Env] as { type?: string };
    if (schema.type === 'boolean') {
      const word = BOOLEAN_WORDS[raw.trim().toLowerCase()];
      if (word === undefined) problems.push(`${name} must be true or false (got "${raw}")`);
      else input[name] = word;
    } else if (schema.type === 'integer' || schema.type === 'number') {
      // Plain decimal only: Number() would also take "0x10" or "1e3" without a word.
      input[name] = /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    } else {
      input[name] = raw;
    }
  }
  const withDefaults = Value.Default(EnvSchema, input) as Record<string, unknown>;
  for (const error of Value.Errors(EnvSchema, withDefaults)) {
    const name = error.path.replace(/^\//, '');
    const allowed = (error.schema as { anyOf?: Array<{ const?: unknown }> }).anyOf?.map((s) => s.const);
    const message = allowed ? `must be one of ${allowed.join(', ')}` : error.message.toLowerCase();
    problems.push(`${name} ${message} (got "${String(error.value)}")`);
  }
  problems.push(...combinationProblems(withDefaults));
  problems.push(...httpLimitProblems(withDefaults));
  if (problems.length > 0) throw new ConfigError(problems);

  const e = withDefaults as Env;
  return Object.freeze({
    host: e.ATELIER_HOST,
    port: e.ATELIER_PORT,
    databaseUrl: e.ATELIER_DATABASE_URL,
    regions: Object.freeze(e.ATELIER_REGION.split(',')),
    databaseConnectMs: e.ATELIER_DATABASE_CONNECT_SECONDS * 1000,
    logLevel: e.ATELIER_LOG_LEVEL,
    quotas: Object.freeze({
      pool: e.ATELIER_POOL_QUOTA,
      network: e.ATELIER_NETWORK_QUOTA,
      valuesAsStrings: e.ATELIER_QUOTA_VALUES_AS_STRINGS,
    }),
    bootstrap: Object.freeze({
      projectId: e.ATELIER_BOOTSTRAP_PROJECT_ID,
      accessKey: e.ATELIER_BOOTSTRAP_AK,
      secretKey: e.ATELIER_BOOTSTRAP_SK,
    }),
    secretKey: e.ATELIER_SECRET_KEY,
    tokenTtlMs: e.ATELIER_TOKEN_TTL_HOURS * 3_600_000,
    login: loginSettings(e),
    authRequired: e.ATELIER_AUTH_REQUIRED,
    authCacheMs: e.ATELIER_AUTH_CACHE_MS,
    readCacheMs: e.ATELIER_READ_CACHE_MS,
    flavorsFile: e.ATELIER_FLAVORS_FILE,
    pluginTemplatesFile: e.ATELIER_PLUGIN_TEMPLATES_FILE,
    pluginInstallSeconds: e.ATELIER_PLUGIN_INSTALL_SECONDS,
    adminToken: e.ATELIER_ADMIN_TOKEN,
    metricsToken: e.ATELIER_METRICS_TOKEN,
    seedFile: e.ATELIER_SEED_FILE,
    timings: lifecycleTimings(e),
    failedRetentionMs: e.ATELIER_FAILED_RETENTION_HOURS * 3_600_000,
    orderExpiryMs: e.ATELIER_ORDER_EXPIRY_SECONDS * 1000,
    engineIntervalMs: e.ATELIER_ENGINE_INTERVAL_MS,
    engineLeaseMs: e.ATELIER_ENGINE_LEASE_SECONDS * 1000,
    workers: e.ATELIER_WORKERS,
    http: httpLimits(e),
  });
}

/** How long each lifecycle step of the emulated cloud takes (ATELIER_*_SECONDS). */
function lifecycleTimings(e: Env) {
  return Object.freeze({
    networkCreate: e.ATELIER_NETWORK_CREATE_SECONDS,
    networkDelete: e.ATELIER_NETWORK_DELETE_SECONDS,
    poolCreate: e.ATELIER_POOL_CREATE_SECONDS,
    poolDelete: e.ATELIER_POOL_DELETE_SECONDS,
    poolScale: e.ATELIER_POOL_SCALE_SECONDS,
    nodeCreate: e.ATELIER_NODE_CREATE_SECONDS,
    nodeDelete: e.ATELIER_NODE_DELETE_SECONDS,
    nodeReboot: e.ATELIER_NODE_REBOOT_SECONDS,
    nodeReset: e.ATELIER_NODE_RESET_SECONDS,
  });
}

function httpLimitProblems(env: Record<string, unknown>): string[] {
  const headers = Number(env.ATELIER_HTTP_HEADERS_TIMEOUT_SECONDS);
  const request = Number(env.ATELIER_HTTP_REQUEST_TIMEOUT_SECONDS);
  return headers > request
    ? ['ATELIER_HTTP_HEADERS_TIMEOUT_SECONDS must not exceed ATELIER_HTTP_REQUEST_TIMEOUT_SECONDS']
    : [];
}

function httpLimits(e: Env): HttpLimits {
  return Object.freeze({
    headersTimeoutMs: e.ATELIER_HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: e.ATELIER_HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    keepAliveTimeoutMs: e.ATELIER_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    idleTimeoutMs: e.ATELIER_HTTP_IDLE_TIMEOUT_SECONDS * 1000,
    maxConnections: e.ATELIER_HTTP_MAX_CONNECTIONS,
    maxResponseBytes: Math.round(e.ATELIER_MAX_RESPONSE_MB * 1024 * 1024),
  });
}

/** The environment a forked worker starts with on top of its parent's: which worker it is. */
export function workerEnvironment(index: number): Record<string, string> {
  return { [WORKER_INDEX]: String(index) };
}

/** Which worker this process is (1, 2, …), as its parent forked it; undefined outside a cluster. */
export function workerIndex(): number | undefined {
  const value = process.env[WORKER_INDEX];
  return value === undefined ? undefined : Number(value);
}

/**
 * What `atelier serve --ephemeral` runs with unless the environment says otherwise: a database in
 * memory, a fixed project and key (so a CI job knows them before the start), lifecycles at the
 * engine's next pass, and the emulator controls on. Never for a shared network.
 */
export const EPHEMERAL_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  ATELIER_DATABASE_URL: 'sqlite::memory:',
  ATELIER_BOOTSTRAP_PROJECT_ID: '0123456789abcdef0123456789abcdef',
  ATELIER_BOOTSTRAP_AK: 'ATELIEREPHEMERALAK01',
  ATELIER_BOOTSTRAP_SK: 'atelier-ephemeral-secret-key-not-for-production',
  ATELIER_ADMIN_TOKEN: 'atelier-ephemeral-admin-token',
  ATELIER_NETWORK_CREATE_SECONDS: '0',
  ATELIER_NETWORK_DELETE_SECONDS: '0',
  ATELIER_POOL_CREATE_SECONDS: '0',
  ATELIER_POOL_DELETE_SECONDS: '0',
  ATELIER_POOL_SCALE_SECONDS: '0',
  ATELIER_PLUGIN_INSTALL_SECONDS: '0',
  ATELIER_ENGINE_INTERVAL_MS: '50',
});

/**
 * The configuration of this process: its environment, over `defaults` (the --ephemeral settings).
 * The command line's one way in; the server and tests call loadConfig with what they have.
 */
export function loadProcessConfig(defaults: Readonly<Record<string, string>> = {}): Config {
  return loadConfig({ ...defaults, ...process.env });
}

const SECRET_SETTINGS = new Set([
  'ATELIER_BOOTSTRAP_SK',
  'ATELIER_SECRET_KEY',
  'ATELIER_ADMIN_TOKEN',
  'ATELIER_METRICS_TOKEN',
]);

/**
 * What `atelier settings` shows: every setting with the value this process runs with (its
 * environment over `defaults` over the built-in default) and where it came from; secrets masked.
 * Validated first, so a bad value is reported rather than shown.
 */
export function effectiveSettings(
  defaults: Readonly<Record<string, string>> = {},
): Array<{ name: string; value: string; source: 'environment' | 'ephemeral' | 'default' }> {
  loadProcessConfig(defaults);
  return describeSettings().map(({ name, default: fallback }) => {
    const given = process.env[name] ?? defaults[name];
    const source = process.env[name] !== undefined ? 'environment' : given !== undefined ? 'ephemeral' : 'default';
    const value = given ?? (fallback === undefined ? '' : String(fallback));
    return { name, value: SECRET_SETTINGS.has(name) && value ? '(set, hidden)' : value, source };
  });
}

const loginSettings = (e: Env): LoginThrottleSettings =>
  Object.freeze({
    maxFailuresPerUser: e.ATELIER_LOGIN_LOCKOUT_FAILURES,
    maxFailuresPerAddress: e.ATELIER_LOGIN_ADDRESS_LOCKOUT_FAILURES,
    windowMs: e.ATELIER_LOGIN_WINDOW_SECONDS * 1000,
    lockoutMs: e.ATELIER_LOGIN_LOCKOUT_SECONDS * 1000,
    delayMs: e.ATELIER_LOGIN_DELAY_MS,
  });

/** Settings that are valid one by one but cannot work together. */
function combinationProblems(settings: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const url = String(settings.ATELIER_DATABASE_URL ?? '');
  if (!/^sqlite:.+/.test(url) && !/^postgres(ql)?:\/\//.test(url)) {
    problems.push(`ATELIER_DATABASE_URL must be sqlite:PATH, sqlite::memory: or postgres://… (got "${url}")`);
  }
  // Each worker process would open a database of its own: half the requests would miss the other half's writes.
  if (url === 'sqlite::memory:' && Number(settings.ATELIER_WORKERS) > 1) {
    problems.push(
      'ATELIER_WORKERS > 1 needs a database the workers share: sqlite:PATH or postgres://…, not sqlite::memory:',
    );
  }
  const ak = settings.ATELIER_BOOTSTRAP_AK;
  const sk = settings.ATELIER_BOOTSTRAP_SK;
  if ((ak === undefined) !== (sk === undefined))
    problems.push('ATELIER_BOOTSTRAP_AK and ATELIER_BOOTSTRAP_SK go together');
  if (ak !== undefined && settings.ATELIER_BOOTSTRAP_PROJECT_ID === undefined) {
    problems.push('ATELIER_BOOTSTRAP_AK needs ATELIER_BOOTSTRAP_PROJECT_ID: the project it is granted');
  }
  return problems;
}

/** Names and defaults of every setting, for the README and `atelier config`. */
export function describeSettings(): Array<{ name: string; default: unknown }> {
  return Object.entries(EnvSchema.properties).map(([name, schema]) => ({
    name,
    default: (schema as { default?: unknown }).default,
  }));
}
