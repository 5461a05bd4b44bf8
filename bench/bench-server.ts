/**
 * What the benches share to start a server: a throwaway SQLite installation with its bootstrap
 * project and key pair, a wait for its port, and the cores' idle time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.js';

export interface BenchInstallation {
  dir: string;
  port: number;
  projectId: string;
  ak: string;
  sk: string;
  /** The ATELIER_* settings of the installation (without process.env). */
  env: Record<string, string>;
}

/** A new directory, port, project and key pair, with `extraEnv` over its settings. */
export async function benchInstallation(
  prefix: string,
  extraEnv: Record<string, string> = {},
): Promise<BenchInstallation> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const projectId = randomBytes(16).toString('hex');
  const ak = `BENCH${randomBytes(6).toString('hex').toUpperCase()}`;
  const sk = randomBytes(20).toString('hex');
  const env = {
    ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
    ATELIER_PORT: String(port),
    ATELIER_LOG_LEVEL: 'warn',
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: ak,
    ATELIER_BOOTSTRAP_SK: sk,
    ...extraEnv,
  };
  return { dir, port, projectId, ak, sk, env };
}

/** Waits until `path` on the port answers (its body read to the end, so no connection stays open). */
export async function waitForPort(port: number, path = '/openapi.json'): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * Idle time of each CPU (ms), from /proc/stat: the kernel measures it at idle entry and exit, so it is
 * right where busy ticks are not (a process running in short bursts between ticks). Others' time on a
 * core is then the wall time less its idle time less ours.
 */
export function coreIdleMs(): number[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const fields = l.split(/\s+/).map(Number);
      return (fields[4]! + fields[5]!) * 10;
    });
}
