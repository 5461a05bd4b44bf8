/**
 * `npx tsx bench/cpu-per-request.ts [--requests=N] [--rounds=R] [--endpoints=quotas,statistics] [--fresh] [--profile=DIR] CHECKOUT…`:
 * what one signed quotas read and one signed statistics read cost the server, for
 * each checkout given (a directory with a built dist/: another worktree, an older
 * commit), measured in turns — baseline, A, B, … every round — beside the bare
 * node:http baseline of bench/baseline-server.ts sent the same signed request. With --fresh every
 * request carries a signature of its own (bench/fresh-signatures.ts), as a fleet of clients sends.
 *
 * Each load is a fixed number of requests (50 connections, after a quarter as many
 * to warm up) against a fresh server pinned to core 0, the load generator on core 1.
 * It reports the server's CPU per request (its threads' `schedstat` run time over the
 * load), which moves less than a throughput ratio but still rises when a busy machine
 * leaves the server short of work. With --profile each server writes a CPU profile
 * (node --cpu-prof) and the script prints self time within the measured load, in µs
 * per request, by package and by function, side by side: a sample counts for the
 * sampling interval, so time the process spent descheduled is charged to no function.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { signRequest } from '../test/helpers/signing.js';
import { freePort } from '../test/helpers/ports.js';
import { benchInstallation, waitForPort } from './bench-server.js';
import { freshSignatures, rotating, type FreshSigningInput } from './fresh-signatures.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? undefined;
const REQUESTS = Number(arg('requests') ?? 40_000);
const ROUNDS = Number(arg('rounds') ?? 3);
const PROFILE_DIR = arg('profile') && resolve(arg('profile')!);
const FRESH = process.argv.includes('--fresh');
const CHECKOUTS = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const BASELINE = join(import.meta.dirname, 'baseline-server.ts');

if (HAS_TASKSET && !process.env.BENCH_PINNED_TO_CORE) {
  const child = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED_TO_CORE: '1' },
  });
  process.exit(child.status ?? 1);
}

/** Nanoseconds on a CPU, over every thread of the process (main thread, libuv pool, V8's helpers). */
function cpuNs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return ns;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Load {
  cpuUsPerRequest: number;
  requestsPerSecond: number;
  /** Monotonic window of the measured load, µs (the clock V8's profiler stamps samples with). */
  window: [number, number];
  errors: number;
}

/** The headers of every request, or of distinct requests sent one after another over all connections. */
type Sent = Record<string, string> | Array<Record<string, string>>;

async function load(pid: number, url: string, sent: Sent, amount: number): Promise<Load> {
  const options: autocannon.Options = Array.isArray(sent)
    ? { url, connections: 50, amount, requests: rotating(new URL(url).pathname, sent) }
    : { url, connections: 50, amount, headers: sent };
  const before = cpuNs(pid);
  const from = Number(process.hrtime.bigint() / 1000n);
  const result = await autocannon(options);
  const to = Number(process.hrtime.bigint() / 1000n);
  const used = cpuNs(pid) - before;
  return {
    cpuUsPerRequest: used / 1000 / result.requests.total,
    requestsPerSecond: result.requests.total / ((to - from) / 1e6),
    window: [from, to],
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * One signed request repeated, or with --fresh a rotation through 30,000 distinct signatures
 * (more than the server remembers, so each is verified in full).
 */
async function signedFor(input: FreshSigningInput): Promise<Sent> {
  if (FRESH) return freshSignatures(input, 30_000);
  const { headers } = await signRequest({
    method: 'GET',
    url: input.path,
    headers: { host: input.host, 'content-type': 'application/json', 'x-project-id': input.projectId },
    accessKey: input.accessKey,
    secretKey: input.secretKey,
  });
  return headers;
}

type Endpoint = 'quotas' | 'statistics';
const ENDPOINTS = (arg('endpoints')?.split(',') ?? ['quotas', 'statistics']) as Endpoint[];

/** One fresh server of a checkout, one endpoint, warmed, then measured (and profiled). */
async function measureAtelier(checkout: string, endpoint: Endpoint, profileDir?: string): Promise<Load> {
  const installed = await benchInstallation('atelier-cpu-', { ATELIER_AUTH_REQUIRED: 'false' });
  const { dir, port, projectId, ak, sk } = installed;
  const env = { ...process.env, ...installed.env };
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const args = [process.execPath, ...profile, 'dist/main.js', 'serve'];
  const [cmd, rest] = HAS_TASKSET ? ['taskset', ['-c', '0', ...args]] : [args[0]!, args.slice(1)];
  const child = spawn(cmd, rest, { cwd: checkout, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForPort(port, '/openapi.json');
    const path = endpoint === 'quotas' ? `/v1/${projectId}/quotas` : `/v2/${projectId}/statistics/pools`;
    const headers = await signedFor({ host: `127.0.0.1:${port}`, projectId, path, accessKey: ak, secretKey: sk });
    const pid = serverPid(child);
    await load(pid, `http://127.0.0.1:${port}${path}`, headers, Math.round(REQUESTS / 4));
    return await load(pid, `http://127.0.0.1:${port}${path}`, headers, REQUESTS);
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The node process itself (taskset execs it in place, so the pid is the same). */
function serverPid(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('no server process');
  return child.pid;
}

async function measureBaseline(endpoint: Endpoint): Promise<Load> {
  const port = await freePort();
  const args = [process.execPath, '--import', 'tsx', BASELINE];
  const [cmd, rest] = HAS_TASKSET ? ['taskset', ['-c', '0', ...args]] : [args[0]!, args.slice(1)];
  const child = spawn(cmd, rest, {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForPort(port, '/');
    const projectId = randomBytes(16).toString('hex');
    const path = endpoint === 'quotas' ? `/v1/${projectId}/quotas` : `/v2/${projectId}/statistics/pools`;
    // The same bytes in as the signed reads (bench/run.ts does the same).
    const headers = await signedFor({
      host: `127.0.0.1:${port}`,
      projectId,
      path,
      accessKey: 'BENCHBASELINE',
      secretKey: 'x'.repeat(40),
    });
    const pid = serverPid(child);
    // tsx runs the server in a child process of its own; measure the one listening.
    const listening = childPidsOf(pid).at(-1) ?? pid;
    await load(listening, `http://127.0.0.1:${port}${path}`, headers, Math.round(REQUESTS / 4));
    return await load(listening, `http://127.0.0.1:${port}${path}`, headers, REQUESTS);
  } finally {
    await stop(child);
  }
}

function childPidsOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.map(Number).flatMap((c) => [c, ...childPidsOf(c)]);
  } catch {
    return [];
  }
}

// --- CPU profiles ---------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (µs) within the window, by "name file:line". */
function selfTimes(file: string, window: [number, number]): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  // Each sample counts for the sampling interval, not for the time until the next one: a process
  // descheduled by a neighbour takes no samples meanwhile, and that wait belongs to no function.
  const next = median(profile.timeDeltas);
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    t += profile.timeDeltas[i]!;
    if (t < window[0] || t > window[1]) continue;
    const frame = byId.get(profile.samples[i]!)!.callFrame;
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + next);
  }
  return self;
}

/** Self time by where the code lives: busy time in all, node's own modules, native code, each package, Atelier. */
function byGroup(self: Map<string, number>): Map<string, number> {
  const groups = new Map<string, number>();
  const add = (group: string, us: number) => groups.set(group, (groups.get(group) ?? 0) + us);
  for (const [key, us] of self) {
    if (key.startsWith('(idle)')) continue;
    add('busy (all but idle)', us);
    const where = key.split(' ').at(-1)!;
    if (key.startsWith('(program)') || key.startsWith('(garbage collector)')) add(key, us);
    else if (where.startsWith('node:')) add('node: modules', us);
    else if (where.startsWith('dist/')) add('atelier dist/', us);
    else if (where.includes('/') && !where.startsWith('node:')) add(where.split('/')[0]!, us);
    else add('native (writev, …)', us);
  }
  return groups;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.startsWith('node:') ? url : basename(url);
}

function newestProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one profile in ${dir}, found ${files.length}`);
  return join(dir, files[0]!);
}

// --- the run --------------------------------------------------------------------

const fmt = (values: number[]) =>
  values.length === 0
    ? '-'
    : `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} (median ${median(values).toFixed(1)})`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function main(): Promise<void> {
  if (CHECKOUTS.length === 0) throw new Error('name at least one checkout with a built dist/');
  const cpu = new Map<string, number[]>();
  const rate = new Map<string, number[]>();
  /** Per checkout and endpoint: every round's self times, µs per request. */
  const selves = new Map<string, Array<Map<string, number>>>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const endpoint of ENDPOINTS) {
      const base = await measureBaseline(endpoint);
      push(cpu, `baseline ${endpoint}`, base.cpuUsPerRequest);
      push(rate, `baseline ${endpoint}`, base.requestsPerSecond);
      for (const [index, checkout] of CHECKOUTS.entries()) {
        const label = `${String.fromCharCode(65 + index)} ${endpoint}`;
        const dir = PROFILE_DIR && join(PROFILE_DIR, `${round}-${String.fromCharCode(65 + index)}-${endpoint}`);
        if (dir) mkdirSync(dir, { recursive: true });
        const run = await measureAtelier(resolve(checkout), endpoint, dir);
        if (run.errors) throw new Error(`${label}: ${run.errors} errors`);
        push(cpu, label, run.cpuUsPerRequest);
        push(rate, label, run.requestsPerSecond);
        push(cpu, `${label} / baseline`, base.cpuUsPerRequest / run.cpuUsPerRequest);
        if (dir) {
          writeFileSync(join(dir, 'load.json'), JSON.stringify({ ...run, requests: REQUESTS }));
          const self = selfTimes(newestProfile(dir), run.window);
          push(selves, label, new Map([...self].map(([k, us]) => [k, us / REQUESTS])));
        }
        process.stdout.write(
          `round ${round} ${label}: ${run.cpuUsPerRequest.toFixed(1)} µs CPU/request ` +
            `(baseline ${base.cpuUsPerRequest.toFixed(1)}), ${Math.round(run.requestsPerSecond)} req/s\n`,
        );
      }
    }
  }
  process.stdout.write(`\n${CHECKOUTS.map((c, i) => `${String.fromCharCode(65 + i)} = ${c}`).join(', ')}\n`);
  process.stdout.write(`${REQUESTS} requests per load, ${ROUNDS} rounds\n\nserver CPU, µs per request:\n`);
  for (const [label, values] of cpu) process.stdout.write(`  ${label.padEnd(28)} ${fmt(values)}\n`);
  process.stdout.write('\nrequests per second (wall clock, for reference):\n');
  for (const [label, values] of rate) process.stdout.write(`  ${label.padEnd(28)} ${fmt(values)}\n`);
  if (PROFILE_DIR) printProfiles(selves);
}

/** Self time per function, median over rounds, µs per request: the largest, and the largest differences. */
function printProfiles(selves: Map<string, Array<Map<string, number>>>): void {
  for (const endpoint of ENDPOINTS) {
    const labels = [...selves.keys()].filter((l) => l.endsWith(endpoint));
    const medians = labels.map((label) => {
      const rounds = selves.get(label)!;
      const keys = new Set(rounds.flatMap((r) => [...r.keys()]));
      return new Map([...keys].map((k) => [k, median(rounds.map((r) => r.get(k) ?? 0))]));
    });
    const keys = new Set(medians.flatMap((m) => [...m.keys()]));
    const rows = [...keys].map((k) => ({ k, values: medians.map((m) => m.get(k) ?? 0) }));
    process.stdout.write(`\n${endpoint}: self time in the measured load, µs per request (median of rounds)\n`);
    const groups = labels.map((label) => {
      const rounds = selves.get(label)!.map(byGroup);
      const names = new Set(rounds.flatMap((r) => [...r.keys()]));
      return new Map([...names].map((g) => [g, rounds.map((r) => r.get(g) ?? 0)]));
    });
    process.stdout.write(`  by where the code is (range over rounds), ${labels.join(' | ')}\n`);
    for (const group of new Set(groups.flatMap((g) => [...g.keys()]))) {
      const cells = groups.map((g) => fmt(g.get(group) ?? []).padEnd(26));
      process.stdout.write(`    ${group.padEnd(22)} ${cells.join(' ')}\n`);
    }
    const show = (title: string, list: typeof rows) => {
      process.stdout.write(`  ${title}\n`);
      for (const row of list) {
        process.stdout.write(`    ${row.values.map((v) => v.toFixed(2).padStart(6)).join(' ')}  ${row.k}\n`);
      }
    };
    show('largest:', [...rows].sort((a, b) => Math.max(...b.values) - Math.max(...a.values)).slice(0, 30));
    if (medians.length > 1) {
      const spread = (r: (typeof rows)[number]) => r.values[r.values.length - 1]! - r.values[0]!;
      show('grew most (last − first):', [...rows].sort((a, b) => spread(b) - spread(a)).slice(0, 20));
      show('shrank most:', [...rows].sort((a, b) => spread(a) - spread(b)).slice(0, 10));
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
