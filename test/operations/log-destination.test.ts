// `atelier serve` whose stdout cannot take its log lines — a full disk (/dev/full answers every
// write with ENOSPC) or a pipe nobody reads — keeps answering requests; lost lines are counted.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { LogDestination } from '../../src/log-destination.js';
import { freePort } from '../helpers/ports.js';
import { uniqueId } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { REPO_ROOT, TempDirs } from '../identity/helpers.js';

const ROUNDS = Number(process.env.ROUNDS ?? 40);
async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, text: await res.text() };
}

describe('a log destination that fails or blocks', () => {
  const dirs = new TempDirs();
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    dirs.removeAll();
  });

  async function serve(stdout: number): Promise<string> {
    const dir = dirs.make('atelier-logs-');
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ATELIER_')) env[name] = value;
    child = spawn(process.execPath, [ATELIER_MAIN, 'serve'], {
      cwd: REPO_ROOT,
      env: {
        ...env,
        ATELIER_DATABASE_URL: `sqlite:${dir}/atelier.db`,
        ATELIER_PORT: String(port),
        ATELIER_LOG_LEVEL: 'info',
        ATELIER_BOOTSTRAP_PROJECT_ID: uniqueId('proj'),
        ATELIER_BOOTSTRAP_AK: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
        ATELIER_BOOTSTRAP_SK: randomBytes(20).toString('hex'),
      },
      stdio: ['ignore', stdout, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        get(`${base}/healthz`).then(
          (r) => r.status,
          () => (child!.exitCode === null ? 0 : -1),
        ),
      { until: (status) => status !== 0, timeout: 20_000, interval: 20 },
    ).then((status) => expect(status, stderr).toBe(200));
    return base;
  }

  /** Enough requests that their log lines overflow a pipe's 64 KiB buffer several times. */
  async function hammer(base: string): Promise<void> {
    for (let i = 0; i < ROUNDS; i += 1) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${base}/healthz`)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    }
  }

  it('keeps serving when every write to stdout fails, and counts the lines it dropped', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const base = await serve(full);
      await hammer(base);
      const metrics = await get(`${base}/metrics`);
      const dropped = Number(/^atelier_log_lines_dropped_total (\d+)/m.exec(metrics.text)?.[1]);
      // Most of the 800 request lines; the last few may still wait for the next attempt.
      expect(dropped).toBeGreaterThan(400);
      expect(child!.exitCode).toBe(null);
    } finally {
      closeSync(full);
    }
  });

  it('keeps serving when nobody reads its stdout', async () => {
    // A named pipe this process holds open and never reads: once its buffer is full, a write blocks.
    const fifo = join(dirs.make('atelier-fifo-'), 'stdout');
    execFileSync('mkfifo', [fifo]);
    const pipe = openSync(fifo, 'r+');
    try {
      const base = await serve(pipe);
      await hammer(base);
      expect((await get(`${base}/readyz`)).status).toBe(200);
    } finally {
      closeSync(pipe);
    }
  });
});

describe('LogDestination', () => {
  const dirs = new TempDirs();
  afterEach(() => dirs.removeAll());

  it('drops what a full pipe cannot take, counts it, and writes again once the pipe is read', async () => {
    const fifo = join(dirs.make('atelier-fifo-'), 'log');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      const dropped: number[] = [];
      const logs = new LogDestination(fd, { maxBufferBytes: 64 * 1024, onDrop: (n) => dropped.push(n) });
      const line = `${'x'.repeat(1023)}\n`;
      for (let i = 0; i < 300; i += 1) logs.write(line);
      expect(logs.dropped).toBeGreaterThan(100);
      expect(dropped.reduce((a, b) => a + b, 0)).toBe(logs.dropped);
      // Drain the pipe until everything written so far has come through, then write one more line.
      const buffer = Buffer.alloc(1 << 20);
      const drain = () => {
        try {
          return readSync(fd, buffer);
        } catch {
          return 0;
        }
      };
      await waitFor(
        async () => {
          while (drain() > 0);
          return !logs.pending;
        },
        { until: (done) => done, timeout: 5_000, interval: 20 },
      );
      logs.write('after\n');
      await logs.flush(2_000);
      const text = buffer.subarray(0, drain()).toString();
      expect(text).toBe('after\n');
    } finally {
      closeSync(fd);
    }
  });
});
