/**
 * `npx tsx bench/memory-under-load.ts CHECKOUT fresh|repeat REQUESTS [NODE_FLAG…]`: where a server's
 * memory goes under signed quotas reads. Starts the checkout's compiled server (pinned to core 0,
 * with the node flags given, e.g. `--max-semi-space-size=8`), sends REQUESTS signed reads over 50
 * connections (`fresh`: a rotation of 30,000 distinct signatures, bench/fresh-signatures.ts;
 * `repeat`: one signature), and prints one JSON line: requests per second, p99, the peak resident
 * memory (VmHWM, what `npm run bench` reports), the peak heap, and the last sample of the heap spaces
 * (bench/memory-probe.mjs samples them in the server every 500 ms).
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { signRequest } from '../test/helpers/signing.js';
import { benchInstallation } from './bench-server.js';
import { freshSignatures, rotating } from './fresh-signatures.js';

const [checkout, mode, requests, ...flags] = process.argv.slice(2);
if (!checkout || (mode !== 'fresh' && mode !== 'repeat') || !Number(requests)) {
  throw new Error('usage: memory-under-load.ts CHECKOUT fresh|repeat REQUESTS [NODE_FLAG…]');
}
const installed = await benchInstallation('atelier-memory-', { ATELIER_AUTH_REQUIRED: 'false' });
const { dir, port, projectId, ak, sk } = installed;
const log = join(dir, 'memory.jsonl');
const env = { ...process.env, ...installed.env, BENCH_MEMORY_LOG: log };
const probe = join(import.meta.dirname, 'memory-probe.mjs');
const server = spawn('taskset', ['-c', '0', process.execPath, ...flags, '--import', probe, 'dist/main.js', 'serve'], {
  cwd: resolve(checkout),
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  for (let tries = 0; ; tries += 1) {
    try {
      await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).arrayBuffer();
      break;
    } catch (error) {
      if (tries > 600) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const path = `/v1/${projectId}/quotas`;
  const url = `http://127.0.0.1:${port}${path}`;
  const host = `127.0.0.1:${port}`;
  const options: autocannon.Options =
    mode === 'fresh'
      ? {
          url,
          connections: 50,
          amount: Number(requests),
          requests: rotating(
            path,
            await freshSignatures({ host, projectId, path, accessKey: ak, secretKey: sk }, 30_000),
          ),
        }
      : {
          url,
          connections: 50,
          amount: Number(requests),
          headers: (
            await signRequest({
              method: 'GET',
              url: path,
              headers: { host, 'content-type': 'application/json', 'x-project-id': projectId },
              accessKey: ak,
              secretKey: sk,
            })
          ).headers,
        };
  const result = await autocannon(options);
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0);
  const samples = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { heapTotal: number; heapUsed: number });
  const peak = (key: 'heapTotal' | 'heapUsed') => Math.max(...samples.map((s) => s[key]));
  process.stdout.write(
    `${JSON.stringify({
      mode,
      flags,
      requestsPerSecond: Math.round(result.requests.average),
      p99Ms: result.latency.p99,
      errors: result.non2xx + result.errors,
      peakRssMiB: Math.round(peakKiB / 1024),
      peakHeapTotalMiB: peak('heapTotal'),
      peakHeapUsedMiB: peak('heapUsed'),
      last: samples.at(-1),
    })}\n`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
