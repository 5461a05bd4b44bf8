import { sql, type CompiledQuery } from 'kysely';
import type { Database, Executor } from '../db/database.js';
import { boundStatement, param, preparedRead, preparedStatement } from '../db/prepared-read.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';

export type CountedKind = 'pool' | 'network';

/**
 * The counter rows one resource moves between: its project's, of its kind, in
 * the shard its id falls in. Spreading a project's counts over shards lets
 * concurrent transactions on PostgreSQL (two replicas' requests and engine
 * steps) update different rows instead of queueing on one; every reader adds
 * the shards up, so nothing else knows they exist.
 */
export interface UsageCounter {
  projectId: string;
  kind: CountedKind;
  shard: number;
}

export function usageCounter(
  database: Pick<Database, 'usageShards'>,
  kind: CountedKind,
  resource: { id: number; projectId: string },
): UsageCounter {
  return { projectId: resource.projectId, kind, shard: resource.id % database.usageShards };
}

/**
 * Moves one resource between (workspace, phase) cells of its usage counter.
 * Called in the same transaction as the row change it mirrors.
 */
export async function moveUsage(
  tx: Executor,
  counter: UsageCounter,
  from: { workspaceId: string; phase: string } | null,
  to: { workspaceId: string; phase: string } | null,
): Promise<void> {
  if (from && to && from.workspaceId === to.workspaceId && from.phase === to.phase) return;
  // Always touch the counter rows in one order, so two writers moving pools in
  // opposite directions (Running→Abnormal, Abnormal→Running) cannot deadlock.
  const bumps = [...(from ? [{ ...from, delta: -1 }] : []), ...(to ? [{ ...to, delta: 1 }] : [])].sort((a, b) =>
    `${a.workspaceId}\u0000${a.phase}`.localeCompare(`${b.workspaceId}\u0000${b.phase}`),
  );
  if (bumps.length === 2) {
    // One statement for both cells, its rows in that order (a move is most of a lifecycle's writes).
    const [a, b] = bumps;
    await usagePairBump(tx, {
      ...counter,
      workspaceA: a.workspaceId,
      phaseA: a.phase,
      deltaA: a.delta,
      workspaceB: b.workspaceId,
      phaseB: b.phase,
      deltaB: b.delta,
    });
    return;
  }
  for (const bump of bumps) {
    await usageBump(tx, { ...counter, workspaceId: bump.workspaceId, phase: bump.phase, delta: bump.delta });
  }
}

const usagePairBump = preparedStatement<{
  projectId: string;
  kind: string;
  shard: number;
  workspaceA: string;
  phaseA: string;
  deltaA: number;
  workspaceB: string;
  phaseB: string;
  deltaB: number;
}>((db) =>
  db
    .insertInto('usage_counts')
    .values(
      (['A', 'B'] as const).map((cell) => ({
        project_id: param('projectId'),
        kind: param<CountedKind>('kind'),
        workspace_id: param(`workspace${cell}`),
        phase: param(`phase${cell}`),
        shard: param<number>('shard'),
        n: param<number>(`delta${cell}`),
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'kind', 'workspace_id', 'phase', 'shard'])
        .doUpdateSet({ n: sql`usage_counts.n + excluded.n` }),
    ),
);

const usageBump = preparedStatement<{
  projectId: string;
  kind: string;
  shard: number;
  workspaceId: string;
  phase: string;
  delta: number;
}>((db) =>
  db
    .insertInto('usage_counts')
    .values({
      project_id: param('projectId'),
      kind: param<CountedKind>('kind'),
      workspace_id: param('workspaceId'),
      phase: param('phase'),
      shard: param<number>('shard'),
      n: param<number>('delta'),
    })
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'kind', 'workspace_id', 'phase', 'shard'])
        .doUpdateSet({ n: sql`usage_counts.n + ${param<number>('delta')}` }),
    ),
);

const usageInTransaction = preparedStatement<{ projectId: string; kind: string }, { phase: string; n: number }>((db) =>
  db
    .selectFrom('usage_counts')
    .select(['phase', 'n'])
    .where('project_id', '=', param('projectId'))
    .where('kind', '=', param<CountedKind>('kind')),
);

/** Counts per phase for one project, as the transaction sees them (the quota check). */
export async function countUsageByPhase(
  tx: Executor,
  projectId: string,
  kind: CountedKind,
): Promise<Map<string, number>> {
  return sumByPhase(await usageInTransaction(tx, { projectId, kind }));
}

function sumByPhase(rows: readonly { phase: string; n: number }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.phase, (counts.get(row.phase) ?? 0) + Number(row.n));
  return counts;
}

const usageOfProject = preparedRead<{ projectId: string }, { kind: string; phase: string; n: number }>(
  (db) => db.selectFrom('usage_counts').select(['kind', 'phase', 'n']).where('project_id', '=', param('projectId')),
  { cached: true },
);

const usageOfWorkspace = preparedRead<
  { projectId: string; kind: string; workspaceId: string },
  { phase: string; n: number }
>(
  (db) =>
    db
      .selectFrom('usage_counts')
      .select(['phase', 'n'])
      .where('project_id', '=', param('projectId'))
      .where('kind', '=', param<CountedKind>('kind'))
      .where('workspace_id', '=', param('workspaceId')),
  { cached: true },
);

/**
 * What a reused read's rows sum to, summed once: a reused read hands out the same rows (never
 * changed) until it is read again, and the polling reads would otherwise build the same maps anew.
 */
function summedOnce<R extends object, T>(sums: WeakMap<R, T>, sum: (rows: R) => T): (rows: R) => T {
  return (rows) => {
    let summed = sums.get(rows);
    if (summed === undefined) sums.set(rows, (summed = sum(rows)));
    return summed;
  };
}

type UsageRows = readonly { kind: string; phase: string; n: number }[];

const usageByKind = summedOnce(new WeakMap<UsageRows, ReadonlyMap<string, ReadonlyMap<string, number>>>(), (rows) => {
  const byKind = new Map<string, Map<string, number>>();
  for (const row of rows) {
    let phases = byKind.get(row.kind);
    if (!phases) byKind.set(row.kind, (phases = new Map()));
    phases.set(row.phase, (phases.get(row.phase) ?? 0) + Number(row.n));
  }
  return byKind;
});

const workspaceUsage = summedOnce(
  new WeakMap<readonly { phase: string; n: number }[], ReadonlyMap<string, number>>(),
  sumByPhase,
);

/**
 * Committed counts per kind and phase for one project, in one indexed read (the quotas path);
 * at once when the read is reused. Shared between callers: never change it.
 */
export function readUsage(
  database: Database,
  projectId: string,
): MaybeSync<ReadonlyMap<string, ReadonlyMap<string, number>>> {
  return andThen(usageOfProject(database, { projectId }), usageByKind);
}

/** Committed counts per phase in one workspace of a project (the statistics path); at once when reused. */
export function readWorkspaceUsage(
  database: Database,
  projectId: string,
  kind: CountedKind,
  workspaceId: string,
): MaybeSync<ReadonlyMap<string, number>> {
  return andThen(usageOfWorkspace(database, { projectId, kind, workspaceId }), workspaceUsage);
}

/**
 * Resources per phase over the whole installation, from the usage counters (a
 * few rows per project), never from the pools or networks themselves.
 */
export async function sumUsageByPhase(tx: Executor, kind: CountedKind): Promise<Map<string, number>> {
  const rows = await tx
    .selectFrom('usage_counts')
    .select((eb) => ['phase', eb.fn.sum<number | string | bigint>('n').as('n')])
    .where('kind', '=', kind)
    .groupBy('phase')
    .execute();
  return new Map(rows.map((row) => [row.phase, Number(row.n)]));
}

/**
 * The statement that takes one pool of a project's quota counter (migration 0013)
 * if it stays within the limit: the project's override, else `defaultLimit`, read
 * in the same statement. One conditional write of one row, which returns the row
 * when the quota was taken and none when it is exhausted. The row is held to the
 * commit: concurrent creates of one project queue on it (on PostgreSQL, across
 * replicas), and its lock orders them, so the count is exact. Run as the
 * transaction's last statement (Database.endWith), so the row is held for as
 * little as can be.
 */
export function poolQuotaTakeStatement(tx: Executor, projectId: string, defaultLimit: number): CompiledQuery {
  return poolQuotaTake(tx, { projectId, defaultLimit });
}

const poolQuotaLimit = () =>
  sql<number>`coalesce((select pool_quota from projects where id = ${param('projectId')}), ${param<number>('defaultLimit')})`;

const poolQuotaTake = boundStatement<{ projectId: string; defaultLimit: number }, { used: number }>((db) =>
  db
    .insertInto('quota_counts')
    .columns(['project_id', 'kind', 'used'])
    .expression(
      db
        .selectNoFrom([
          sql<string>`${param('projectId')}`.as('project_id'),
          sql<string>`${'pool'}`.as('kind'),
          sql<number>`1`.as('used'),
        ])
        .where(sql<boolean>`${poolQuotaLimit()} > 0`),
    )
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'kind'])
        .doUpdateSet({ used: sql`quota_counts.used + 1` })
        .where(sql<boolean>`quota_counts.used < ${poolQuotaLimit()}`),
    )
    .returning('used'),
);
/** Moves a project's quota counter by `delta` (a counted resource changed phase or went). */
export async function moveQuotaCount(tx: Executor, projectId: string, kind: CountedKind, delta: number): Promise<void> {
  await quotaMove(tx, { projectId, kind, delta });
}

const quotaMove = preparedStatement<{ projectId: string; kind: string; delta: number }>((db) =>
  db
    .insertInto('quota_counts')
    .values({ project_id: param('projectId'), kind: param('kind'), used: param<number>('delta') })
    .onConflict((oc) =>
      oc.columns(['project_id', 'kind']).doUpdateSet({ used: sql`quota_counts.used + ${param<number>('delta')}` }),
    ),
);

/** The quota counter of a project, as the transaction sees it (tests and checks). */
export async function readQuotaCount(tx: Executor, projectId: string, kind: CountedKind): Promise<number> {
  const row = await tx
    .selectFrom('quota_counts')
    .select('used')
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(row?.used ?? 0);
}
