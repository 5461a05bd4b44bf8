import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATELIER_MAIN } from '../helpers/atelier-command.js';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { updateProjectQuotas } from '../../src/projects/project.store.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { activeNetwork, poolBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** `atelier copy`: an installation moved from SQLite to PostgreSQL answers exactly as before. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET_KEY = 'copy-test-secret-key-0123456789abcdef';

/** `atelier …` with ATELIER_SECRET_KEY as the new installation's key, and no other setting. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATELIER_'))),
    ATELIER_SECRET_KEY: SECRET_KEY,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ATELIER_MAIN, ...args],
      { cwd: REPO_ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('atelier copy --from sqlite:… --to postgres://…', () => {
  let dir: string;
  let sqliteUrl: string;
  let h: Harness;
  let target: TestDatabase;
  let other: ApiClient;
  let copied: { app: FastifyInstance; database: Database } | undefined;
  const views: Array<[string, (c: ApiClient) => Promise<unknown>]> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-copy-'));
    sqliteUrl = `sqlite:${join(dir, 'source.db')}`;
    // A SQLite installation as `npm start` makes one: its key file beside the database.
    h = await startHarness({
      ATELIER_DATABASE_URL: sqliteUrl,
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '5',
      ATELIER_POOL_DELETE_SECONDS: '30',
    });
    target = await freshPostgresDatabase();
    // Something of everything: pools in several phases, networks, a second project
    // with its own credential, a quota override.
    const network = await activeNetwork(h.client, h.settle);
    const running = await h.client.post('/v2/{project_id}/pools', poolBody(network));
    const failing = await h.client.post(
      '/v2/{project_id}/pools',
      poolBody(network, { labels: { 'atelier.io/simulate': 'CreationFailed' } }),
    );
    const deleted = await h.client.post('/v2/{project_id}/pools', poolBody(network));
    for (const res of [running, failing, deleted]) expect(res.status, res.text).toBe(200);
    await h.advance(5_000);
    expect((await h.client.delete(`/v2/{project_id}/pools/${deleted.body.metadata.name}`)).status).toBe(200);
    expect((await h.client.post('/v2/{project_id}/pools', poolBody(network))).status).toBe(200);
    await activeNetwork(h.client, h.settle, { workspaceId: 'ws-copy' });
    expect(await updateProjectQuotas(h.context.database.db, h.projectId, { pool: 30, network: 7 })).toBe(true);
    other = await h.newProject();
    await activeNetwork(other, h.settle);

    views.push(
      ['statistics', async (c) => (await c.get('/v2/{project_id}/statistics/pools')).body],
      ['quotas', async (c) => (await c.get('/v1/{project_id}/quotas')).body],
      ['pools', async (c) => (await c.get('/v2/{project_id}/pools')).body],
      ['failed pools', async (c) => (await c.get('/v2/{project_id}/pools?status=failed')).body],
      ['networks', async (c) => (await c.get('/v1/{project_id}/networks')).body],
      ['networks of ws-copy', async (c) => (await c.get('/v1/{project_id}/networks?workspaceId=ws-copy')).body],
      ['pool', async (c) => (await c.get(`/v2/{project_id}/pools/${running.body.metadata.name}`)).body],
    );
  }, 60_000);

  afterAll(async () => {
    await copied?.app.close();
    await copied?.database.close();
    await h?.close();
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every table, and the copy answers every read as the original did', async () => {
    expect(existsSync(join(dir, 'atelier.key'))).toBe(true);
    const result = await cli(['copy', '--from', sqliteUrl, '--to', target.url]);
    expect(result.code, result.stderr).toBe(0);
    for (const table of [
      'accounts',
      'projects',
      'credentials',
      'grants',
      'networks',
      'pools',
      'nodes',
      'node_counts',
      'ip_cursors',
      'usage_counts',
      'events',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^${table}: \\d+ rows$`, 'm'));
    }
    expect(result.stdout).toMatch(/^copied \d+ tables, \d+ rows$/m);

    const opened = await openContext(
      loadConfig({ ATELIER_DATABASE_URL: target.url, ATELIER_SECRET_KEY: SECRET_KEY, ATELIER_LOG_LEVEL: 'silent' }),
      new ManualClock(h.clock.now()),
    );
    const app = await buildApp(opened.context);
    copied = { app, database: opened.database };
    expect(opened.database.kind).toBe('postgres');
    // The same credentials sign requests the copy accepts: their secrets were opened
    // with the source's key file and sealed again with the new ATELIER_SECRET_KEY.
    const pairs: Array<[ApiClient, ApiClient]> = [
      [h.client, ApiClient.inject(app, h.projectId, h.credentials)],
      [other, ApiClient.inject(app, other.projectId, other.credentials)],
    ];
    for (const [before, after] of pairs) {
      for (const [what, read] of views) expect(await read(after), what).toEqual(await read(before));
    }
    const quotas = (await pairs[0][1].get('/v1/{project_id}/quotas')).body.quotas.resources;
    expect(quotas.find((r: { type: string }) => r.type === 'pool')).toMatchObject({ quota: 30 });

    // Identity columns continue after the copied ids: new rows do not collide.
    const copyClient = pairs[0][1];
    const networks = (await copyClient.get('/v1/{project_id}/networks')).body.items;
    const created = await copyClient.post('/v2/{project_id}/pools', poolBody(networks[0].metadata.name));
    expect(created.status, created.text).toBe(200);
  }, 90_000);

  it('refuses a source that does not exist', async () => {
    const missing = await cli(['copy', '--from', `sqlite:${join(dir, 'missing.db')}`, '--to', target.url]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no SQLite database at/);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  }, 60_000);

  it('refuses a target that is not empty, unless --force', async () => {
    const refused = await cli(['copy', '--from', sqliteUrl, '--to', target.url]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not empty.*--force/);
    await copied?.app.close();
    await copied?.database.close();
    copied = undefined;
    const forced = await cli(['copy', '--from', sqliteUrl, '--to', target.url, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
  }, 90_000);

  it('copies back from PostgreSQL to a new SQLite file with the same statistics', async () => {
    const back = `sqlite:${join(dir, 'back.db')}`;
    const result = await cli(['copy', '--from', target.url, '--to', back]);
    expect(result.code, result.stderr).toBe(0);
    const opened = await openContext(
      loadConfig({ ATELIER_DATABASE_URL: back, ATELIER_SECRET_KEY: SECRET_KEY, ATELIER_LOG_LEVEL: 'silent' }),
      new ManualClock(h.clock.now()),
    );
    const app = await buildApp(opened.context);
    try {
      const client = ApiClient.inject(app, h.projectId, h.credentials);
      for (const [what, read] of views) expect(await read(client), what).toEqual(await read(h.client));
    } finally {
      await app.close();
      await opened.database.close();
    }
  }, 90_000);
});
