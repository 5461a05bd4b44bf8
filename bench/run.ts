/**
 * `npm run bench [-- --quick]`: requests per second, latency and server memory of
 * the hot read endpoints, each beside a bare node:http baseline measured in the
 * same run (the machines are shared and noisy, so only ratios are compared).
 * The servers run pinned to core 0, the load generator to core 1 when `taskset`
 * exists. Results are printed as a table and written to bench/results/latest.json.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../src/identity/signature.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const DURATION_S = QUICK ? 3 : 10;
const CONNECTIONS = 50;
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

// Re-run under taskset so the load generator stays off the servers' core.
if (HAS_TASKSET && !process.env.BENCH_PINNED_TO_CORE) {
  const child = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED_TO_CORE: '1' },
  });
  process.exit(child.status ?? 1);
}

interface Scenario {
  name: string;
  target: 'baseline' | 'atelier' | 'atelier-open';
  path: string;
  headers: () => Record<string, string>;
}

interface Result {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
  non2xx: number;
  ratioToBaseline?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function pinned(args: string[]): [string, string[]] {
  return HAS_TASKSET ? ['taskset', ['-c', '0', ...args]] : [args[0], args.slice(1)];
}

async function startProcess(args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const [cmd, rest] = pinned(args);
  const child = spawn(cmd, rest, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.resume();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${args.join(' ')} did not start`);
}

/** Resident memory of the server process (the node process under taskset/tsx). */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? /VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

async function load(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, pipelining: 1 });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
  const projectId = randomBytes(16).toString('hex');
  const ak = `BENCH${randomBytes(6).toString('hex').toUpperCase()}`;
  const sk = randomBytes(20).toString('hex');
  const [basePort, atelierPort] = await Promise.all([freePort(), freePort()]);
  const node = [process.execPath, '--import', 'tsx'];
  const env = {
    ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
    ATELIER_PORT: String(atelierPort),
    ATELIER_LOG_LEVEL: 'warn',
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: ak,
    ATELIER_BOOTSTRAP_SK: sk,
    ATELIER_AUTH_REQUIRED: 'false',
  };
  const baseline = await startProcess([...node, 'bench/baseline-server.ts'], { PORT: String(basePort) }, basePort);
  const atelier = await startProcess([...node, 'src/main.ts', 'serve'], env, atelierPort);
  const host = `127.0.0.1:${atelierPort}`;

  const signed = (path: string) => () =>
    signRequest({
      method: 'GET',
      url: path,
      headers: { host, 'content-type': 'application/json', 'x-project-id': projectId },
      accessKey: ak,
      secretKey: sk,
    }).headers;
  const tokenRes = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'tokens', 'create', '--account', 'default', '--project', projectId],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  const token = /token\s+(\S+)/.exec(tokenRes.stdout)?.[1];
  if (!token) throw new Error(`could not issue a token: ${tokenRes.stderr}`);
  const withToken = () => ({ 'content-type': 'application/json', 'x-auth-token': token });
  const plain = () => ({ 'content-type': 'application/json' });

  const quotas = `/v1/${projectId}/quotas`;
  const statistics = `/v2/${projectId}/statistics/pools`;
  const scenarios: Scenario[] = [
    { name: 'baseline node:http (quotas bytes)', target: 'baseline', path: quotas, headers: plain },
    { name: 'quotas, no verification', target: 'atelier', path: quotas, headers: plain },
    { name: 'quotas, AK/SK signed', target: 'atelier', path: quotas, headers: signed(quotas) },
    { name: 'quotas, token', target: 'atelier', path: quotas, headers: withToken },
    { name: 'statistics, AK/SK signed', target: 'atelier', path: statistics, headers: signed(statistics) },
    { name: 'statistics, token', target: 'atelier', path: statistics, headers: withToken },
  ];

  const results: Result[] = [];
  try {
    for (const scenario of scenarios) {
      const port = scenario.target === 'baseline' ? basePort : atelierPort;
      const proc = scenario.target === 'baseline' ? baseline : atelier;
      const r = await load(`http://127.0.0.1:${port}${scenario.path}`, scenario.headers());
      results.push({
        name: scenario.name,
        requestsPerSecond: Math.round(r.requests.average),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        rssMiB: rssMiB(serverPid(proc)),
        non2xx: r.non2xx + r.errors,
      });
    }
  } finally {
    baseline.kill('SIGTERM');
    atelier.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  const base = results[0].requestsPerSecond;
  for (const r of results) r.ratioToBaseline = Math.round((r.requestsPerSecond / base) * 100) / 100;

  const table = [
    ['scenario', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'RSS MiB', 'errors'],
    ...results.map((r) => [r.name, r.requestsPerSecond, r.ratioToBaseline, r.p50Ms, r.p99Ms, r.rssMiB, r.non2xx].map(String)),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  for (const row of table) process.stdout.write(`${row.map((c, i) => String(c).padEnd(widths[i])).join('  ')}\n`);
  const out = join(ROOT, 'bench', 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      { at: new Date().toISOString(), quick: QUICK, durationSeconds: DURATION_S, connections: CONNECTIONS, pinned: HAS_TASKSET, results },
      null,
      2,
    ),
  );
  process.stdout.write(`\nwritten to ${out}\n`);
}

/** The node process behind taskset: same pid, taskset execs its command. */
function serverPid(child: ChildProcess): number | undefined {
  return child.pid;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
