import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/schema.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Atelier {
  child: ChildProcess;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<Atelier>();

/** `atelier serve` (or another command) as a separate process, with only the given ATELIER_* settings. */
function atelier(settings: Record<string, string>, command = 'serve'): Atelier {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATELIER_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', command], {
    cwd: REPO_ROOT,
    env: { ...env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const proc: Atelier = { child, output: () => output, exited };
  started.add(proc);
  void exited.then(() => started.delete(proc));
  return proc;
}

/** Options for waitFor while `proc` serves: stop at once, with its output, if it exits. */
function watching(proc: Atelier) {
  return {
    timeout: 20_000,
    detail: proc.output,
    giveUp: () => (proc.child.exitCode !== null || proc.child.signalCode !== null ? 'atelier exited' : undefined),
  };
}

async function stop(proc: Atelier, signal: NodeJS.Signals) {
  proc.child.kill(signal);
  return withDeadline(proc.exited, 10_000, `atelier to exit on ${signal}`);
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The database file, opened read-only, as an operator would inspect it. */
async function inspect<T>(file: string, fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: new SQLite(file, { readonly: true, fileMustExist: true }) }),
  });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-restart-'));
});
afterEach(async () => {
  for (const proc of [...started]) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a server killed mid-work', () => {
  it('finishes creating and deleting after a restart on the same database, each transition once', async () => {
    const dbFile = join(dir, 'atelier.db');
    const projectId = uniqueId('restart');
    const credentials = {
      accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
      secretKey: randomBytes(20).toString('hex'),
    };
    const settings = (port: number) => ({
      ATELIER_DATABASE_URL: `sqlite:${dbFile}`,
      ATELIER_PORT: String(port),
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ATELIER_POOL_CREATE_SECONDS: '3',
      ATELIER_POOL_DELETE_SECONDS: '3',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_LOG_LEVEL: 'warn',
    });
    const answers = (client: ApiClient) => async () => (await client.get('/v1/{project_id}/quotas')).status === 200;
    const phaseOf = async (client: ApiClient, pool: string) =>
      (await client.get(`/v2/{project_id}/pools/${pool}`)).body?.status?.phase;

    // First life: an Active network, a pool being created, a pool being deleted.
    const port1 = await freePort();
    const first = atelier(settings(port1));
    const client1 = ApiClient.http(`http://127.0.0.1:${port1}`, projectId, credentials);
    await waitFor(answers(client1), { what: 'the first server to answer', ...watching(first) });

    const net = await client1.post('/v1/{project_id}/networks', networkBody());
    expect(net.status, net.text).toBe(200);
    const netName = net.body.metadata.name as string;
    await waitFor(
      async () => (await client1.get(`/v1/{project_id}/networks/${netName}`)).body?.status?.phase === 'Active',
      { what: 'an Active network', ...watching(first) },
    );

    const creating = await client1.post('/v2/{project_id}/pools', poolBody(netName));
    expect(creating.status, creating.text).toBe(200);
    const kept = creating.body.metadata.name as string;
    const doomedRes = await client1.post('/v2/{project_id}/pools', poolBody(netName));
    expect(doomedRes.status, doomedRes.text).toBe(200);
    const doomed = doomedRes.body.metadata.name as string;
    expect((await client1.delete(`/v2/{project_id}/pools/${doomed}`)).body.status.phase).toBe('Deleting');
    expect(await phaseOf(client1, kept)).toBe('Creating');

    const killed = await stop(first, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    // The first process really died with the work unfinished.
    const before = await inspect(dbFile, (db) =>
      db.selectFrom('pools').select(['name', 'phase']).where('project_id', '=', projectId).orderBy('name').execute(),
    );
    expect(Object.fromEntries(before.map((r) => [r.name, r.phase]))).toEqual({
      [kept]: 'Creating',
      [doomed]: 'Deleting',
    });

    // Second life on the same file.
    const port2 = await freePort();
    const second = atelier(settings(port2));
    const client2 = ApiClient.http(`http://127.0.0.1:${port2}`, projectId, credentials);
    await waitFor(answers(client2), { what: 'the second server to answer', ...watching(second) });
    await waitFor(async () => (await phaseOf(client2, kept)) === 'Running', {
      what: 'the pool to be Running',
      ...watching(second),
    });
    await waitFor(async () => (await client2.get(`/v2/{project_id}/pools/${doomed}`)).status === 404, {
      what: 'the deleted pool to be gone',
      ...watching(second),
    });
    const shown = await client2.get(`/v2/{project_id}/pools/${kept}`);
    expect(shown.body.status.resources.available).toEqual([
      expect.objectContaining({ flavor: 'modelarts.vm.cpu.8ud', count: 2 }),
    ]);
    expect((await client2.get('/v1/{project_id}/quotas')).body.quotas.resources[0]).toEqual({
      type: 'pool',
      quota: 15,
      used: 1,
    });

    const stopped = await stop(second, 'SIGTERM');
    expect(stopped.code, second.output()).toBe(0);

    await inspect(dbFile, async (db) => {
      const changes = async (pool: string) =>
        (await listEventsOf(db, projectId, 'pools', pool))
          .filter((e) => e.reason === 'PoolStatusChange')
          .map((e) => e.message);
      // Whether a pool that starts at once first shows Waiting is pool.service's business;
      // what a restart must not do is run a step twice or skip one.
      const keptChanges = await changes(kept);
      expect(keptChanges.filter((m) => !m.includes('from Waiting to Creating'))).toEqual([
        'Pool status changed, from Creating to Running.',
      ]);
      const doomedChanges = await changes(doomed);
      expect(doomedChanges.filter((m) => !m.includes('from Waiting to Creating'))).toEqual([
        'Pool status changed, from Creating to Deleting.',
      ]);
      const removals = (await listEventsOf(db, projectId, 'pools', doomed)).filter((e) => e.reason === 'PoolDeleted');
      expect(removals).toHaveLength(1);
      const held = await db.selectFrom('pool_nodes').selectAll().execute();
      expect(held).toHaveLength(1);
    });
  }, 45_000);
});

describe('atelier serve with an invalid configuration', () => {
  it('exits non-zero and names every problem', async () => {
    const proc = atelier({
      ATELIER_DATABASE_URL: `sqlite:${join(dir, 'never.db')}`,
      ATELIER_PORT: 'abc',
      ATELIER_POOL_QUOTA: '-1',
    });
    const { code } = await withDeadline(proc.exited, 20_000, 'atelier to refuse its configuration');
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const output = proc.output();
    expect(output).toContain('Invalid configuration');
    expect(output).toMatch(/ATELIER_PORT\b.*"abc"/);
    expect(output).toMatch(/ATELIER_POOL_QUOTA\b.*"-1"/);
    // Refused before anything was opened or created.
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  }, 30_000);
});
