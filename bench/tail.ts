/**
 * `npx tsx bench/tail.ts [--seconds=S] [--connections=C] [--rate=R] [--fresh] [--endpoint=quotas|statistics]
 *  [--node-flags="…"] [--env=NAME=VALUE,…] SERVER…`: where a read's tail latency comes from. SERVER is
 * `baseline` (bench/baseline-server.ts) or a checkout with a built dist/; the signed read is repeated,
 * or with --fresh each request carries a signature of its own. Each server is started pinned to core 0
 * with a preload (bench/tail-probe.mjs) that records, inside it, its event-loop delay, the loop's gaps
 * over 3 ms (its own work, or time without the core), its GC pauses and the time from each request's
 * `request` event to its response's `finish`. The load generator (autocannon, in this process, core 1)
 * records its own event-loop delay, GC pauses and CPU beside the latency it reports. Both are set beside
 * how long each process was runnable but not running (its threads' schedstat) and how much CPU other
 * processes took on each core (/proc/stat). One JSON line per server. docs/performance.md, "Signed
 * reads: the tail", reads these.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { signRequest } from '../test/helpers/signing.js';
import { benchInstallation, coreIdleMs, waitForPort } from './bench-server.js';
import { freshSignatures, rotating } from './fresh-signatures.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SECONDS = Number(arg('seconds') ?? 3);
const CONNECTIONS = Number(arg('connections') ?? 50);
const RATE = arg('rate') === undefined ? undefined : Number(arg('rate'));
const FRESH = process.argv.includes('--fresh');
const ENDPOINT = arg('endpoint') ?? 'quotas';
const NODE_FLAGS = arg('node-flags')?.split(' ').filter(Boolean) ?? [];
const ENV = Object.fromEntries(
  (arg('env') ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
const SERVERS = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const HERE = import.meta.dirname;
const PROBE = join(HERE, 'tail-probe.mjs');

if (HAS_TASKSET && !process.env.BENCH_PINNED_TO_CORE) {
  const child = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED_TO_CORE: '1' },
  });
  process.exit(child.status ?? 1);
}

interface Started {
  child: ChildProcess;
  port: number;
  projectId: string;
  ak: string;
  sk: string;
  cleanup: () => void;
  out: string;
}

async function startServer(server: string): Promise<Started> {
  const installed = await benchInstallation('atelier-tail-', { ATELIER_AUTH_REQUIRED: 'false' });
  const { dir, port, projectId, ak, sk } = installed;
  const out = join(dir, 'probe.jsonl');
  const baseline = server === 'baseline';
  const args = baseline
    ? [process.execPath, ...NODE_FLAGS, '--import', PROBE, '--import', 'tsx', join(HERE, 'baseline-server.ts')]
    : [process.execPath, ...NODE_FLAGS, '--import', PROBE, 'dist/main.js', 'serve'];
  const env = { ...process.env, PORT: String(port), PROBE_OUT: out, ...installed.env, ...ENV };
  const [cmd, rest] = HAS_TASKSET ? ['taskset', ['-c', '0', ...args]] : [args[0]!, args.slice(1)];
  const child = spawn(cmd, rest, {
    cwd: baseline ? join(HERE, '..') : resolve(server),
    env,
    stdio: ['ignore', process.env.TAIL_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
  await waitForPort(port);
  return { child, port, projectId, ak, sk, out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The server's probe figures since its last dump. */
async function dump(s: Started): Promise<Record<string, unknown>> {
  const before = (() => {
    try {
      return readFileSync(s.out, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  })();
  s.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      const lines = readFileSync(s.out, 'utf8').split('\n').filter(Boolean);
      if (lines.length > before) return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    } catch {
      // not written yet
    }
  }
  return {};
}

// perf_hooks.constants.NODE_PERFORMANCE_GC_*.
const GC_KINDS: Record<number, string> = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weakcb' };

/** A process's threads' time on a CPU and time runnable but waiting for one (schedstat), ms. */
function sched(pid: number): { run: number; wait: number } {
  let run = 0;
  let wait = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [r, w] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ');
      run += Number(r) / 1e6;
      wait += Number(w) / 1e6;
    } catch {
      // the thread ended
    }
  }
  return { run, wait };
}

/** The machine's steal time (a hypervisor running someone else on our vCPUs), ms, from /proc/stat. */
function steal(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  return (Number(cpu[8]) * 1000) / 100;
}

async function measure(server: string): Promise<void> {
  const s = await startServer(server);
  try {
    const path = ENDPOINT === 'quotas' ? `/v1/${s.projectId}/quotas` : `/v2/${s.projectId}/statistics/pools`;
    const input = { host: `127.0.0.1:${s.port}`, projectId: s.projectId, path, accessKey: s.ak, secretKey: s.sk };
    const url = `http://127.0.0.1:${s.port}${path}`;
    const base: autocannon.Options = { url, connections: CONNECTIONS, ...(RATE ? { overallRate: RATE } : {}) };
    const options: autocannon.Options = FRESH
      ? { ...base, requests: rotating(path, await freshSignatures(input, 30_000)) }
      : {
          ...base,
          headers: (
            await signRequest({
              method: 'GET',
              url: path,
              headers: { host: input.host, 'content-type': 'application/json', 'x-project-id': s.projectId },
              accessKey: s.ak,
              secretKey: s.sk,
            })
          ).headers,
        };
    await autocannon({ ...options, duration: 1 });
    await dump(s);
    const eld = monitorEventLoopDelay({ resolution: 1 });
    const gcs: Array<[string, number]> = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
        gcs.push([GC_KINDS[kind] ?? String(kind), e.duration]);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    eld.enable();
    const cpu = process.cpuUsage();
    const serverSched = sched(s.child.pid!);
    const clientSched = sched(process.pid);
    const stolen = steal();
    const idle = coreIdleMs();
    const t0 = performance.now();
    const result = await autocannon({ ...options, duration: SECONDS });
    const wall = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const serverAfter = sched(s.child.pid!);
    const clientAfter = sched(process.pid);
    const idleAfter = coreIdleMs();
    const others = (core: number, ours: number) => Math.round(wall - (idleAfter[core]! - idle[core]!) - ours);
    const waited = {
      othersOnServerCore: others(0, serverAfter.run - serverSched.run),
      othersOnClientCore: others(1, clientAfter.run - clientSched.run),
      server: Math.round(serverAfter.wait - serverSched.wait),
      serverBusy: Math.round(((serverAfter.run - serverSched.run) / wall) * 100) / 100,
      client: Math.round(clientAfter.wait - clientSched.wait),
      steal: Math.round(steal() - stolen),
      wall: Math.round(wall),
    };
    eld.disable();
    observer.disconnect();
    const inServer = await dump(s);
    const gc: Record<string, { n: number; ms: number; max: number }> = {};
    for (const [k, d] of gcs) {
      const g = (gc[k] ??= { n: 0, ms: 0, max: 0 });
      g.n += 1;
      g.ms = Math.round((g.ms + d) * 10) / 10;
      g.max = Math.max(g.max, Math.round(d * 100) / 100);
    }
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const report = {
      server,
      endpoint: ENDPOINT,
      fresh: FRESH,
      connections: CONNECTIONS,
      rate: RATE,
      client: {
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        errors: result.non2xx + result.errors + result.timeouts,
        cpu: Math.round(((used.user + used.system) / 1000 / wall) * 100) / 100,
        eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
        gc,
      },
      inServer,
      waited,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (process.env.TAIL_OUT) writeFileSync(process.env.TAIL_OUT, `${JSON.stringify(report)}\n`, { flag: 'a' });
  } finally {
    await stop(s.child);
    s.cleanup();
  }
}

for (const server of SERVERS) await measure(server);
