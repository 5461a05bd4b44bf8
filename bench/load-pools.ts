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
  /**
   * Nodes per pool (default none): rows in `nodes` and their `node_counts`, in the phase the
   * pool's phase gives them (none for a pool whose creation failed).
   */
  nodesPerPool?: number;
  /** Nodes of the first project's first pool, instead of nodesPerPool (a page of ListPoolNodes). */
  firstPoolNodes?: number;
}

/** The phase of the nodes of a pool in each phase, as the node step leaves them. */
const NODE_PHASE_OF: Partial<Record<PoolPhase, string>> = {
  Running: 'Available',
  ScalingFailed: 'Available',
  Abnormal: 'Abnormal',
  Creating: 'Creating',
  Deleting: 'Deleting',
};
const FLAVOR = 'modelarts.vm.cpu.8ud';
const NODE_POOL = 'modelarts-vm-cpu-8ud-default';

const specOf = (count: number) =>
  JSON.stringify({
    type: 'Dedicate',
    scope: ['Train'],
    resources: [{ flavor: FLAVOR, count, maxCount: count }],
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

export async function loadPools(
  options: LoadOptions,
): Promise<{ pools: number; nodes: number; firstPool: string; seconds: number }> {
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
       spec, scope_status, created_at, deleting_at, failed_at, due_at, version)
     VALUES (?, ?, ?, '0', NULL, ?, NULL, ?, '{}', ?, '[]', ?, ?, ?, ?, 0)`,
  );
  const insertCount = db.prepare(
    `INSERT INTO usage_counts (project_id, kind, workspace_id, phase, shard, n) VALUES (?, 'pool', '0', ?, 0, ?)
     ON CONFLICT (project_id, kind, workspace_id, phase, shard) DO UPDATE SET n = n + excluded.n`,
  );
  // The quota counter (migration 0013): every pool but a failure record counts.
  const insertQuotaCount = db.prepare(`INSERT INTO quota_counts (project_id, kind, used) VALUES (?, 'pool', ?)`);
  const insertNode = db.prepare(
    `INSERT INTO nodes (pool_id, project_id, name, node_pool, flavor, az, network_key, private_ip, phase, driver_phase,
       labels, annotations, spec, taints, created_at, deleting_at, due_at, version)
     VALUES (?, ?, ?, '${NODE_POOL}', '${FLAVOR}', 'az-1', ?, ?, ?, NULL, ?, '{"os.modelarts/billing.mode":"0"}',
       '{"flavor":"${FLAVOR}"}', '[]', ?, ?, ?, 0)`,
  );
  const insertNodeCount = db.prepare(
    `INSERT INTO node_counts (pool_id, node_pool, flavor, phase, n) VALUES (?, '${NODE_POOL}', '${FLAVOR}', ?, ?)`,
  );
  const poolNodes = (projectIndex: number, poolIndex: number) =>
    projectIndex === 0 && poolIndex === 0 && options.firstPoolNodes !== undefined
      ? options.firstPoolNodes
      : (options.nodesPerPool ?? 0);
  let total = 0;
  let nodes = 0;
  let firstPool = '';
  const addNodes = (poolId: number | bigint, poolName: string, projectId: string, phase: PoolPhase, count: number) => {
    const nodePhase = NODE_PHASE_OF[phase];
    if (nodePhase === undefined || count === 0) return;
    for (let n = 0; n < count; n += 1) {
      const name = `os-node-created-${randomBytes(4).toString('hex')}${n}`;
      const labels = JSON.stringify({
        'os.modelarts.node/nodepool': `np-${poolName.slice(-12)}`,
        'os.modelarts.node/nodepoolname': NODE_POOL,
        'os.modelarts/resource.id': `maos-node-${n}`,
        'os.modelarts.node/cluster': poolName,
        'os.modelarts/tenant.project.id': projectId,
      });
      const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const due = nodePhase === 'Creating' || nodePhase === 'Deleting' ? later : null;
      insertNode.run(
        poolId,
        projectId,
        name,
        `pool:${poolName}`,
        ip,
        nodePhase,
        labels,
        now,
        nodePhase === 'Deleting' ? now : null,
        due,
      );
    }
    insertNodeCount.run(poolId, nodePhase, count);
    nodes += count;
  };
  const batch = db.transaction((from: number, to: number) => {
    for (let p = from; p < to; p += 1) {
      const projectId =
        p === 0 && options.firstProjectId ? options.firstProjectId : `bench${p.toString(16).padStart(27, '0')}`;
      insertProject.run(projectId, projectId, now);
      const counts = new Map<string, number>();
      for (let i = 0; i < options.poolsPerProject; i += 1) {
        const phase = phaseOf(total + i);
        const display = `pool-${i}`;
        const count = poolNodes(p, i);
        const name = `${display}-${randomBytes(16).toString('hex')}`;
        if (p === 0 && i === 0) firstPool = name;
        const inserted = insertPool.run(
          name,
          projectId,
          display,
          phase,
          JSON.stringify({ 'os.modelarts/name': display, 'os.modelarts/workspace.id': '0' }),
          specOf(count || 2),
          now,
          phase === 'Deleting' ? now : null,
          phase === 'CreationFailed' ? now : null,
          phase === 'Creating' || phase === 'Deleting' || phase === 'CreationFailed' ? later : null,
        );
        addNodes(inserted.lastInsertRowid, name, projectId, phase, count);
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, n] of counts) insertCount.run(projectId, phase, n);
      insertQuotaCount.run(projectId, options.poolsPerProject - (counts.get('CreationFailed') ?? 0));
      total += options.poolsPerProject;
    }
  });
  const step = Math.max(1, Math.floor(50_000 / (options.poolsPerProject * Math.max(1, options.nodesPerPool ?? 1))));
  for (let p = 0; p < options.projects; p += step) batch(p, Math.min(options.projects, p + step));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  void POOL_PHASES;
  return { pools: total, nodes, firstPool, seconds: (Date.now() - started) / 1000 };
}
