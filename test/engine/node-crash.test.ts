import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import type { DB } from '../../src/db/schema.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { expectNodesConsistent, rollUp } from './node-checks.js';

/**
 * SIGKILL of a real `atelier serve` while a pool's 100 nodes are being created
 * (by its creation or a scale-out), then a restart on the same SQLite file:
 * every node comes up once, the roll-up events form one chain with no double
 * count, node_counts equal the nodes and status.resources equals both.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FLAVOR = 'modelarts.vm.cpu.8ud';
const started = new Set<ChildProcess>();
/** What the servers wrote, for failure messages. */
let output = '';

function serve(settings: Record<string, string>): ChildProcess {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATELIER_')));
  const child = spawn(process.execPath, [ATELIER_MAIN, 'serve'], {
    cwd: REPO_ROOT,
    env: { ...env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

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
  dir = mkdtempSync(join(tmpdir(), 'atelier-node-crash-'));
});
afterEach(async () => {
  for (const child of [...started]) await kill(child);
  rmSync(dir, { recursive: true, force: true });
});

async function setUp() {
  const dbFile = join(dir, 'atelier.db');
  const projectId = uniqueId('nodecrash');
  const credentials = {
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
  };
  const start = async () => {
    const port = await freePort();
    const child = serve({
      ATELIER_DATABASE_URL: `sqlite:${dbFile}`,
      ATELIER_PORT: String(port),
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_SCALE_SECONDS: '0',
      // Long enough that the kill lands while the nodes are still Creating.
      ATELIER_NODE_CREATE_SECONDS: '2',
      // Likewise for the nodes of a batch reboot, Checking.
      ATELIER_NODE_REBOOT_SECONDS: '2',
      ATELIER_ENGINE_INTERVAL_MS: '20',
      ATELIER_LOG_LEVEL: 'warn',
    });
    const client = ApiClient.http(`http://127.0.0.1:${port}`, projectId, credentials);
    await waitFor(async () => (await client.get('/v1/{project_id}/quotas')).status === 200, {
      what: 'the server to answer',
      // A loaded machine compiles the program slowly at start.
      timeout: 90_000,
      detail: () => output,
    });
    return { child, client };
  };
  return { dbFile, projectId, start };
}

async function activeNetwork(client: ApiClient): Promise<string> {
  const net = await client.post('/v1/{project_id}/networks', networkBody(undefined, { cidr: '10.0.0.0/16' }));
  expect(net.status, net.text).toBe(200);
  const name = net.body.metadata.name as string;
  await waitFor(async () => (await client.get(`/v1/{project_id}/networks/${name}`)).body?.status?.phase === 'Active', {
    what: 'an Active network',
  });
  return name;
}

const nodesInPhase = (dbFile: string, phase: string) =>
  inspect(dbFile, async (db) =>
    Number(
      (
        await db
          .selectFrom('nodes')
          .select(sql<number>`count(*)`.as('n'))
          .where('phase', '=', phase)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );

describe('SIGKILL while a pool’s nodes are being created (SQLite)', () => {
  it('a pool creation of 100 nodes: after a restart each node comes up once and the roll-up equals the nodes', async () => {
    const { dbFile, projectId, start } = await setUp();
    const first = await start();
    const network = await activeNetwork(first.client);
    const res = await first.client.post(
      '/v2/{project_id}/pools',
      poolBody(network, { resources: [{ flavor: FLAVOR, count: 100 }] }),
    );
    expect(res.status, res.text).toBe(200);
    const pool = res.body.metadata.name as string;
    await waitFor(async () => (await nodesInPhase(dbFile, 'Creating')) === 100, { what: '100 Creating nodes' });
    await kill(first.child);
    expect(await nodesInPhase(dbFile, 'Creating')).toBe(100);

    const second = await start();
    await waitFor(
      async () => (await second.client.get(`/v2/{project_id}/pools/${pool}`)).body?.status?.phase === 'Running',
      { what: 'the pool to be Running after the restart', timeout: 30_000 },
    );
    await inspect(dbFile, (db) => expectNodesConsistent(db, projectId, second.client, pool, 100));
  }, 240_000);

  it('a scale-out from 2 to 100 nodes: after a restart each new node comes up once', async () => {
    const { dbFile, projectId, start } = await setUp();
    const first = await start();
    const network = await activeNetwork(first.client);
    const res = await first.client.post(
      '/v2/{project_id}/pools',
      poolBody(network, { resources: [{ flavor: FLAVOR, count: 2 }] }),
    );
    expect(res.status, res.text).toBe(200);
    const pool = res.body.metadata.name as string;
    const path = `/v2/{project_id}/pools/${pool}`;
    await waitFor(async () => (await first.client.get(path)).body?.status?.phase === 'Running', {
      what: 'a Running pool of 2',
      timeout: 30_000,
    });
    const patched = await first.client.request('PATCH', path, {
      body: { spec: { resources: [{ flavor: FLAVOR, count: 100, maxCount: 100 }] } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status, patched.text).toBe(200);
    await waitFor(async () => (await nodesInPhase(dbFile, 'Creating')) === 98, { what: '98 Creating nodes' });
    await kill(first.child);

    const second = await start();
    await waitFor(
      async () => {
        const shown = (await second.client.get(path)).body;
        return shown?.status?.resources?.available?.[0]?.count === 100 && !shown.status.resources.creating;
      },
      { what: 'the 100 nodes to be Available after the restart', timeout: 30_000 },
    );
    await inspect(dbFile, (db) => expectNodesConsistent(db, projectId, second.client, pool, 100));
  }, 240_000);

  it('a batch reboot of a 100-node pool: after a restart each node comes back once and the job ends Success', async () => {
    const { dbFile, projectId, start } = await setUp();
    const first = await start();
    const network = await activeNetwork(first.client);
    const res = await first.client.post(
      '/v2/{project_id}/pools',
      poolBody(network, { resources: [{ flavor: FLAVOR, count: 100 }] }),
    );
    expect(res.status, res.text).toBe(200);
    const pool = res.body.metadata.name as string;
    const path = `/v2/{project_id}/pools/${pool}`;
    await waitFor(async () => (await first.client.get(path)).body?.status?.phase === 'Running', {
      what: 'a Running pool of 100',
      timeout: 30_000,
    });
    const names = ((await first.client.get(`${path}/nodes`)).body.items as Array<{ metadata: { name: string } }>).map(
      (n) => n.metadata.name,
    );
    const rebooted = await first.client.post(`${path}/nodes/batch-reboot`, { nodeNames: names });
    expect(rebooted.status, rebooted.text).toBe(200);
    const jobId = rebooted.body.job_id as string;
    // The kill lands once the job runs and its nodes are Checking with their reboot time.
    await waitFor(async () => (await first.client.get(`/v2/{project_id}/jobs/${jobId}`)).body?.phase === 'Running', {
      what: 'the job Running',
    });
    await kill(first.child);
    expect(await nodesInPhase(dbFile, 'Checking')).toBe(100);

    const second = await start();
    await waitFor(async () => (await second.client.get(`/v2/{project_id}/jobs/${jobId}`)).body?.phase === 'Success', {
      what: 'the job to succeed after the restart',
      timeout: 30_000,
    });
    await inspect(dbFile, (db) => expectNodesConsistent(db, projectId, second.client, pool, 100));
    // Each node went Checking once and came back once: one roll-up each way for the reboot.
    const chain = await inspect(dbFile, (db) => listEventsOf(db, projectId, 'pools', pool));
    const rollUps = chain.filter((e) => e.reason === 'PoolResourcesStatusChange').map((e) => rollUp(e.message));
    expect(rollUps.filter(([from]) => from === '100/0/0/0').map(([, to]) => to)).toEqual(['0/100/0/0']);
    expect(rollUps.filter(([, to]) => to === '100/0/0/0').length).toBe(2);
  }, 240_000);
});
