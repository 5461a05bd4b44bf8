/**
 * `npm run bench [-- --quick]`: what the hot paths cost, always beside a baseline
 * measured in the same run (the machines are shared and noisy, so only ratios are
 * compared). Servers run pinned to core 0 and the load generator to core 1 when
 * `taskset` exists. Each scenario is measured in rounds alternating with its
 * reference (3 rounds of 2.5 s; one of 0.6 s with --quick), and its ratio is the
 * median of the rounds' ratios. Prints tables and writes bench/results/latest.json.
 *
 *  1. reads: quotas and statistics, signed with AK/SK, with a token and without
 *     verification, against a bare node:http server answering the same bytes;
 *  2. scale: the signed reads on an installation of 1,000 pools and of 1,000,000
 *     pools over 100,000 projects (20,000 over 2,000 with --quick);
 *  3. workers: signed quotas with ATELIER_WORKERS=2 beside 1 (on every core; not with --quick);
 *  4. lifecycles: pools per second from create to Running and from delete to gone;
 *  5. postgres: the signed reads on PostgreSQL;
 *  6. postgres-lifecycles: the lifecycles over two replicas on PostgreSQL (every core);
 *  7. nodes: a pool of 1,000 nodes from POST to Running and from DELETE to gone (nodes/s),
 *     30 pools of 100 nodes created and deleted at once (nodes/s), and pool lifecycles with
 *     one node per pool.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../test/helpers/signing.js';
import pg from 'pg';
import { findPostgresBin, startCluster, type Cluster } from '../test/helpers/postgres-cluster.js';
import { loadPools } from './load-pools.js';
import { freshSignatures, rotating } from './fresh-signatures.js';
import { compareRatios, formatComparisons, lastCommitted, NOISE_BAND, passes } from './check.js';
import { freePort } from '../test/helpers/ports.js';
import { benchInstallation, coreIdleMs, type BenchInstallation } from './bench-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const CHECK = process.argv.includes('--check');
const CONNECTIONS = 50;
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** Every core of the machine (not availableParallelism(): this process is pinned to one). */
const ALL_CORES = `0-${cpus().length - 1}`;
const SCALE = QUICK ? { projects: 2_000, poolsPerProject: 10 } : { projects: 100_000, poolsPerProject: 10 };
const LIFECYCLES = QUICK ? 200 : 3_000;
/**
 * Distinct signed requests a fresh-signature load rotates through: far more than the server
 * remembers (4,096 signatures), so none is recognised as a repeat.
 */
const FRESH_SIGNATURES = 30_000;
/**
 * The fixed-rate loads of the reads section: requests per second over all connections, and how many
 * connections. Well below what either server answers on its core (25,000–55,000 a second on a quiet
 * machine), so neither it nor the load generator is saturated.
 */
const FIXED_RATE = 5_000;
const FIXED_RATE_CONNECTIONS = 10;

// Re-run under taskset so the load generator stays off the servers' core.
if (HAS_TASKSET && !process.env.BENCH_PINNED_TO_CORE) {
  const child = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED_TO_CORE: '1' },
  });
  process.exit(child.status ?? 1);
}

interface Row {
  section: string;
  name: string;
  requestsPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  rssMiB?: number;
  errors?: number;
  ratio?: number;
  ratioTo?: string;
  /**
   * Reads: CPU time other processes took on the server's core and on the load generator's, as a
   * share of the loads' wall time (median of the rounds). A p99 of several ms on a loaded machine is
   * mostly theirs ("Signed reads: the tail" in docs/performance.md).
   */
  othersOnServerCore?: number;
  othersOnClientCore?: number;
  /** Lifecycles: CPU the servers and the client (this runner) used per item, in ms. */
  serverCpuMs?: number;
  clientCpuMs?: number;
}

const rows: Row[] = [];

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      // Read the answer to the end: an unread body would hold the connection open through the server's shutdown.
      await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * Starts a process, pinned to core 0 unless `pin` is false, and waits for its
 * port. Unpinned means every core: a child would otherwise inherit the runner's.
 */
async function start(args: string[], env: Record<string, string>, port: number, pin = true): Promise<ChildProcess> {
  const [cmd, rest] = HAS_TASKSET ? ['taskset', ['-c', pin ? '0' : ALL_CORES, ...args]] : [args[0], args.slice(1)];
  const child = spawn(cmd, rest, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  // BENCH_SERVER_LOG=FILE keeps the servers' log lines (errors are logged there).
  if (process.env.BENCH_SERVER_LOG) child.stdout?.pipe(createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' }));
  else child.stdout?.resume();
  await waitForPort(port, child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  // The timer must not outlive the wait: it would hold the runner's exit for 12 s.
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 12_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Peak resident memory of a process and its children (workers), in MiB. */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const pids = [pid, ...childPids(pid)];
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return Math.round((kb / 1024) * 10) / 10;
}

function childPids(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return children.flatMap((c) => [c, ...childPids(c)]);
  } catch {
    return [];
  }
}

/** Something to load: a URL, the headers every request carries, the server to read RSS from. */
interface Target {
  url: string;
  headers: Record<string, string>;
  server?: ChildProcess;
  /** Headers of distinct requests to rotate through, one after another over all connections. */
  rotate?: Array<Record<string, string>>;
  /** Connections of its loads, when not the usual 50 (a heavy answer: a page of 500 nodes). */
  connections?: number;
  /** Requests per second over all connections (autocannon's overallRate), when not as fast as answered. */
  rate?: number;
}

/** autocannon's options for one load of a target; a rotation hands each request the next headers. */
function loadOf(target: Target, duration: number): autocannon.Options {
  const options: autocannon.Options = {
    url: target.url,
    connections: target.connections ?? CONNECTIONS,
    duration,
    headers: target.headers,
    ...(target.rate === undefined ? {} : { overallRate: target.rate }),
  };
  const rotate = target.rotate;
  if (rotate === undefined) return options;
  return { ...options, requests: rotating(new URL(target.url).pathname, rotate) };
}

const ROUNDS = QUICK ? 1 : 3;
const ROUND_S = QUICK ? 0.6 : 2.5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

const warmed = new Set<string>();

/** A first, unmeasured load of each URL and request, so the JIT has compiled the path before it counts. */
async function warm(target: Target): Promise<void> {
  const key = `${target.url} ${JSON.stringify(target.headers)} ${target.rotate?.length ?? 0}`;
  if (warmed.has(key)) return;
  warmed.add(key);
  await autocannon(loadOf(target, QUICK ? 0.25 : 1));
}

/** CPU time of every thread of a process (its schedstat), ms. */
function threadsCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let ns = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended
      }
    }
  } catch {
    // gone
  }
  return ns / 1e6;
}

/** Shares of the wall time other processes took on core 0 (the server's) and core 1 (this runner's). */
type CoreShares = { server: number; client: number };
const coreShares = new WeakMap<autocannon.Result, CoreShares>();

/** One load, with what other processes took of the two cores meanwhile (when pinned). */
async function measuredLoad(target: Target, duration: number): Promise<autocannon.Result> {
  const idle = HAS_TASKSET ? coreIdleMs() : undefined;
  const server = threadsCpuMs(target.server?.pid);
  const client = threadsCpuMs(process.pid);
  const from = performance.now();
  const result = await autocannon(loadOf(target, duration));
  const wall = performance.now() - from;
  const after = idle && coreIdleMs();
  if (idle && after && after.length >= 2 && target.server) {
    const share = (core: number, ours: number) =>
      Math.max(0, Math.round(((wall - (after[core]! - idle[core]!) - ours) / wall) * 100) / 100);
    coreShares.set(result, {
      server: share(0, threadsCpuMs(target.server.pid) - server),
      client: share(1, threadsCpuMs(process.pid) - client),
    });
  }
  return result;
}

function othersOf(runs: autocannon.Result[]): Pick<Row, 'othersOnServerCore' | 'othersOnClientCore'> {
  const shares = runs.map((r) => coreShares.get(r)).filter((s) => s !== undefined);
  if (shares.length === 0) return {};
  return {
    othersOnServerCore: median(shares.map((s) => s.server)),
    othersOnClientCore: median(shares.map((s) => s.client)),
  };
}

/** Every load of a reference, so its row can report them all. */
const referenceRuns = new Map<Row, autocannon.Result[]>();

/**
 * A scenario against its reference, measured in alternation — reference, scenario,
 * reference, scenario … — so a neighbour's burst on the shared machine lands on
 * both; the ratio is the median of the rounds' ratios.
 */
async function paired(
  section: string,
  name: string,
  scenario: Target,
  reference: { row: Row; target: Target },
): Promise<Row> {
  await warm(reference.target);
  await warm(scenario);
  const ratios: number[] = [];
  const runs: autocannon.Result[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const base = await measuredLoad(reference.target, ROUND_S);
    const run = await measuredLoad(scenario, ROUND_S);
    referenceRuns.get(reference.row)?.push(base);
    runs.push(run);
    if (base.requests.average > 0) ratios.push(run.requests.average / base.requests.average);
  }
  updateReference(reference.row, reference.target);
  const row: Row = {
    section,
    name,
    requestsPerSecond: Math.round(runs.reduce((sum, r) => sum + r.requests.average, 0) / runs.length),
    p50Ms: median(runs.map((r) => r.latency.p50)),
    p99Ms: median(runs.map((r) => r.latency.p99)),
    rssMiB: scenario.server ? rssMiB(scenario.server.pid) : undefined,
    errors: runs.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    ratio: ratios.length === 0 ? undefined : Math.round(median(ratios) * 100) / 100,
    ratioTo: reference.row.name,
    ...othersOf(runs),
  };
  rows.push(row);
  process.stdout.write(
    `  ${section} / ${name}: ${row.requestsPerSecond} req/s, ${row.ratio ?? '-'} of ${row.ratioTo}, p99 ${row.p99Ms} ms\n`,
  );
  return row;
}

/** A reference's row, filled in from all its loads as the paired scenarios run. */
function referenceRow(section: string, name: string): Row {
  const row: Row = { section, name, requestsPerSecond: 0, ratio: 1 };
  referenceRuns.set(row, []);
  rows.push(row);
  return row;
}

/**
 * The bare node:http baseline of one endpoint: sent the heaviest request of the
 * section, the signed one, it answers that endpoint's bytes — the same bytes in
 * and out as the scenarios it is the reference of.
 */
async function baselineReference(
  section: string,
  inst: Installation,
  baseline: { port: number; server: ChildProcess },
  path: string,
  endpoint: string,
): Promise<{ row: Row; target: Target }> {
  return {
    row: referenceRow(section, `baseline node:http, ${endpoint}`),
    target: {
      url: `http://127.0.0.1:${baseline.port}${path}`,
      headers: await signedHeaders(inst, 'GET', path),
      server: baseline.server,
    },
  };
}

function updateReference(row: Row, target: Target): void {
  const runs = referenceRuns.get(row) ?? [];
  row.requestsPerSecond = Math.round(runs.reduce((sum, r) => sum + r.requests.average, 0) / Math.max(1, runs.length));
  row.p50Ms = median(runs.map((r) => r.latency.p50));
  row.p99Ms = median(runs.map((r) => r.latency.p99));
  row.rssMiB = target.server ? rssMiB(target.server.pid) : undefined;
  row.errors = runs.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
  Object.assign(row, othersOf(runs));
}

type Installation = BenchInstallation;

const installation = (extraEnv: Record<string, string> = {}): Promise<Installation> =>
  benchInstallation('atelier-bench-', extraEnv);

// BENCH_CPU_PROFILE=DIR writes each server's CPU profile (node --cpu-prof) to DIR when it stops.
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const ATELIER = [
  process.execPath,
  ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
  'dist/main.js',
  'serve',
];

/**
 * Headers signed as the SDK signs them. A run repeats one signature, as a client
 * does within each second (X-Sdk-Date has one-second resolution); the server
 * verifies it in full once and then recognises it (identity/signature.ts).
 */
async function signedHeaders(
  inst: Installation,
  method: string,
  path: string,
  body?: string,
): Promise<Record<string, string>> {
  const signed = await signRequest({
    method,
    url: path,
    headers: { host: `127.0.0.1:${inst.port}`, 'content-type': 'application/json', 'x-project-id': inst.projectId },
    body,
    accessKey: inst.ak,
    secretKey: inst.sk,
  });
  return signed.headers;
}

function issueToken(inst: Installation): string {
  const res = spawnSync(
    process.execPath,
    ['dist/main.js', 'tokens', 'create', '--account', 'default', '--project', inst.projectId],
    {
      cwd: ROOT,
      env: { ...process.env, ...inst.env },
      encoding: 'utf8',
    },
  );
  const token = /token\s+(\S+)/.exec(res.stdout)?.[1];
  if (!token) throw new Error(`could not issue a token: ${res.stderr}`);
  return token;
}

async function reads(): Promise<void> {
  process.stdout.write('reads\n');
  const basePort = await freePort();
  const baseline = await start(
    [process.execPath, '--import', 'tsx', 'bench/baseline-server.ts'],
    { PORT: String(basePort) },
    basePort,
  );
  const inst = await installation({ ATELIER_AUTH_REQUIRED: 'false' });
  const server = await start(ATELIER, inst.env, inst.port);
  try {
    const token = issueToken(inst);
    const quotas = `/v1/${inst.projectId}/quotas`;
    const statistics = `/v2/${inst.projectId}/statistics/pools`;
    const url = (path: string) => `http://127.0.0.1:${inst.port}${path}`;
    const plain = { 'content-type': 'application/json' };
    const reference = await baselineReference('reads', inst, { port: basePort, server: baseline }, quotas, 'quotas');
    const target = (path: string, headers: Record<string, string>): Target => ({ url: url(path), headers, server });
    await paired('reads', 'quotas, no verification', target(quotas, plain), reference);
    await paired('reads', 'quotas, AK/SK signed', target(quotas, await signedHeaders(inst, 'GET', quotas)), reference);
    await paired('reads', 'quotas, token', target(quotas, { ...plain, 'x-auth-token': token }), reference);
    const statisticsReference = await baselineReference(
      'reads',
      inst,
      { port: basePort, server: baseline },
      statistics,
      'statistics',
    );
    await paired(
      'reads',
      'statistics, AK/SK signed',
      target(statistics, await signedHeaders(inst, 'GET', statistics)),
      statisticsReference,
    );
    await paired(
      'reads',
      'statistics, token',
      target(statistics, { ...plain, 'x-auth-token': token }),
      statisticsReference,
    );
    const fixedRate: Array<{ endpoint: string; path: string; rotate: Array<Record<string, string>> }> = [];
    for (const [endpoint, path] of [
      ['quotas', quotas],
      ['statistics', statistics],
    ] as const) {
      const rotate = await freshSignatures(
        { host: `127.0.0.1:${inst.port}`, projectId: inst.projectId, path, accessKey: inst.ak, secretKey: inst.sk },
        FRESH_SIGNATURES,
      );
      const fresh = (headersOf: Target): Target => ({ ...headersOf, headers: rotate[0]!, rotate });
      const reference = {
        row: referenceRow('reads', `baseline node:http, ${endpoint}, fresh signatures`),
        target: fresh({ url: `http://127.0.0.1:${basePort}${path}`, headers: {}, server: baseline }),
      };
      await paired('reads', `${endpoint}, AK/SK fresh signatures`, fresh(target(path, {})), reference);
      fixedRate.push({ endpoint, path, rotate });
    }
    // The same reads at a fixed rate over a few connections, below what either server answers: the
    // latency of one request rather than of a queue of 50 on a saturated core, and a load generator
    // that is not itself saturated ("Signed reads: the tail" in docs/performance.md).
    for (const { endpoint, path, rotate } of fixedRate) {
      const atRate = (t: Target): Target => ({ ...t, rate: FIXED_RATE, connections: FIXED_RATE_CONNECTIONS });
      const signed = await signedHeaders(inst, 'GET', path);
      const rated = `${FIXED_RATE.toLocaleString('en')}/s over ${FIXED_RATE_CONNECTIONS} connections`;
      await paired('reads', `${endpoint}, AK/SK signed, ${rated}`, atRate(target(path, signed)), {
        row: referenceRow('reads', `baseline node:http, ${endpoint}, ${rated}`),
        target: atRate({ url: `http://127.0.0.1:${basePort}${path}`, headers: signed, server: baseline }),
      });
      await paired(
        'reads',
        `${endpoint}, AK/SK fresh signatures, ${rated}`,
        atRate({ ...target(path, {}), headers: rotate[0]!, rotate }),
        {
          row: referenceRow('reads', `baseline node:http, ${endpoint}, fresh signatures, ${rated}`),
          target: atRate({ url: `http://127.0.0.1:${basePort}${path}`, headers: rotate[0]!, rotate, server: baseline }),
        },
      );
    }
  } finally {
    await stop(baseline);
    await stop(server);
    rmSync(inst.dir, { recursive: true, force: true });
  }
}

async function scale(): Promise<void> {
  process.stdout.write('scale\n');
  const started: Array<{ label: string; inst: Installation; server: ChildProcess }> = [];
  try {
    for (const [label, shape] of [
      ['1,000 pools', { projects: 100, poolsPerProject: 10 }],
      [`${(SCALE.projects * SCALE.poolsPerProject).toLocaleString('en')} pools`, SCALE],
    ] as const) {
      const inst = await installation();
      const loaded = await loadPools({ file: join(inst.dir, 'atelier.db'), ...shape, firstProjectId: inst.projectId });
      process.stdout.write(`  loaded ${loaded.pools} pools in ${loaded.seconds.toFixed(1)} s\n`);
      started.push({ label, inst, server: await start(ATELIER, inst.env, inst.port) });
    }
    const [small, large] = started;
    for (const [what, path] of [
      ['quotas', (i: Installation) => `/v1/${i.projectId}/quotas`],
      ['statistics', (i: Installation) => `/v2/${i.projectId}/statistics/pools`],
    ] as const) {
      const target = async ({ inst, server }: (typeof started)[number]): Promise<Target> => ({
        url: `http://127.0.0.1:${inst.port}${path(inst)}`,
        headers: await signedHeaders(inst, 'GET', path(inst)),
        server,
      });
      const reference = { row: referenceRow('scale', `${what} signed, ${small.label}`), target: await target(small) };
      await paired('scale', `${what} signed, ${large.label}`, await target(large), reference);
    }
  } finally {
    for (const { inst, server } of started) {
      await stop(server);
      rmSync(inst.dir, { recursive: true, force: true });
    }
  }
}

/** The nodes-heavy installation: 1,000,000 nodes over 100,000 pools (100,000 over 10,000 with --quick). */
const NODES_HEAVY = QUICK ? { projects: 1_000, poolsPerProject: 10 } : { projects: 10_000, poolsPerProject: 10 };

/**
 * nodes-heavy (only when named in --only): the signed reads, ShowPool and a ListPoolNodes page
 * of 500 on an installation of about a thousand nodes and on one of a million, bulk-loaded with
 * their node_counts (bench/load-pools.ts); the first pool of each holds 500 nodes, the others 10.
 */
async function nodesHeavy(): Promise<void> {
  process.stdout.write('nodes-heavy\n');
  const started: Array<{ label: string; inst: Installation; server: ChildProcess; firstPool: string }> = [];
  try {
    for (const shape of [{ projects: 10, poolsPerProject: 10 }, NODES_HEAVY]) {
      const inst = await installation();
      const loaded = await loadPools({
        file: join(inst.dir, 'atelier.db'),
        ...shape,
        firstProjectId: inst.projectId,
        nodesPerPool: 10,
        firstPoolNodes: 500,
      });
      const label = `${loaded.nodes.toLocaleString('en')} nodes`;
      process.stdout.write(`  loaded ${loaded.pools} pools, ${label} in ${loaded.seconds.toFixed(1)} s\n`);
      const server = await start(ATELIER, inst.env, inst.port);
      started.push({ label, inst, server, firstPool: loaded.firstPool });
    }
    const [small, large] = started;
    const reads: Array<[string, (i: Installation, pool: string) => string]> = [
      ['quotas', (i) => `/v1/${i.projectId}/quotas`],
      ['statistics', (i) => `/v2/${i.projectId}/statistics/pools`],
      ['ShowPool', (i, pool) => `/v2/${i.projectId}/pools/${pool}`],
      ['ListPoolNodes, a page of 500', (i, pool) => `/v2/${i.projectId}/pools/${pool}/nodes?limit=500`],
    ];
    for (const [what, path] of reads) {
      const target = async ({ inst, server, firstPool }: (typeof started)[number]): Promise<Target> => ({
        url: `http://127.0.0.1:${inst.port}${path(inst, firstPool)}`,
        headers: await signedHeaders(inst, 'GET', path(inst, firstPool)),
        server,
        connections: what.startsWith('ListPoolNodes') ? 4 : undefined,
      });
      const reference = {
        row: referenceRow('nodes-heavy', `${what} signed, ${small!.label}`),
        target: await target(small!),
      };
      await paired('nodes-heavy', `${what} signed, ${large!.label}`, await target(large!), reference);
    }
  } finally {
    for (const { inst, server } of started) {
      await stop(server);
      rmSync(inst.dir, { recursive: true, force: true });
    }
  }
}

async function workers(): Promise<void> {
  process.stdout.write('workers (unpinned: they need both cores)\n');
  const started: Array<{ inst: Installation; server: ChildProcess }> = [];
  try {
    for (const count of [1, 2]) {
      const inst = await installation({ ATELIER_WORKERS: String(count) });
      started.push({ inst, server: await start(ATELIER, inst.env, inst.port, false) });
    }
    const target = async ({ inst, server }: (typeof started)[number]): Promise<Target> => {
      const quotas = `/v1/${inst.projectId}/quotas`;
      return {
        url: `http://127.0.0.1:${inst.port}${quotas}`,
        headers: await signedHeaders(inst, 'GET', quotas),
        server,
      };
    };
    const reference = { row: referenceRow('workers', 'quotas signed, 1 worker'), target: await target(started[0]) };
    await paired('workers', 'quotas signed, 2 workers', await target(started[1]), reference);
  } finally {
    for (const { inst, server } of started) {
      await stop(server);
      rmSync(inst.dir, { recursive: true, force: true });
    }
  }
}

/** Sends requests with at most `width` in flight. */
async function pooled<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const LIFECYCLE_TIMINGS = {
  ATELIER_NETWORK_CREATE_SECONDS: '0',
  ATELIER_POOL_CREATE_SECONDS: '0',
  ATELIER_POOL_DELETE_SECONDS: '0',
  ATELIER_POOL_QUOTA: String(LIFECYCLES * 2),
  ATELIER_ENGINE_INTERVAL_MS: '50',
  // The client signs a phase's requests before it starts, its event loop busy for seconds: with the
  // default 5 s the server could close an idle kept-alive connection in that time, and the first POST
  // written onto it failed (`fetch failed`) before the client had seen the close.
  ATELIER_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '120',
};

/** CPU seconds a process has used so far (user and system, from /proc), or undefined without /proc. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU used by the servers and by this runner (the client) over one phase, in ms per item. */
function cpuMeter(servers: ChildProcess[]): (items: number) => { serverMs?: number; clientMs: number } {
  const serverCpu = () => {
    const each = servers.map((s) => cpuSeconds(s.pid));
    return each.some((c) => c === undefined) ? undefined : each.reduce((a, b) => a! + b!, 0)!;
  };
  const serverBefore = serverCpu();
  const clientBefore = process.cpuUsage();
  return (items) => {
    const serverAfter = serverCpu();
    const client = process.cpuUsage(clientBefore);
    const perItem = (seconds: number) => Math.round(((seconds * 1000) / items) * 1000) / 1000;
    return {
      serverMs:
        serverBefore === undefined || serverAfter === undefined ? undefined : perItem(serverAfter - serverBefore),
      clientMs: perItem((client.user + client.system) / 1e6),
    };
  };
}

/** A request signed as the SDK signs it, ready to send; signing costs the client about 1.4 ms. */
interface Signed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function signer(inst: Installation, ports: number[]) {
  let turn = 0;
  const sign = async (method: string, path: string, body?: unknown): Promise<Signed> => {
    const port = ports[turn++ % ports.length];
    const text = body === undefined ? undefined : JSON.stringify(body);
    const { headers } = await signRequest({
      method,
      url: path,
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'x-project-id': inst.projectId },
      body: text,
      accessKey: inst.ak,
      secretKey: inst.sk,
    });
    return { method, url: `http://127.0.0.1:${port}${path}`, headers, body: text };
  };
  const send = async ({ method, url, headers, body }: Signed): Promise<any> => {
    const res = await fetch(url, { method, headers, body });
    const json = (await res.json()) as any;
    if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    sign,
    send,
    call: async (method: string, path: string, body?: unknown) => send(await sign(method, path, body)),
  };
}

/**
 * Creates LIFECYCLES pools 32 at a time, spread over the given replicas, waits
 * until all are Running, deletes them and waits until they are gone. The POSTs
 * and DELETEs are signed before their phase starts (each its own signature, so
 * the server verifies every one in full): signing them during the phase made the
 * client, not the server, the limit. The polls are signed as they go.
 */
async function driveLifecycles(
  label: string,
  inst: Installation,
  ports: number[],
  servers: ChildProcess[],
  section = 'lifecycles',
  observer?: PhaseObserver,
): Promise<void> {
  const { sign, send, call } = signer(inst, ports);
  const until = async (check: () => Promise<boolean>) => {
    while (!(await check())) await new Promise((r) => setTimeout(r, 20));
  };
  const network = await call('POST', `/v1/${inst.projectId}/networks`, {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: { labels: { 'os.modelarts/name': 'bench-net' } },
    spec: { cidr: '192.168.0.0/16' },
  });
  const networkPath = `/v1/${inst.projectId}/networks/${network.metadata.name}`;
  await until(async () => (await call('GET', networkPath)).status.phase === 'Active');
  const statistics = `/v2/${inst.projectId}/statistics/pools`;
  const names: string[] = [];
  const creates: Signed[] = [];
  for (let i = 0; i < LIFECYCLES; i += 1) {
    creates.push(
      await sign('POST', `/v2/${inst.projectId}/pools`, {
        apiVersion: 'v2',
        kind: 'Pool',
        metadata: { labels: { 'os.modelarts/name': `bench-${i}` } },
        spec: {
          type: 'Dedicate',
          network: { name: network.metadata.name },
          resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 1 }],
        },
      }),
    );
  }
  await observer?.begin('create');
  const created = Date.now();
  const createCpu = cpuMeter(servers);
  await pooled(creates, 32, async (request) => {
    names.push((await send(request)).metadata.name);
  });
  const createPostSeconds = (Date.now() - created) / 1000;
  await until(async () => (await call('GET', statistics)).statistics.status.created === LIFECYCLES);
  const createSeconds = (Date.now() - created) / 1000;
  const createCost = createCpu(LIFECYCLES);
  await observer?.end('create');
  const deletes: Signed[] = [];
  for (const name of names) deletes.push(await sign('DELETE', `/v2/${inst.projectId}/pools/${name}`));
  await observer?.begin('delete');
  const deleted = Date.now();
  const deleteCpu = cpuMeter(servers);
  await pooled(deletes, 32, async (request) => {
    await send(request);
  });
  const deletePostSeconds = (Date.now() - deleted) / 1000;
  await until(async () => (await call('GET', `/v1/${inst.projectId}/quotas`)).quotas.resources[0].used === 0);
  const deleteSeconds = (Date.now() - deleted) / 1000;
  const deleteCost = deleteCpu(LIFECYCLES);
  await observer?.end('delete');
  const rss = Math.round(servers.reduce((sum, server) => sum + rssMiB(server.pid), 0) * 10) / 10;
  for (const [name, seconds, cost, requestSeconds] of [
    [`${label}: ${LIFECYCLES} pools, create → Running`, createSeconds, createCost, createPostSeconds],
    [`${label}: ${LIFECYCLES} pools, delete → gone`, deleteSeconds, deleteCost, deletePostSeconds],
  ] as const) {
    const row: Row = {
      section,
      name,
      requestsPerSecond: Math.round(LIFECYCLES / seconds),
      rssMiB: rss,
      serverCpuMs: cost.serverMs,
      clientCpuMs: cost.clientMs,
    };
    rows.push(row);
    process.stdout.write(
      `  ${name}: ${row.requestsPerSecond} pools/s (CPU per pool: server ${cost.serverMs ?? '?'} ms, client ${cost.clientMs} ms; ` +
        `requests answered after ${requestSeconds.toFixed(2)} s of ${seconds.toFixed(2)})\n`,
    );
  }
}

const NODE_POOL_SIZE = 1_000;

/** A signed JSON call to one installation; throws on anything but 200. */
function caller(inst: Installation) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const { headers } = await signRequest({
      method,
      url: path,
      headers: { host: `127.0.0.1:${inst.port}`, 'content-type': 'application/json', 'x-project-id': inst.projectId },
      body: text,
      accessKey: inst.ak,
      secretKey: inst.sk,
    });
    const res = await fetch(`http://127.0.0.1:${inst.port}${path}`, { method, headers, body: text });
    const json = (await res.json()) as any;
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/**
 * One pool of NODE_POOL_SIZE nodes, all timings 0: seconds from its POST to
 * Running and from its DELETE to gone (polled every 10 ms, so the figure is the
 * engine's time plus at most one poll), as nodes per second.
 */
async function nodePool(): Promise<void> {
  const inst = await installation(LIFECYCLE_TIMINGS);
  const server = await start(ATELIER, inst.env, inst.port);
  try {
    const call = caller(inst);
    const until = async (check: () => Promise<boolean>) => {
      while (!(await check())) await new Promise((r) => setTimeout(r, 10));
    };
    const network = await call('POST', `/v1/${inst.projectId}/networks`, {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: { labels: { 'os.modelarts/name': 'bench-net' } },
      spec: { cidr: '10.0.0.0/8' },
    });
    const networkPath = `/v1/${inst.projectId}/networks/${network.metadata.name}`;
    await until(async () => (await call('GET', networkPath)).status.phase === 'Active');
    const figures: Array<[string, number]> = [];
    // A warm-up pool of 10 nodes first, so the JIT has seen the path.
    for (const count of [10, NODE_POOL_SIZE]) {
      const created = Date.now();
      const pool = await call('POST', `/v2/${inst.projectId}/pools`, {
        apiVersion: 'v2',
        kind: 'Pool',
        metadata: { labels: { 'os.modelarts/name': `bench-nodes-${count}` } },
        spec: {
          type: 'Dedicate',
          network: { name: network.metadata.name },
          resources: [{ flavor: 'modelarts.vm.cpu.8ud', count }],
        },
      });
      const path = `/v2/${inst.projectId}/pools/${pool.metadata.name}`;
      await until(async () => (await call('GET', path)).status.phase === 'Running');
      const createSeconds = (Date.now() - created) / 1000;
      const deleted = Date.now();
      await call('DELETE', path);
      await until(async () => (await call('GET', `/v1/${inst.projectId}/quotas`)).quotas.resources[0].used === 0);
      const deleteSeconds = (Date.now() - deleted) / 1000;
      if (count === NODE_POOL_SIZE) {
        figures.push(['POST → Running', createSeconds], ['DELETE → gone', deleteSeconds]);
      }
    }
    for (const [what, seconds] of figures) {
      const name = `SQLite: 1 pool of ${NODE_POOL_SIZE.toLocaleString('en')} nodes, ${what} (${seconds.toFixed(2)} s)`;
      const row: Row = {
        section: 'nodes',
        name,
        requestsPerSecond: Math.round(NODE_POOL_SIZE / seconds),
        rssMiB: rssMiB(server.pid),
      };
      rows.push(row);
      process.stdout.write(`  ${name}: ${row.requestsPerSecond} nodes/s\n`);
    }
  } finally {
    await stop(server);
    rmSync(inst.dir, { recursive: true, force: true });
  }
}

const NODE_POOLS = { pools: 30, nodes: 100 };

/**
 * NODE_POOLS.pools pools of NODE_POOLS.nodes nodes each, all timings 0, created
 * at once (each POST signed before the clock starts) and then deleted at once:
 * nodes per second from the first POST until all are Running, and from the first
 * DELETE until all are gone.
 */
async function nodePools(): Promise<void> {
  const inst = await installation(LIFECYCLE_TIMINGS);
  const server = await start(ATELIER, inst.env, inst.port);
  const { pools, nodes: perPool } = NODE_POOLS;
  const total = pools * perPool;
  try {
    const { sign, send, call } = signer(inst, [inst.port]);
    const until = async (check: () => Promise<boolean>) => {
      while (!(await check())) await new Promise((r) => setTimeout(r, 10));
    };
    const network = await call('POST', `/v1/${inst.projectId}/networks`, {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: { labels: { 'os.modelarts/name': 'bench-net' } },
      spec: { cidr: '10.0.0.0/8' },
    });
    const networkPath = `/v1/${inst.projectId}/networks/${network.metadata.name}`;
    await until(async () => (await call('GET', networkPath)).status.phase === 'Active');
    const statistics = `/v2/${inst.projectId}/statistics/pools`;
    const figures: Array<[string, number, ReturnType<ReturnType<typeof cpuMeter>>]> = [];
    // A warm-up round of 3 pools of 10 nodes first, so the JIT has seen the path.
    for (const [count, size] of [
      [3, 10],
      [pools, perPool],
    ]) {
      const creates: Signed[] = [];
      for (let i = 0; i < count; i += 1) {
        creates.push(
          await sign('POST', `/v2/${inst.projectId}/pools`, {
            apiVersion: 'v2',
            kind: 'Pool',
            metadata: { labels: { 'os.modelarts/name': `bench-${size}-${i}` } },
            spec: {
              type: 'Dedicate',
              network: { name: network.metadata.name },
              resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: size }],
            },
          }),
        );
      }
      const created = Date.now();
      const createCpu = cpuMeter([server]);
      const names = await Promise.all(creates.map(async (r) => (await send(r)).metadata.name as string));
      await until(async () => (await call('GET', statistics)).statistics.status.created === count);
      const createSeconds = (Date.now() - created) / 1000;
      const createCost = createCpu(count * size);
      const deletes: Signed[] = [];
      for (const name of names) deletes.push(await sign('DELETE', `/v2/${inst.projectId}/pools/${name}`));
      const deleted = Date.now();
      const deleteCpu = cpuMeter([server]);
      await Promise.all(deletes.map((r) => send(r)));
      await until(async () => (await call('GET', `/v1/${inst.projectId}/quotas`)).quotas.resources[0].used === 0);
      const deleteSeconds = (Date.now() - deleted) / 1000;
      if (count === pools) {
        figures.push(['POST → Running', createSeconds, createCost], ['DELETE → gone', deleteSeconds, deleteCpu(total)]);
      }
    }
    for (const [what, seconds, cost] of figures) {
      const name = `SQLite: ${pools} pools of ${perPool} nodes at once, ${what} (${seconds.toFixed(2)} s)`;
      const row: Row = {
        section: 'nodes',
        name,
        requestsPerSecond: Math.round(total / seconds),
        rssMiB: rssMiB(server.pid),
        serverCpuMs: cost.serverMs,
        clientCpuMs: cost.clientMs,
      };
      rows.push(row);
      process.stdout.write(
        `  ${name}: ${row.requestsPerSecond} nodes/s (server CPU per node ${cost.serverMs ?? '?'} ms)\n`,
      );
    }
  } finally {
    await stop(server);
    rmSync(inst.dir, { recursive: true, force: true });
  }
}

/** Called around the creation and the deletion phase of the lifecycles. */
interface PhaseObserver {
  begin(phase: 'create' | 'delete'): Promise<void>;
  end(phase: 'create' | 'delete'): Promise<void>;
}

/**
 * BENCH_PG_STATEMENTS=1: the cluster loads pg_stat_statements, and the
 * postgres-lifecycles section prints, for each phase, the statements run per
 * lifecycle (each one round trip, BEGIN and COMMIT included) and what the
 * backends were doing, sampled from pg_stat_activity every 20 ms.
 * The sampling costs the machine a little: leave it off for the figures.
 */
const PG_STATEMENTS = process.env.BENCH_PG_STATEMENTS === '1';
const STATEMENT_SETTINGS = [
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track=all',
  'pg_stat_statements.max=5000',
];

/** CPU seconds used so far by the processes given and by every child of `parent` (the database's backends). */
function treeCpuSeconds(pids: readonly number[], parent: number): number {
  const ticks = (pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
    } catch {
      return { ppid: -1, ticks: 0 };
    }
  };
  let total = 0;
  for (const pid of pids) total += ticks(pid).ticks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const proc = ticks(Number(entry));
    if (proc.ppid === parent || Number(entry) === parent) total += proc.ticks;
  }
  return total / 100;
}

async function statementObserver(
  url: string,
  lifecycles: number,
  replicas: readonly number[],
  postmaster: number,
): Promise<PhaseObserver & { close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create extension if not exists pg_stat_statements');
  const database = new URL(url).pathname.slice(1);
  let sampling: Promise<void> | undefined;
  let stopSampling = false;
  const samples = new Map<string, number>();
  let sampleCount = 0;
  let cpu = { replicas: 0, database: 0 };
  const cpuNow = () => ({ replicas: treeCpuSeconds(replicas, -2), database: treeCpuSeconds([], postmaster) });
  const sample = async () => {
    while (!stopSampling) {
      const { rows } = await client.query(
        `select state, coalesce(wait_event_type || ':' || wait_event, 'on a core') as wait
           from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and state is not null and state <> 'idle'`,
        [database],
      );
      sampleCount += 1;
      for (const row of rows) {
        const key = `${row.state} / ${row.wait}`;
        samples.set(key, (samples.get(key) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    async begin() {
      await client.query('select pg_stat_statements_reset()');
      cpu = cpuNow();
      samples.clear();
      sampleCount = 0;
      stopSampling = false;
      sampling = sample();
    },
    async end(phase) {
      const used = cpuNow();
      stopSampling = true;
      await sampling;
      process.stdout.write(
        `  ${phase}: CPU per pool, ms: replicas ${(((used.replicas - cpu.replicas) * 1000) / lifecycles).toFixed(2)}, ` +
          `database ${(((used.database - cpu.database) * 1000) / lifecycles).toFixed(2)} (the sampler's own backend included)\n`,
      );
      const { rows } = await client.query<{ query: string; calls: number; ms: number }>(
        `select query, calls::int, total_exec_time as ms from pg_stat_statements
           where dbid = (select oid from pg_database where datname = $1) order by calls desc`,
        [database],
      );
      const own = (r: { query: string }) =>
        r.query.includes('pg_stat_activity') || r.query.includes('pg_stat_statements');
      rows.splice(0, rows.length, ...rows.filter((r) => !own(r)));
      const total = rows.reduce((n, r) => n + r.calls, 0);
      const ms = rows.reduce((n, r) => n + r.ms, 0);
      process.stdout.write(
        `  ${phase}: ${(total / lifecycles).toFixed(1)} statements per pool (round trips), ` +
          `${((ms * 1000) / lifecycles).toFixed(0)} µs of execution per pool\n`,
      );
      for (const row of rows.filter((r) => r.calls >= lifecycles / 10)) {
        const text = row.query.replace(/\s+/g, ' ').slice(0, 150);
        process.stdout.write(
          `    ${(row.calls / lifecycles).toFixed(2).padStart(6)}  ${((row.ms * 1000) / row.calls).toFixed(0).padStart(5)} µs  ${text}\n`,
        );
      }
      process.stdout.write(`  ${phase}: backends not idle, per sample of pg_stat_activity (${sampleCount} samples)\n`);
      for (const [key, n] of [...samples].sort((a, b) => b[1] - a[1])) {
        process.stdout.write(`    ${(n / sampleCount).toFixed(2).padStart(6)}  ${key}\n`);
      }
    },
    close: () => client.end(),
  };
}

/**
 * The nodes section: a 1,000-node pool, 30 pools of 100 nodes at once, then the
 * pool lifecycles (one node each) beside them.
 */
async function nodes(): Promise<void> {
  process.stdout.write('nodes\n');
  await nodePool();
  await nodePools();
  await lifecycles('nodes');
}

async function lifecycles(section = 'lifecycles'): Promise<void> {
  if (section === 'lifecycles') process.stdout.write('lifecycles\n');
  const inst = await installation(LIFECYCLE_TIMINGS);
  const server = await start(ATELIER, inst.env, inst.port);
  try {
    await driveLifecycles('SQLite', inst, [inst.port], [server], section);
  } finally {
    await stop(server);
    rmSync(inst.dir, { recursive: true, force: true });
  }
}

/**
 * The throwaway PostgreSQL cluster the PostgreSQL sections share (initdb takes
 * seconds), of the test harness's kind: fsync off, so commits cost less than on
 * a real installation. Started by the first section that needs it, stopped at
 * the end of the run; undefined when PostgreSQL is not installed.
 */
let sharedCluster: Promise<{ cluster: Cluster; admin: pg.Client } | undefined> | undefined;

function benchCluster(): Promise<{ cluster: Cluster; admin: pg.Client } | undefined> {
  sharedCluster ??= (async () => {
    const bin = findPostgresBin();
    if (!bin) return undefined;
    const cluster = await startCluster(bin, PG_STATEMENTS ? STATEMENT_SETTINGS : []);
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    return { cluster, admin };
  })();
  return sharedCluster;
}

async function stopBenchCluster(): Promise<void> {
  const started = await sharedCluster;
  if (!started) return;
  await started.admin.end();
  started.cluster.stop();
}

/** Runs fn with a fresh database of the shared cluster, or prints a notice without PostgreSQL. */
async function withCluster(
  section: string,
  fn: (url: string, cluster: Cluster, servers: ChildProcess[]) => Promise<void>,
): Promise<void> {
  const started = await benchCluster();
  if (!started) {
    process.stdout.write(`${section}: SKIPPED, no PostgreSQL binaries (initdb, pg_ctl) on this machine\n`);
    return;
  }
  process.stdout.write(`${section}\n`);
  const database = `bench_${section.replace(/\W/g, '_')}`;
  await started.admin.query(`CREATE DATABASE ${database}`);
  const servers: ChildProcess[] = [];
  try {
    await fn(started.cluster.adminUrl.replace(/\/postgres$/, `/${database}`), started.cluster, servers);
  } finally {
    for (const server of servers) await stop(server);
  }
}

/** The signed reads on PostgreSQL, against a node:http baseline of their own. */
async function postgres(): Promise<void> {
  await withCluster('postgres', async (url, _cluster, servers) => {
    const reads = await installation({
      ATELIER_DATABASE_URL: url,
      ATELIER_SECRET_KEY: randomBytes(32).toString('hex'),
    });
    const server = await start(ATELIER, reads.env, reads.port);
    servers.push(server);
    const quotas = `/v1/${reads.projectId}/quotas`;
    const statistics = `/v2/${reads.projectId}/statistics/pools`;
    const basePort = await freePort();
    const baseline = await start(
      [process.execPath, '--import', 'tsx', 'bench/baseline-server.ts'],
      { PORT: String(basePort) },
      basePort,
    );
    servers.push(baseline);
    const base = { port: basePort, server: baseline };
    const target = async (path: string): Promise<Target> => ({
      url: `http://127.0.0.1:${reads.port}${path}`,
      headers: await signedHeaders(reads, 'GET', path),
      server,
    });
    await paired(
      'postgres',
      'quotas, AK/SK signed',
      await target(quotas),
      await baselineReference('postgres', reads, base, quotas, 'quotas'),
    );
    await paired(
      'postgres',
      'statistics, AK/SK signed',
      await target(statistics),
      await baselineReference('postgres', reads, base, statistics, 'statistics'),
    );
    rmSync(reads.dir, { recursive: true, force: true });
  });
}

/** The lifecycles spread over two replicas on one PostgreSQL database. */
async function postgresLifecycles(): Promise<void> {
  await withCluster('postgres-lifecycles', async (url, cluster, servers) => {
    // The cluster was started from this runner and shares its core; the replicas
    // and the database get every core.
    if (HAS_TASKSET) spawnSync('taskset', ['-a', '-p', '-c', ALL_CORES, String(cluster.pid)]);
    const life = await installation({
      ...LIFECYCLE_TIMINGS,
      ATELIER_DATABASE_URL: url,
      ATELIER_SECRET_KEY: randomBytes(32).toString('hex'),
    });
    const second = await freePort();
    const first = await start(ATELIER, life.env, life.port, false);
    const other = await start(ATELIER, { ...life.env, ATELIER_PORT: String(second) }, second, false);
    servers.push(first, other);
    const observer = PG_STATEMENTS
      ? await statementObserver(url, LIFECYCLES, [first.pid!, other.pid!], cluster.pid)
      : undefined;
    try {
      await driveLifecycles('PostgreSQL, 2 replicas', life, [life.port, second], [first, other], undefined, observer);
    } finally {
      await observer?.close();
    }
    rmSync(life.dir, { recursive: true, force: true });
  });
}

/** dist/ is newer than every source file: the compiled server is what the sources say. */
function buildIsCurrent(): boolean {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  try {
    return statSync(join(ROOT, 'dist', 'main.js')).mtimeMs > newest(join(ROOT, 'src'));
  } catch {
    return false;
  }
}

function print(): void {
  const table = [
    ['section', 'scenario', 'per second', 'ratio', 'to', 'p50 ms', 'p99 ms', 'RSS MiB', 'errors', 'others %'],
    ...rows.map((r) =>
      [
        r.section,
        r.name,
        r.requestsPerSecond,
        r.ratio ?? '',
        r.ratioTo ?? '',
        r.p50Ms ?? '',
        r.p99Ms ?? '',
        r.rssMiB ?? '',
        r.errors ?? '',
        r.othersOnServerCore === undefined
          ? ''
          : `${Math.round(r.othersOnServerCore * 100)} / ${Math.round((r.othersOnClientCore ?? 0) * 100)}`,
      ].map(String),
    ),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  process.stdout.write('\n');
  for (const row of table) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  if (!buildIsCurrent()) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed');
  }
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const sections: Record<string, () => Promise<void>> = {
    reads,
    scale,
    workers,
    lifecycles: () => lifecycles(),
    postgres,
    'postgres-lifecycles': postgresLifecycles,
    nodes,
    'nodes-heavy': nodesHeavy,
  };
  // --quick leaves out the workers section: on two cores it mostly measures the load generator.
  // nodes-heavy runs only when named: loading a million nodes takes minutes.
  const chosen =
    only ?? Object.keys(sections).filter((name) => name !== 'nodes-heavy' && (!QUICK || name !== 'workers'));
  try {
    for (const [name, run] of Object.entries(sections)) if (chosen.includes(name)) await run();
  } finally {
    await stopBenchCluster();
  }
  print();
  const out = join(ROOT, 'bench', 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  // Read before this run's file is written: the guard compares with what is committed.
  const committed = CHECK ? lastCommitted(ROOT, QUICK) : undefined;
  writeFileSync(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        quick: QUICK,
        seconds: Math.round((Date.now() - started) / 1000),
        roundsPerScenario: ROUNDS,
        secondsPerLoad: ROUND_S,
        connections: CONNECTIONS,
        pinned: HAS_TASKSET,
        node: process.version,
        rows,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`\nwritten to ${out} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  if (CHECK) check(committed, out);
}

/**
 * --check: this run's ratios against the last committed results of the same mode; exits 1 when
 * one fell beyond the noise band (docs/performance.md, "Before a change to a hot path").
 */
function check(committed: ReturnType<typeof lastCommitted>, out: string): void {
  if (!committed) {
    process.stdout.write(`\n--check: no ${QUICK ? 'quick' : 'full'} results committed under bench/results/\n`);
    process.exitCode = 1;
    return;
  }
  const band = QUICK ? NOISE_BAND.quick : NOISE_BAND.full;
  const current = JSON.parse(readFileSync(out, 'utf8')) as Parameters<typeof compareRatios>[1];
  const comparisons = compareRatios(committed.results, current, band);
  process.stdout.write(`\n--check against ${committed.file} (${committed.results.at})\n`);
  process.stdout.write(formatComparisons(comparisons, band));
  if (!passes(comparisons)) {
    process.stdout.write('--check: FAILED, a ratio dropped beyond the noise band\n');
    process.exitCode = 1;
  } else process.stdout.write('--check: passed\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
