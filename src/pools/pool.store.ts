import { sql } from 'kysely';
import type { Database, Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { param, preparedRead, preparedStatement } from '../db/prepared-read.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';
import {
  afterUpdate,
  deleteIfVersion,
  dueWork,
  findByName,
  insertReturningId,
  selectDue,
  toDbTimeOrNull,
  updateIfVersion,
} from '../db/resource-store.js';
import type { PoolRow, PoolUpdate } from '../db/schema.js';
import { FAILED_CAP, type PoolPhase } from './pool.lifecycle.js';
import type { NewPool, PoolChanges, PoolRecord } from './pool.record.js';

/** The one place a pool row becomes a record (STYLE §4). */
export function toPoolRecord(row: PoolRow): PoolRecord {
  return {
    id: Number(row.id),
    name: row.name,
    projectId: row.project_id,
    displayName: row.display_name,
    workspaceId: row.workspace_id,
    networkName: row.network_name,
    phase: row.phase as PoolPhase,
    message: row.message,
    labels: JSON.parse(row.labels) as PoolRecord['labels'],
    annotations: JSON.parse(row.annotations) as PoolRecord['annotations'],
    spec: JSON.parse(row.spec) as PoolRecord['spec'],
    scope: JSON.parse(row.scope_status) as PoolRecord['scope'],
    createdAt: fromDbTime(row.created_at),
    deletingAt: fromDbTime(row.deleting_at),
    failedAt: fromDbTime(row.failed_at),
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

/** …and the one place a change becomes columns: only the fields given are written. */
function toPoolUpdate(changes: PoolChanges): PoolUpdate {
  const update: PoolUpdate = {};
  if (changes.workspaceId !== undefined) update.workspace_id = changes.workspaceId;
  if (changes.networkName !== undefined) update.network_name = changes.networkName;
  if (changes.phase !== undefined) update.phase = changes.phase;
  if (changes.message !== undefined) update.message = changes.message;
  if (changes.labels !== undefined) update.labels = JSON.stringify(changes.labels);
  if (changes.annotations !== undefined) update.annotations = JSON.stringify(changes.annotations);
  if (changes.spec !== undefined) update.spec = JSON.stringify(changes.spec);
  if (changes.scope !== undefined) update.scope_status = JSON.stringify(changes.scope);
  if (changes.deletingAt !== undefined) update.deleting_at = toDbTimeOrNull(changes.deletingAt);
  if (changes.failedAt !== undefined) update.failed_at = toDbTimeOrNull(changes.failedAt);
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

const poolInsert = insertReturningId('pools');

/** Inserts a new pool at version 0 and returns it as stored. */
export async function insertPool(tx: Executor, pool: NewPool): Promise<PoolRecord> {
  const id = await poolInsert(tx, {
    name: pool.name,
    project_id: pool.projectId,
    display_name: pool.displayName,
    workspace_id: pool.workspaceId,
    network_name: pool.networkName,
    phase: pool.phase,
    message: pool.message,
    labels: JSON.stringify(pool.labels),
    annotations: JSON.stringify(pool.annotations),
    spec: JSON.stringify(pool.spec),
    scope_status: JSON.stringify(pool.scope),
    created_at: toDbTime(pool.createdAt),
    deleting_at: toDbTimeOrNull(pool.deletingAt),
    failed_at: toDbTimeOrNull(pool.failedAt),
    due_at: toDbTimeOrNull(pool.dueAt),
    version: 0,
  });
  return { ...pool, id, version: 0 };
}

const poolByName = findByName('pools');

export async function findPool(tx: Executor, projectId: string, name: string): Promise<PoolRecord | undefined> {
  const row = await poolByName(tx, projectId, name);
  return row && toPoolRecord(row);
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
): Promise<PoolRecord | undefined> {
  const [row] = await poolByDisplayName(tx, { projectId, displayName });
  return row && toPoolRecord(row);
}

/** The pool as it stands, its row locked for the rest of the transaction (node steps and pool steps take turns). */
export async function lockPoolById(database: Database, tx: Executor, id: number): Promise<PoolRecord | undefined> {
  let locked = poolByIdLocked.get(database);
  if (!locked) {
    locked = preparedStatement<{ id: number }, PoolRow>((db) =>
      database.forUpdate(db.selectFrom('pools').selectAll().where('id', '=', param<number>('id'))),
    );
    poolByIdLocked.set(database, locked);
  }
  const [row] = await locked(tx, { id });
  return row && toPoolRecord(row);
}

// Per database: the lock clause is its dialect's (none on SQLite, FOR UPDATE on PostgreSQL).
const poolByIdLocked = new WeakMap<Database, (tx: Executor, values: { id: number }) => Promise<PoolRow[]>>();

const poolById = preparedStatement<{ id: number }, PoolRow>((db) =>
  db.selectFrom('pools').selectAll().where('id', '=', param<number>('id')),
);

export async function findPoolById(tx: Executor, id: number): Promise<PoolRecord | undefined> {
  const [row] = await poolById(tx, { id });
  return row && toPoolRecord(row);
}

/** The projects these pools belong to (of those that still exist). */
export async function selectProjectsOfPools(tx: Executor, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx.selectFrom('pools').select('project_id').where('id', 'in', ids).execute();
  return rows.map((r) => r.project_id);
}

/** A project's pools in one workspace, newest first, limited to the given phases. */
export async function selectPools(
  tx: Executor,
  projectId: string,
  workspaceId: string,
  phases: readonly PoolPhase[],
  options: { failedSince?: Date; limit?: number } = {},
): Promise<PoolRecord[]> {
  let query = tx
    .selectFrom('pools')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('workspace_id', '=', workspaceId)
    .where('phase', 'in', phases)
    .orderBy('id', 'desc');
  if (options.failedSince) query = query.where('failed_at', '>=', toDbTime(options.failedSince));
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map(toPoolRecord);
}

/** A project's pools (all of them, or all but those in `except`), in creation order: what an export reads. */
export async function selectProjectPools(
  tx: Executor,
  projectId: string,
  except: readonly PoolPhase[],
): Promise<PoolRecord[]> {
  let query = tx.selectFrom('pools').selectAll().where('project_id', '=', projectId).orderBy('id');
  if (except.length > 0) query = query.where('phase', 'not in', except);
  return (await query.execute()).map(toPoolRecord);
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

/** The failure times of a reused read of newestFailures, in ms (NaN for none), taken once per read. */
const failureTimes = new WeakMap<object, Float64Array>();

/**
 * Committed creation failures of a workspace since `since` (ms), counted up to
 * FAILED_CAP: of the newest FAILED_CAP failures (an index range), those at or
 * after `since` — if all of those are that recent, there are at least the cap.
 * At once when the read is reused.
 */
export function countRecentFailures(
  database: Database,
  projectId: string,
  workspaceId: string,
  since: number,
): MaybeSync<number> {
  return andThen(newestFailures(database, { projectId, workspaceId }), (rows) => {
    // A reused read hands out the same rows each time: their times are parsed once.
    let times = failureTimes.get(rows);
    if (times === undefined) {
      times = Float64Array.from(rows, (row) =>
        row.failed_at === null ? Number.NaN : fromDbTime(row.failed_at).getTime(),
      );
      failureTimes.set(rows, times);
    }
    let n = 0;
    for (const at of times) if (at >= since) n += 1;
    return n;
  });
}

const poolUpdate = updateIfVersion('pools');

/**
 * Applies `changes` if the pool is still at the version the caller read, and
 * returns it as it now stands (the record read plus the changes: the condition
 * guarantees nothing else moved it); undefined when another writer came first.
 */
export async function updatePoolIf(
  tx: Executor,
  pool: PoolRecord,
  changes: PoolChanges,
): Promise<PoolRecord | undefined> {
  if (!(await poolUpdate(tx, pool.id, pool.version, toPoolUpdate(changes)))) return undefined;
  return afterUpdate<PoolRecord>(pool, changes);
}

const poolDelete = deleteIfVersion('pools');

/** Deletes the pool if it is still at its version; what it holds goes with it (ON DELETE CASCADE). */
export async function deletePoolIf(tx: Executor, pool: PoolRecord): Promise<boolean> {
  return poolDelete(tx, pool.id, pool.version);
}

const duePools = selectDue('pools');

export async function selectDuePools(tx: Executor, now: Date, limit: number): Promise<PoolRecord[]> {
  return (await duePools(tx, now, limit)).map(toPoolRecord);
}

export const selectPoolDueWork = dueWork('pools');

/**
 * Makes the pending steps of the matching pools due at `now` and returns the
 * pools (the emulator's advance). Failure records are not steps: their expiry
 * is retention, which only the clock moves.
 */
export async function makePoolsDue(
  tx: Executor,
  now: Date,
  filter: { projectId?: string; name?: string },
): Promise<PoolRecord[]> {
  let query = tx
    .updateTable('pools')
    .set({ due_at: toDbTime(now) })
    .where('due_at', 'is not', null)
    .where('phase', '!=', 'CreationFailed');
  if (filter.projectId) query = query.where('project_id', '=', filter.projectId);
  const { name } = filter;
  if (name) query = query.where((eb) => eb.or([eb('name', '=', name), eb('display_name', '=', name)]));
  return (await query.returningAll().execute()).map(toPoolRecord);
}

/** Every pool matching the filter (the emulator's advance also makes their nodes' steps due). */
export async function selectPoolsMatching(
  tx: Executor,
  filter: { projectId?: string; name?: string },
): Promise<PoolRecord[]> {
  let query = tx.selectFrom('pools').selectAll();
  if (filter.projectId) query = query.where('project_id', '=', filter.projectId);
  const { name } = filter;
  if (name) query = query.where((eb) => eb.or([eb('name', '=', name), eb('display_name', '=', name)]));
  return (await query.execute()).map(toPoolRecord);
}

/** Running pools with no step pending, oldest first (optionally of one project): what an abnormal fault may hit. */
export async function selectSettledRunningPools(tx: Executor, projectId: string | null): Promise<PoolRecord[]> {
  let query = tx
    .selectFrom('pools')
    .selectAll()
    .where('phase', '=', 'Running')
    .where('due_at', 'is', null)
    .orderBy('id');
  if (projectId !== null) query = query.where('project_id', '=', projectId);
  return (await query.execute()).map(toPoolRecord);
}

/** A project's (or every) pool in one of `phases`, oldest first: what a node fault applies to. */
export async function selectPoolsInPhases(
  tx: Executor,
  projectId: string | null,
  phases: readonly PoolPhase[],
): Promise<PoolRecord[]> {
  let query = tx
    .selectFrom('pools')
    .selectAll()
    .where('phase', 'in', [...phases])
    .orderBy('id');
  if (projectId !== null) query = query.where('project_id', '=', projectId);
  return (await query.execute()).map(toPoolRecord);
}

/** Pools waiting for capacity, first come first served. */
export async function selectWaitingPools(tx: Executor): Promise<PoolRecord[]> {
  return (await tx.selectFrom('pools').selectAll().where('phase', '=', 'Waiting').orderBy('id').execute()).map(
    toPoolRecord,
  );
}

export async function anyWaitingPool(tx: Executor): Promise<boolean> {
  const row = await tx.selectFrom('pools').select('id').where('phase', '=', 'Waiting').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** A pool (any phase, until gone) of the project that uses the network, if there is one. */
export async function findPoolUsingNetwork(
  tx: Executor,
  projectId: string,
  networkName: string,
): Promise<string | undefined> {
  const row = await tx
    .selectFrom('pools')
    .select('name')
    .where('project_id', '=', projectId)
    .where('network_name', '=', networkName)
    .limit(1)
    .executeTakeFirst();
  return row?.name;
}
