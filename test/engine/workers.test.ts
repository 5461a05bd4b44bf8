import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Node processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('ATELIER_WORKERS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-workers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves from two worker processes on one port, prints the first start once, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATELIER_')));
    const child = spawn(process.execPath, [ATELIER_MAIN, 'serve'], {
      cwd: REPO_ROOT,
      env: {
        ...env,
        ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
        ATELIER_PORT: String(port),
        ATELIER_WORKERS: '2',
        ATELIER_LOG_LEVEL: 'warn',
        ATELIER_NETWORK_CREATE_SECONDS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      const remaining = () => Math.max(0, deadline - Date.now());
      const field = (name: string) => new RegExp(`^\\s+${name}\\s+(\\S+)$`, 'm').exec(output)?.[1];
      await waitFor(() => field('secret key') !== undefined && childrenOf(child.pid!).length >= 2, {
        what: 'the workers to start',
        timeout: remaining(),
        interval: 100,
        detail: () => output,
      });
      const projectId = field('project id')!;
      const credentials = { accessKey: field('access key')!, secretKey: field('secret key')! };
      const client = ApiClient.http(`http://127.0.0.1:${port}`, projectId, credentials);
      await waitFor(async () => (await client.get('/v1/{project_id}/quotas')).status === 200, {
        what: 'the workers to listen',
        timeout: remaining(),
        interval: 100,
        detail: () => output,
      });
      expect(childrenOf(child.pid!)).toHaveLength(2);
      expect(output.match(/^\s+secret key/gm)).toHaveLength(1);

      // Writes through either worker are seen by both, and the engine (in one worker) runs them.
      const created = await client.post('/v1/{project_id}/networks', networkBody());
      expect(created.status, created.text).toBe(200);
      const reads = await Promise.all(
        Array.from({ length: 20 }, () => client.get(`/v1/{project_id}/networks/${created.body.metadata.name}`)),
      );
      expect(reads.every((r) => r.status === 200)).toBe(true);
      await waitFor(
        async () => (await client.get(`/v1/{project_id}/networks/${created.body.metadata.name}`)).body.status.phase,
        { until: (phase) => phase === 'Active', what: 'the network to be Active', timeout: remaining(), interval: 100 },
      );
      expect((await client.get('/v1/{project_id}/quotas')).body.quotas.resources[1]).toEqual({
        type: 'network',
        quota: 15,
        used: 1,
      });

      child.kill('SIGTERM');
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))])).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
