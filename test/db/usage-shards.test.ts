// The usage counters are spread over shards on PostgreSQL (migration 0005,
// quotas/usage.store.ts) so concurrent writers of one project update different
// rows; every reader adds the shards up, and the migration keeps the counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrationProvider } from '../../src/db/migrate.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { freshDatabase, testDialect, type TestDatabase } from '../helpers/databases.js';
import { useHarness } from '../helpers/harness.js';
import { createBody, POOLS, poolQuotaUsed, statistics } from '../pools/helpers.js';

describe('usage counters in shards', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: '10',
    ATELIER_POOL_DELETE_SECONDS: '10',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const shardsOf = async (projectId: string) => {
    const rows = await h.context.database.db
      .selectFrom('usage_counts')
      .select('shard')
      .distinct()
      .where('project_id', '=', projectId)
      .where('kind', '=', 'pool')
      .execute();
    return rows.map((r) => Number(r.shard)).sort();
  };

  it('spreads one project over several shards on PostgreSQL, one on SQLite, and reads the sum', async () => {
    const names: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const res = await h.client.post(POOLS, createBody(net));
      expect(res.status, res.text).toBe(200);
      names.push(res.body.metadata.name);
    }
    const shards = await shardsOf(h.projectId);
    if (testDialect() === 'postgres') expect(shards.length).toBeGreaterThan(1);
    else expect(shards).toEqual([0]);
    expect(await poolQuotaUsed(h.client)).toBe(12);
    expect(await statistics(h.client)).toMatchObject({ creating: 12, created: 0 });

    await h.advance(10_000);
    expect(await statistics(h.client)).toMatchObject({ creating: 0, created: 12 });
    for (const name of names.slice(0, 5)) expect((await h.client.delete(`${POOLS}/${name}`)).status).toBe(200);
    expect(await statistics(h.client)).toMatchObject({ created: 7, deleting: 5 });
    expect(await poolQuotaUsed(h.client)).toBe(12);
    await h.advance(10_000);
    expect(await poolQuotaUsed(h.client)).toBe(7);
    expect(await statistics(h.client)).toMatchObject({ created: 7, deleting: 0 });
  });
});

describe('migration 0005 (usage counter shards)', () => {
  let dir: string;
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-shards-'));
  });
  afterEach(async () => {
    await database?.close();
    await testDb?.drop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every count on the way up, and adds the shards together on the way down', async () => {
    testDb = await freshDatabase(dir);
    database = openDatabase(testDb.url);
    const migrator = new Migrator({ db: database.db, provider: migrationProvider });
    expect((await migrator.migrateTo('0004_faults')).error).toBeUndefined();
    const db = database.db as any;
    await db
      .insertInto('usage_counts')
      .values([
        { project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Running', n: 7 },
        { project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Creating', n: 2 },
        { project_id: 'p2', kind: 'network', workspace_id: 'w', phase: 'Active', n: 1 },
      ])
      .execute();

    expect((await migrator.migrateTo('0005_usage_shards')).error).toBeUndefined();
    const up = await db.selectFrom('usage_counts').selectAll().orderBy('project_id').orderBy('phase').execute();
    expect(up.map((r: any) => ({ ...r, n: Number(r.n), shard: Number(r.shard) }))).toEqual([
      { project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Creating', shard: 0, n: 2 },
      { project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Running', shard: 0, n: 7 },
      { project_id: 'p2', kind: 'network', workspace_id: 'w', phase: 'Active', shard: 0, n: 1 },
    ]);

    await db
      .insertInto('usage_counts')
      .values({ project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Running', shard: 3, n: 5 })
      .execute();
    expect((await migrator.migrateDown()).error).toBeUndefined();
    const down = await db.selectFrom('usage_counts').selectAll().orderBy('project_id').orderBy('phase').execute();
    expect(down.map((r: any) => ({ ...r, n: Number(r.n) }))).toEqual([
      { project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Creating', n: 2 },
      { project_id: 'p1', kind: 'pool', workspace_id: '0', phase: 'Running', n: 12 },
      { project_id: 'p2', kind: 'network', workspace_id: 'w', phase: 'Active', n: 1 },
    ]);
  });
});
