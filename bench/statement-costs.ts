/**
 * `npx tsx bench/statement-costs.ts [--rows=N] [--thrash=BYTES]`: what the statements
 * of a lifecycle cost SQLite on their own — a pool's insert, three event inserts, a
 * node's insert, a node-count upsert, a capacity sample, the pool's conditional update
 * and, afterwards, its conditional delete with the cascade over the tables that hang
 * off a pool — in a fresh database migrated with our migrations and opened with the
 * server's pragmas, in transactions of 16 as the group commit makes them. Prints µs
 * per statement (wall time of the native call). With --thrash the loop touches that
 * many bytes between statements, as the server's other work does to the CPU's caches.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../src/db/sqlite.js';
import { migrateToLatest } from '../src/db/migrate.js';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const ROWS = arg('rows', 3_000);
const THRASH = arg('thrash', 0);
const GROUP = 16;

const dir = mkdtempSync(join(tmpdir(), 'atelier-statements-'));
const path = join(dir, 'atelier.sqlite');
const migrated = openSqlite(path, {});
await migrateToLatest(migrated);
await migrated.close();

const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const P = '4541f6ef75a6cd119f4c291037785ef7';
db.prepare(
  `insert into projects (id, name, pool_quota, created_at) values (?, 'p', 100000, '2026-12-02T00:00:00.000Z')`,
).run(P);
const now = () => new Date().toISOString();
const statements = {
  pool: db.prepare(
    `insert into "pools" ("name", "project_id", "display_name", "workspace_id", "network_name", "phase", "message", "labels", "annotations", "spec", "scope_status", "created_at", "deleting_at", "due_at", "version") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning "id"`,
  ),
  event: db.prepare(
    `insert into "events" ("project_id", "resource_kind", "resource_name", "type", "reason", "message", "created_at") values (?, ?, ?, ?, ?, ?, ?)`,
  ),
  node: db.prepare(
    `insert into "nodes" ("pool_id", "project_id", "name", "node_pool", "flavor", "az", "network_key", "private_ip", "phase", "driver_phase", "labels", "annotations", "spec", "taints", "created_at", "deleting_at", "due_at", "version") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning "id", "name"`,
  ),
  count: db.prepare(
    `insert into "node_counts" ("pool_id", "node_pool", "flavor", "phase", "n") values (?, ?, ?, ?, ?) on conflict ("pool_id", "node_pool", "flavor", "phase") do update set "n" = node_counts.n + ?`,
  ),
  capacity: db.prepare(`insert into "pool_capacity" ("pool_id", "at", "capacity") values (?, ?, ?)`),
  update: db.prepare(
    `update "pools" set "phase" = ?, "scope_status" = ?, "due_at" = ?, "version" = ?, "lease_owner" = ?, "lease_expires_at" = ? where "id" = ? and "version" = ? returning "id"`,
  ),
  delete: db.prepare(`delete from "pools" where "id" = ? and "version" = ? returning "id"`),
  begin: db.prepare('begin immediate'),
  commit: db.prepare('commit'),
};
const junk = new Uint8Array(THRASH);
let sink = 0;
const spent = new Map<string, { ns: number; calls: number }>();
function time<T>(what: string, run: () => T): T {
  for (let i = 0; i < junk.length; i += 64) sink += junk[i]++;
  const start = process.hrtime.bigint();
  const value = run();
  const entry = spent.get(what) ?? { ns: 0, calls: 0 };
  entry.ns += Number(process.hrtime.bigint() - start);
  entry.calls += 1;
  spent.set(what, entry);
  return value;
}
const labels = JSON.stringify({
  'os.modelarts/name': 'bench',
  'os.modelarts/workspace.id': '0',
  'os.modelarts/tenant.project.id': P,
});
const spec =
  '{"type":"Dedicate","network":{"name":"bench-net"},"resources":[{"flavor":"modelarts.vm.cpu.8ud","count":1}]}';
const message =
  'Pool resources status changed, available/abnormal/creating/deleting count from 0/0/0/0 to 0/0/1/0, timestamp: 1796170355.';
const ids: number[] = [];
for (let i = 0; i < ROWS; i += GROUP) {
  statements.begin.run();
  for (let j = i; j < Math.min(ROWS, i + GROUP); j += 1) {
    const name = `bench-${j}-3ed06fb8c26fdf34e3037c695d4c8d37`;
    const row = time('pool insert', () =>
      statements.pool.get(
        name,
        P,
        `bench-${j}`,
        '0',
        'bench-net',
        'Creating',
        null,
        labels,
        '{}',
        spec,
        '[]',
        now(),
        null,
        now(),
        0,
      ),
    ) as { id: number };
    ids.push(row.id);
    for (let e = 0; e < 3; e += 1) {
      time('event insert', () =>
        statements.event.run(P, 'pools', name, 'Normal', 'PoolResourcesStatusChange', message, now()),
      );
    }
    time('node insert', () =>
      statements.node.all(
        row.id,
        P,
        `os-node-${j}`,
        'default',
        'modelarts.vm.cpu.8ud',
        'az-1',
        'network:bench-net',
        `192.168.${j >> 8}.${j & 255}`,
        'Creating',
        null,
        labels,
        '{}',
        '{"flavor":"modelarts.vm.cpu.8ud"}',
        '[]',
        now(),
        null,
        now(),
        0,
      ),
    );
    time('node-count upsert', () => statements.count.run(row.id, 'default', 'modelarts.vm.cpu.8ud', 'Creating', 1, 1));
    time('capacity insert', () => statements.capacity.run(row.id, now(), '{"cpu":7800,"memory":31130}'));
    time('pool update', () => statements.update.get('Running', '[]', null, 1, null, null, row.id, 0));
  }
  time('commit of 16 creations', () => statements.commit.run());
}
for (let i = 0; i < ROWS; i += GROUP) {
  statements.begin.run();
  for (let j = i; j < Math.min(ROWS, i + GROUP); j += 1)
    time('pool delete (cascade)', () => statements.delete.get(ids[j], 1));
  time('commit of 16 deletions', () => statements.commit.run());
}
db.close();
rmSync(dir, { recursive: true, force: true });
for (const [what, { ns, calls }] of spent)
  process.stdout.write(`${what.padEnd(24)} ${(ns / calls / 1000).toFixed(1).padStart(8)} µs\n`);
if (sink < 0) process.stdout.write('');
