import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { loadConfig } from '../../src/config.js';
import { updateProjectQuotas } from '../../src/projects/project.store.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ApiClient, type ApiResponse } from '../helpers/client.js';
import { activeNetwork, displayName, expectError, networkBody, poolBody } from '../helpers/fixtures.js';
import { freshDatabase, type TestDatabase } from '../helpers/databases.js';
import { startHarness, uniqueId } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONCURRENT = 50;
const QUOTA = 15;
const SECRET_KEY = 'quota-test-secret-key-0123456789';

/** The environment of a child process: ours without any ATELIER_* setting, plus the given ones. */
function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATELIER_')));
  return { ...env, ...settings };
}

function expectQuotaError(res: ApiResponse, kind: 'pool' | 'network', limit: number): void {
  expectError(res, 400, 'ModelArts.50004000');
  expect(res.body.error_msg).toMatch(new RegExp(`\\b${kind} quota exceeded\\b.*\\b${limit}\\b`));
}

describe('quotas under concurrent creates, over real sockets', () => {
  let dir: string;
  let testDb: TestDatabase;
  let server: RunningServer;
  let projectId: string;
  const credentials = {
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-quota-'));
    // SQLite or PostgreSQL, as the vitest project says: on PostgreSQL the project row's lock is what
    // keeps concurrent creates from all passing the quota check.
    testDb = await freshDatabase(dir);
    projectId = uniqueId('quota');
    server = await startServer(
      loadConfig({
        ATELIER_HOST: '127.0.0.1',
        ATELIER_PORT: '0',
        ATELIER_DATABASE_URL: testDb.url,
        ATELIER_SECRET_KEY: SECRET_KEY,
        ATELIER_LOG_LEVEL: 'silent',
        ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
        ATELIER_BOOTSTRAP_AK: credentials.accessKey,
        ATELIER_BOOTSTRAP_SK: credentials.secretKey,
        ATELIER_NETWORK_CREATE_SECONDS: '0',
        // Pools stay Creating for the whole file: nothing the engine does changes the counts.
        ATELIER_POOL_CREATE_SECONDS: '3600',
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A client for a fresh project of this server with its own credential, so each test starts from zero usage. */
  async function freshProject(): Promise<ApiClient> {
    const { identity } = server.context;
    const account = await identity.requireAccount('default');
    const project = await identity.createProject(account.id, { id: uniqueId('quota') });
    return ApiClient.http(server.address, project.id, await identity.createCredential(account.id, [project.id]));
  }

  async function readyNetwork(client: ApiClient): Promise<string> {
    const res = await client.post('/v1/{project_id}/networks', networkBody());
    expect(res.status, res.text).toBe(200);
    const name = res.body.metadata.name as string;
    await waitFor(
      async () => (await client.get(`/v1/{project_id}/networks/${name}`)).body?.status?.phase === 'Active',
      { what: 'an Active network', timeout: 10_000, interval: 20 },
    );
    return name;
  }

  const usage = async (client: ApiClient) => (await client.get('/v1/{project_id}/quotas')).body.quotas.resources;

  it(`lets exactly ${QUOTA} of ${CONCURRENT} concurrent pool creates through`, async () => {
    const client = ApiClient.http(server.address, projectId, credentials);
    expect(server.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const net = await readyNetwork(client);

    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () =>
        client.post('/v2/{project_id}/pools', poolBody(net, { name: displayName('race') })),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(ok).toHaveLength(QUOTA);
    expect(refused).toHaveLength(CONCURRENT - QUOTA);
    for (const res of refused) expectQuotaError(res, 'pool', QUOTA);
    expect(new Set(ok.map((r) => r.body.metadata.name)).size).toBe(QUOTA);

    expect(await usage(client)).toEqual([
      { type: 'pool', quota: QUOTA, used: QUOTA },
      { type: 'network', quota: QUOTA, used: 1 },
    ]);
    const list = await client.get('/v2/{project_id}/pools');
    expect(list.body.items).toHaveLength(QUOTA);
    const stats = await client.get('/v2/{project_id}/statistics/pools');
    expect(stats.body.statistics.status.creating).toBe(QUOTA);
  });

  it(`lets exactly ${QUOTA} of ${CONCURRENT} concurrent network creates through`, async () => {
    const client = await freshProject();
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () =>
        client.post('/v1/{project_id}/networks', networkBody(displayName('racenet'))),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(ok).toHaveLength(QUOTA);
    for (const res of refused) expectQuotaError(res, 'network', QUOTA);
    expect(refused).toHaveLength(CONCURRENT - QUOTA);

    expect(await usage(client)).toEqual([
      { type: 'pool', quota: QUOTA, used: 0 },
      { type: 'network', quota: QUOTA, used: QUOTA },
    ]);
    const list = await client.get('/v1/{project_id}/networks');
    expect(list.body.items).toHaveLength(QUOTA);
  });

  it('applies a per-project override set in the database to /quotas, os-user-config and creates', async () => {
    const client = await freshProject();
    const net = await readyNetwork(client);
    await updateProjectQuotas(server.context.database.db, client.projectId, { pool: 2, network: 7 });
    // A write made in this process forgets the cached row, as an in-process administrator does.
    server.context.projects.forget(client.projectId);

    expect(await usage(client)).toEqual([
      { type: 'pool', quota: 2, used: 0 },
      { type: 'network', quota: 7, used: 1 },
    ]);
    const config = await client.get('/v1/{project_id}/os-user-config');
    expect(config.status, config.text).toBe(200);
    expect(config.body).toMatchObject({ poolQuota: 2, networkQuota: 7 });

    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.post('/v2/{project_id}/pools', poolBody(net))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    for (const res of results.filter((r) => r.status !== 200)) expectQuotaError(res, 'pool', 2);

    // Other projects keep the configured default.
    const other = await freshProject();
    expect((await usage(other))[0]).toEqual({ type: 'pool', quota: QUOTA, used: 0 });
  });

  /**
   * Runs the administration CLI against the server's database file, as an operator would:
   * `atelier …` (dist/main.js, as bin/atelier runs it).
   */
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [ATELIER_MAIN, ...args], {
      cwd: REPO_ROOT,
      env: childEnv({ ATELIER_DATABASE_URL: testDb.url, ATELIER_SECRET_KEY: SECRET_KEY, ATELIER_LOG_LEVEL: 'silent' }),
      timeout: 20_000,
    });

  /** Polls /quotas until the pool limit reads `limit`; fails past the documented 1 s bound plus slack. */
  const untilPoolQuota = (client: ApiClient, limit: number) =>
    waitFor(async () => (await usage(client))[0].quota, {
      until: (quota) => quota === limit,
      what: `the pool quota to read ${limit}`,
      timeout: 1_500,
    });

  it('applies an override set with `atelier quotas <project> --pool N` to the running server', async () => {
    const client = await freshProject();
    const net = await readyNetwork(client);

    const set = await cli('quotas', client.projectId, '--pool', '3');
    expect(set.stdout).toContain(`quotas of ${client.projectId} updated`);
    // Another process's change shows within the cache bound (ATELIER_AUTH_CACHE_MS, 1 s).
    await untilPoolQuota(client, 3);
    expect((await usage(client))[0]).toEqual({ type: 'pool', quota: 3, used: 0 });
    expect((await client.get('/v1/{project_id}/os-user-config')).body.poolQuota).toBe(3);

    for (let i = 0; i < 3; i += 1)
      expect((await client.post('/v2/{project_id}/pools', poolBody(net))).status).toBe(200);
    expectQuotaError(await client.post('/v2/{project_id}/pools', poolBody(net)), 'pool', 3);

    // An unknown project is an error, not a silent no-op.
    await expect(cli('quotas', 'no-such-project-cli', '--pool', '3')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no project no-such-project-cli'),
    });
  });

  // Known bug in src/main.ts (not ours to fix): commander replaces a parser's `null`
  // with '' , so `--pool default` stores pool_quota = '' instead of NULL. /quotas then
  // answers "quota": "" and every create is refused. Remove `.fails` once fixed.
  it('`atelier quotas <project> --pool default` removes the override again', async () => {
    const client = await freshProject();
    const net = await readyNetwork(client);
    await cli('quotas', client.projectId, '--pool', '1');
    await untilPoolQuota(client, 1);
    expect((await usage(client))[0]).toEqual({ type: 'pool', quota: 1, used: 0 });

    await cli('quotas', client.projectId, '--pool', 'default');
    await untilPoolQuota(client, QUOTA);
    expect((await usage(client))[0]).toEqual({ type: 'pool', quota: QUOTA, used: 0 });
    expect((await client.get('/v1/{project_id}/os-user-config')).body.poolQuota).toBe(QUOTA);
    expect((await client.post('/v2/{project_id}/pools', poolBody(net))).status).toBe(200);
  });
});

describe('quota release', () => {
  it('keeps counting a deleted pool until it is gone (decision 2)', async () => {
    const h = await startHarness({
      ATELIER_POOL_QUOTA: '1',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_DELETE_SECONDS: '30',
    });
    try {
      const net = await activeNetwork(h.client, h.settle);
      const first = await h.client.post('/v2/{project_id}/pools', poolBody(net));
      expect(first.status, first.text).toBe(200);
      expectQuotaError(await h.client.post('/v2/{project_id}/pools', poolBody(net)), 'pool', 1);

      expect((await h.client.delete(`/v2/{project_id}/pools/${first.body.metadata.name}`)).status).toBe(200);
      expectQuotaError(await h.client.post('/v2/{project_id}/pools', poolBody(net)), 'pool', 1);
      expect((await h.client.get('/v1/{project_id}/quotas')).body.quotas.resources[0]).toEqual({
        type: 'pool',
        quota: 1,
        used: 1,
      });

      await h.advance(30_000);
      expect((await h.client.get(`/v2/{project_id}/pools/${first.body.metadata.name}`)).status).toBe(404);
      expect((await h.client.get('/v1/{project_id}/quotas')).body.quotas.resources[0]).toEqual({
        type: 'pool',
        quota: 1,
        used: 0,
      });
      expect((await h.client.post('/v2/{project_id}/pools', poolBody(net))).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('ATELIER_QUOTA_VALUES_AS_STRINGS', () => {
  it('turns quota and used into strings', async () => {
    const h = await startHarness({ ATELIER_QUOTA_VALUES_AS_STRINGS: 'true', ATELIER_NETWORK_CREATE_SECONDS: '0' });
    try {
      const net = await activeNetwork(h.client, h.settle);
      expect((await h.client.post('/v2/{project_id}/pools', poolBody(net))).status).toBe(200);
      const res = await h.client.get('/v1/{project_id}/quotas');
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({
        quotas: {
          resources: [
            { type: 'pool', quota: '15', used: '1' },
            { type: 'network', quota: '15', used: '1' },
          ],
        },
      });
    } finally {
      await h.close();
    }
  });
});
