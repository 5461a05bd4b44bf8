import { sql } from 'kysely';
import type { Database, Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { param, preparedByColumns, preparedRead, preparedStatement } from '../db/prepared-read.js';
import type { NewPoolRow, PoolRow, PoolUpdate } from '../db/schema.js';
import { FAILED_CAP } from './pool.lifecycle.js';

const poolInsert = preparedByColumns<PoolRow>((db, columns) =>
  db
    .insertInto('pools')
    .values(Object.fromEntries(columns.map((c) => [c, param(c)])) as NewPoolRow)
    .returningAll(),
);

export async function insertPool(tx: Executor, row: NewPoolRow): Promise<PoolRow> {
  const [inserted] = await poolInsert(tx, row);
  return inserted;
}

const poolByName = preparedStatement<{ name: string; projectId: string }, PoolRow>((db) =>
  db.selectFrom('pools').selectAll().where('name', '=', param('name')).where('project_id', '=', param('projectId')),
);

export async function findPool(tx: Executor, projectId: string, name: string): Promise<PoolRow | undefined> {
  const [row] = await poolByName(tx, { name, projectId });
  return row;
}

const poolByDisplayName = preparedStatement<{ projectId: string; displayName: string }, PoolRow>((db) =>
  db
    .selectFrom('pools')
    .selectAll()
    .where('project_id', '=', param('projectId'))
    .where('display_name', '=', param('displayName')),
);

export async function findPoolByDisplayName(
  tx: Executor,
  projectId: string,
  displayName: string,
): Promise<PoolRow | undefined> {
  const [row] = await poolByDisplayName(tx, { projectId, displayName });
  return row;
}

/** A project's pools in one workspace, newest first, limited to the given phases. */
export async function selectPools(
  tx: Executor,
  projectId: string,
  workspaceId: string,
  phases: readonly string[],
  options: { failedSince?: Date; limit?: number } = {},
): Promise<PoolRow[]> {
  let query = tx
    .selectFrom('pools')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('workspace_id', '=', workspaceId)
    .where('phase', 'in', phases)
    .orderBy('id', 'desc');
  if (options.failedSince) query = query.where('failed_at', '>=', toDbTime(options.failedSince));
  if (options.limit !== undefined) query = query.limit(options.limit);
  return query.execute();
}

// The newest FAILED_CAP failures, whatever their age: the answer does not depend
// on the time, so it can be reused (a cached read) while the window moves on.
// The cap is written into the statement: a bound LIMIT costs SQLite more than
// reading the few rows does.
const newestFailures = preparedRead<{ projectId: string; workspaceId: string }, { failed_at: string | null }>(
  (db) =>
    db
      .selectFrom('pools')
      .select('failed_at')
      .where('project_id', '=', param('projectId'))
      .where('workspace_id', '=', param('workspaceId'))
      .where('phase', '=', 'CreationFailed')
      .orderBy('failed_at', 'desc')
      .limit(sql.lit(FAILED_CAP)),
  { cached: true },
);

/**
 * Committed creation failures of a workspace since `since`, counted up to
 * FAILED_CAP: of the newest FAILED_CAP failures (an index range), those at or
 * after `since` — if all of those are that recent, there are at least the cap.
 */
export async function countRecentFailures(
  database: Database,
  projectId: string,
  workspaceId: string,
  since: Date,
): Promise<number> {
  const from = since.getTime();
  let n = 0;
  for (const row of await newestFailures(database, { projectId, workspaceId })) {
    if (row.failed_at !== null && fromDbTime(row.failed_at).getTime() >= from) n += 1;
  }
  return n;
}

/**
 * The conditional update every transition goes through (STYLE §5). It also
 * hands back any engine's lease on the row: the step the lease was for has
 * been done, or lost to this change, so the row is free for the next one.
 */
export async function updatePoolIf(
  tx: Executor,
  id: number,
  version: number,
  changes: PoolUpdate,
): Promise<PoolRow | undefined> {
  const [updated] = await poolUpdate(tx, {
    ...changes,
    version: version + 1,
    lease_owner: null,
    lease_expires_at: null,
    id,
    expected: version,
  });
  return updated;
}

// The columns are whatever the transition sets, plus the two of the condition.
const poolUpdate = preparedByColumns<PoolRow>((db, columns) =>
  db
    .updateTable('pools')
    .set(Object.fromEntries(columns.filter((c) => c !== 'id' && c !== 'expected').map((c) => [c, param(c)])))
    .where('id', '=', param<number>('id'))
    .where('version', '=', param<number>('expected'))
    .returningAll(),
);

const poolDelete = preparedStatement<{ id: number; version: number }, { id: number }>((db) =>
  db
    .deleteFrom('pools')
    .where('id', '=', param<number>('id'))
    .where('version', '=', param<number>('version'))
    .returning('id'),
);

/** Deletes the pool if it is still at `version`; what it holds goes with it (ON DELETE CASCADE). */
export async function deletePoolIf(tx: Executor, id: number, version: number): Promise<boolean> {
  return (await poolDelete(tx, { id, version })).length > 0;
}

export async function selectDuePools(tx: Executor, now: Date, limit: number): Promise<PoolRow[]> {
  return tx
    .selectFrom('pools')
    .selectAll()
    .where('due_at', '<=', toDbTime(now))
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Pools waiting for capacity, first come first served. */
export async function selectWaitingPools(tx: Executor): Promise<PoolRow[]> {
  return tx.selectFrom('pools').selectAll().where('phase', '=', 'Waiting').orderBy('id').execute();
}

export async function anyWaitingPool(tx: Executor): Promise<boolean> {
  const row = await tx.selectFrom('pools').select('id').where('phase', '=', 'Waiting').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Nodes of a flavor held by all pools of the installation. */
export async function sumHeldNodes(tx: Executor, flavor: string): Promise<number> {
  const row = await tx
    .selectFrom('pool_nodes')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('nodes'), sql<number>`0`).as('n'))
    .where('flavor', '=', flavor)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Replaces what a pool holds; an empty map releases everything. */
export async function setHeldNodes(tx: Executor, poolId: number, nodes: ReadonlyMap<string, number>): Promise<void> {
  await tx.deleteFrom('pool_nodes').where('pool_id', '=', poolId).execute();
  await addHeldNodes(tx, poolId, nodes);
}

const heldNodesInsert = preparedStatement<{ poolId: number; flavor: string; nodes: number }>((db) =>
  db
    .insertInto('pool_nodes')
    .values({ pool_id: param<number>('poolId'), flavor: param('flavor'), nodes: param<number>('nodes') }),
);

/** Records the nodes of a pool that holds none yet (a new one): a row per flavor, most pools have one. */
export async function addHeldNodes(tx: Executor, poolId: number, nodes: ReadonlyMap<string, number>): Promise<void> {
  for (const [flavor, n] of nodes) if (n > 0) await heldNodesInsert(tx, { poolId, flavor, nodes: n });
}

export async function selectHeldNodes(tx: Executor, poolId: number): Promise<Map<string, number>> {
  const rows = await tx.selectFrom('pool_nodes').select(['flavor', 'nodes']).where('pool_id', '=', poolId).execute();
  return new Map(rows.map((r) => [r.flavor, Number(r.nodes)]));
}
