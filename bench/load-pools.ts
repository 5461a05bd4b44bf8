/**
 * Fills a SQLite database with many pools quickly, bypassing the API: the
 * benchmark needs an installation of a million pools in seconds, not hours.
 * Rows are written exactly as the services write them (same columns, JSON and
 * counters), through the real migrations, so the server cannot tell the difference.
 */
import SQLite from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { POOL_PHASES, type PoolPhase } from '../src/pools/pool.lifecycle.js';

export interface LoadOptions {
  file: string;
  projects: number;
  poolsPerProject: number;
  /** Projects that must exist (the benchmark's own, granted to its credential). */
  firstProjectId?: string;
}

const SPEC = JSON.stringify({
  type: 'Dedicate',
  scope: ['Train'],
  resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 2, maxCount: 2 }],
  network: { name: 'net-bench' },
});

/**
 * A realistic mix: mostly running, some failed or degraded, a few in flight. No
 * pool waits (the built-in flavors have unlimited capacity), and in-flight pools
 * are due far in the future, so the engine idles as in a settled installation.
 */
function phaseOf(i: number): PoolPhase {
  const r = i % 20;
  if (r < 15) return 'Running';
  if (r < 16) return 'Creating';
  if (r < 17) return 'Deleting';
  if (r < 18) return 'CreationFailed';
  if (r < 19) return 'Abnormal';
  return 'ScalingFailed';
}

export async function loadPools(options: LoadOptions): Promise<{ pools: number; seconds: number }> {
  const started = Date.now();
  const database = openDatabase(`sqlite:${options.file}`);
  await migrateToLatest(database);
  await database.close();

  const db = new SQLite(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const now = new Date().toISOString();
  const later = new Date(Date.now() + 365 * 86_400_000).toISOString();
  const insertProject = db.prepare(
    'INSERT OR IGNORE INTO projects (id, name, account_id, pool_quota, network_quota, created_at) VALUES (?, ?, NULL, NULL, NULL, ?)',
  );
  const insertPool = db.prepare(
    `INSERT INTO pools (name, project_id, display_name, workspace_id, network_name, phase, message, labels, annotations,
       spec, available, scope_status, created_at, deleting_at, failed_at, due_at, version)
     VALUES (?, ?, ?, '0', NULL, ?, NULL, ?, '{}', ?, ?, '[]', ?, ?, ?, ?, 0)`,
  );
  const insertCount = db.prepare(
    `INSERT INTO usage_counts (project_id, kind, workspace_id, phase, shard, n) VALUES (?, 'pool', '0', ?, 0, ?)
     ON CONFLICT (project_id, kind, workspace_id, phase, shard) DO UPDATE SET n = n + excluded.n`,
  );
  const available = JSON.stringify({ 'modelarts.vm.cpu.8ud': 2 });
  let total = 0;
  const batch = db.transaction((from: number, to: number) => {
    for (let p = from; p < to; p += 1) {
      const projectId =
        p === 0 && options.firstProjectId ? options.firstProjectId : `bench${p.toString(16).padStart(27, '0')}`;
      insertProject.run(projectId, projectId, now);
      const counts = new Map<string, number>();
      for (let i = 0; i < options.poolsPerProject; i += 1) {
        const phase = phaseOf(total + i);
        const display = `pool-${i}`;
        insertPool.run(
          `${display}-${randomBytes(16).toString('hex')}`,
          projectId,
          display,
          phase,
          JSON.stringify({ 'os.modelarts/name': display, 'os.modelarts/workspace.id': '0' }),
          SPEC,
          phase === 'Running' ? available : '{}',
          now,
          phase === 'Deleting' ? now : null,
          phase === 'CreationFailed' ? now : null,
          phase === 'Creating' || phase === 'Deleting' || phase === 'CreationFailed' ? later : null,
        );
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, n] of counts) insertCount.run(projectId, phase, n);
      total += options.poolsPerProject;
    }
  });
  const step = Math.max(1, Math.floor(50_000 / options.poolsPerProject));
  for (let p = 0; p < options.projects; p += step) batch(p, Math.min(options.projects, p + step));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  void POOL_PHASES;
  return { pools: total, seconds: (Date.now() - started) / 1000 };
}
