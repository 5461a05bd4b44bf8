import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { saveClockOffset } from '../../src/admin/emulator-settings.store.js';
import type { DB } from '../../src/db/schema.js';
import { openDatabase, toDbTime } from '../../src/db/database.js';
import { SQLITE_ENGINE_OWNER } from '../../src/db/sqlite-engine-lock.js';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { startHarness, uniqueId } from '../helpers/harness.js';
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
  const child = spawn(process.execPath, [ATELIER_MAIN, command], {
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
      // The kept pool's nodes, and counts that agree with them.
      expect(await db.selectFrom('nodes').select('phase').execute()).toEqual([
        { phase: 'Available' },
        { phase: 'Available' },
      ]);
      expect(await db.selectFrom('node_counts').select(['phase', 'n']).execute()).toEqual([
        { phase: 'Available', n: 2 },
      ]);
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

describe('a server killed inside a step, with its leases held', () => {
  it('takes its own unfinished steps back at once after a restart, long before the leases expire', async () => {
    const dbFile = join(dir, 'atelier.db');
    const projectId = uniqueId('lease');
    const adminToken = randomBytes(16).toString('hex');
    const credentials = {
      accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
      secretKey: randomBytes(20).toString('hex'),
    };
    const POOLS = 150;
    const settings = (port: number) => ({
      ATELIER_DATABASE_URL: `sqlite:${dbFile}`,
      ATELIER_PORT: String(port),
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ATELIER_ADMIN_TOKEN: adminToken,
      ATELIER_POOL_QUOTA: String(POOLS),
      // Nothing is due until the test moves the clock: then every pool's step is due in one pass.
      ATELIER_POOL_CREATE_SECONDS: '3600',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      // A lease outlives the whole test: only taking it back explains a quick finish.
      ATELIER_ENGINE_LEASE_SECONDS: '600',
      ATELIER_LOG_LEVEL: 'warn',
    });
    const port1 = await freePort();
    const first = atelier(settings(port1));
    const client1 = ApiClient.http(`http://127.0.0.1:${port1}`, projectId, credentials);
    await waitFor(async () => (await client1.get('/v1/{project_id}/quotas')).status === 200, {
      what: 'the first server to answer',
      ...watching(first),
    });
    const net = await client1.post('/v1/{project_id}/networks', networkBody());
    const netName = net.body.metadata.name as string;
    await waitFor(
      async () => (await client1.get(`/v1/{project_id}/networks/${netName}`)).body?.status?.phase === 'Active',
      { what: 'an Active network', ...watching(first) },
    );
    const pools: string[] = [];
    for (let i = 0; i < POOLS; i += 1) {
      const res = await client1.post('/v2/{project_id}/pools', poolBody(netName));
      expect(res.status, res.text).toBe(200);
      pools.push(res.body.metadata.name as string);
    }

    // Watch the file from outside; kill the server the moment its engine holds leases.
    const watcher = new SQLite(dbFile, { readonly: true, fileMustExist: true });
    const leased = watcher.prepare('select count(*) as n from pools where lease_owner is not null');
    try {
      // The clock moves as the emulator's clock control stores it, and the server picks it up from the
      // database: its engine alone runs the steps that made due (POST /_atelier/clock/advance would run
      // them itself, without leases).
      const control = openDatabase(`sqlite:${dbFile}`);
      await control.transaction((tx) => saveClockOffset(tx, 2 * 3_600_000)).finally(() => control.close());
      const deadline = Date.now() + 20_000;
      while ((leased.get() as { n: number }).n === 0) {
        if (Date.now() > deadline) throw new Error(`the engine never held a lease\n${first.output()}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      watcher.close();
    }
    const held = await inspect(dbFile, (db) =>
      db.selectFrom('pools').select(['name', 'phase', 'lease_owner']).where('lease_owner', 'is not', null).execute(),
    );
    // The kill came inside the pass: some pools are still Creating under a lease of the dead process.
    expect(held.filter((p) => p.phase === 'Creating').length).toBeGreaterThan(0);

    const restartedAt = Date.now();
    const port2 = await freePort();
    const second = atelier(settings(port2));
    const client2 = ApiClient.http(`http://127.0.0.1:${port2}`, projectId, credentials);
    const running = async () =>
      (
        await inspect(dbFile, (db) =>
          db
            .selectFrom('pools')
            .select('phase')
            .where('project_id', '=', projectId)
            .where('phase', '=', 'Running')
            .execute(),
        )
      ).length;
    await waitFor(async () => (await client2.get('/v1/{project_id}/quotas')).status === 200, {
      what: 'the second server to answer',
      ...watching(second),
    });
    await waitFor(async () => (await running()) === POOLS, {
      what: 'every pool to be Running',
      ...watching(second),
      timeout: 45_000,
    });
    // Far less than the 600 s lease, with room for a slow start when another test file shares the cores.
    expect(Date.now() - restartedAt).toBeLessThan(45_000);

    expect((await stop(second, 'SIGTERM')).code, second.output()).toBe(0);
    await inspect(dbFile, async (db) => {
      for (const pool of pools.slice(0, 20)) {
        const changes = (await listEventsOf(db, projectId, 'pools', pool))
          .filter((e) => e.reason === 'PoolStatusChange' && e.message.includes('to Running'))
          .map((e) => e.message);
        expect(changes).toEqual(['Pool status changed, from Creating to Running.']);
      }
      const leftover = await db.selectFrom('pools').select('name').where('lease_owner', 'is not', null).execute();
      expect(leftover).toEqual([]);
    });
  }, 120_000);
});

describe('the engine lock of a SQLite database', () => {
  it('gives the stable owner name to one live engine only; a second engine on the file keeps its own', async () => {
    const h = await startHarness();
    const quiet = { error: () => {}, debug: () => {} };
    const first = new LifecycleEngine(h.context, quiet);
    const second = new LifecycleEngine(h.context, quiet);
    const third = new LifecycleEngine(h.context, quiet);
    try {
      first.start();
      expect(first.leaseOwner).toBe(SQLITE_ENGINE_OWNER);
      const network = await h.client.post('/v1/{project_id}/networks', networkBody());
      expect(network.status, network.text).toBe(200);
      // A lease the live first engine holds...
      const db = h.context.database.db;
      const until = toDbTime(new Date(h.clock.now().getTime() + 600_000));
      await db.updateTable('networks').set({ lease_owner: SQLITE_ENGINE_OWNER, lease_expires_at: until }).execute();
      second.start();
      expect(second.leaseOwner).not.toBe(SQLITE_ENGINE_OWNER);
      // ...is not taken from it by the second engine's start.
      const leases = async () =>
        (await db.selectFrom('networks').select('lease_owner').execute()).map((r) => r.lease_owner);
      await second.stop();
      expect(await leases()).toEqual([SQLITE_ENGINE_OWNER]);
      // Stopped, the first hands its leases and the lock on; the next engine to start has the name.
      await db.updateTable('networks').set({ lease_owner: SQLITE_ENGINE_OWNER, lease_expires_at: until }).execute();
      await first.stop();
      third.start();
      expect(third.leaseOwner).toBe(SQLITE_ENGINE_OWNER);
    } finally {
      await Promise.all([first.stop(), second.stop(), third.stop()]);
      await h.close();
    }
  });
});
