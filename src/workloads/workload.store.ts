import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { toDbTimeOrNull } from '../db/resource-store.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import type { WorkloadRow, WorkloadRunRow, WorkloadUpdate } from '../db/schema.js';
import type { WorkloadOutcome, WorkloadStatus, WorkloadType } from './workload.lifecycle.js';
import type {
  Amounts,
  CapacitySample,
  NewWorkload,
  WorkloadChanges,
  WorkloadRecord,
  WorkloadRun,
} from './workload.record.js';

/** The one place a workload row becomes a record (STYLE §4). */
export function toWorkloadRecord(row: WorkloadRow): WorkloadRecord {
  return {
    id: Number(row.id),
    projectId: row.project_id,
    poolId: Number(row.pool_id),
    poolName: row.pool_name,
    type: row.type as WorkloadType,
    jobName: row.job_name,
    jobUuid: row.job_uuid,
    uid: row.uid,
    flavor: row.flavor,
    priority: row.priority,
    userName: row.user_name,
    requests: JSON.parse(row.requests) as Amounts,
    durationSeconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    outcome: row.outcome as WorkloadOutcome,
    status: row.status as WorkloadStatus,
    nodeName: row.node_name,
    hostIp: row.host_ip,
    createdAt: fromDbTime(row.created_at),
    startedAt: fromDbTime(row.started_at),
    endedAt: fromDbTime(row.ended_at),
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

function toWorkloadUpdate(changes: WorkloadChanges): WorkloadUpdate {
  const update: WorkloadUpdate = {};
  if (changes.status !== undefined) update.status = changes.status;
  if (changes.nodeName !== undefined) update.node_name = changes.nodeName;
  if (changes.hostIp !== undefined) update.host_ip = changes.hostIp;
  if (changes.startedAt !== undefined) update.started_at = toDbTimeOrNull(changes.startedAt);
  if (changes.endedAt !== undefined) update.ended_at = toDbTimeOrNull(changes.endedAt);
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

export async function insertWorkload(tx: Executor, w: NewWorkload): Promise<WorkloadRecord> {
  const row = await tx
    .insertInto('workloads')
    .values({
      project_id: w.projectId,
      pool_id: w.poolId,
      pool_name: w.poolName,
      type: w.type,
      job_name: w.jobName,
      job_uuid: w.jobUuid,
      uid: w.uid,
      flavor: w.flavor,
      priority: w.priority,
      user_name: w.userName,
      requests: JSON.stringify(w.requests),
      duration_seconds: w.durationSeconds,
      outcome: w.outcome,
      status: w.status,
      node_name: w.nodeName,
      host_ip: w.hostIp,
      created_at: toDbTime(w.createdAt),
      started_at: toDbTimeOrNull(w.startedAt),
      ended_at: toDbTimeOrNull(w.endedAt),
      due_at: toDbTimeOrNull(w.dueAt),
      version: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...w, id: Number(row.id), version: 0 };
}

/**
 * Applies `changes` if the workload is still at the version read, handing back
 * any lease; undefined when another writer came first.
 */
export async function updateWorkloadIf(
  tx: Executor,
  w: WorkloadRecord,
  changes: WorkloadChanges,
): Promise<WorkloadRecord | undefined> {
  const result = await tx
    .updateTable('workloads')
    .set({ ...toWorkloadUpdate(changes), version: w.version + 1, lease_owner: null, lease_expires_at: null })
    .where('id', '=', w.id)
    .where('version', '=', w.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return { ...w, ...changes, version: w.version + 1 };
}

/** The workloads of a pool in the statuses given (all when none), oldest first. */
export async function selectPoolWorkloads(
  tx: Executor,
  poolId: number,
  statuses?: readonly WorkloadStatus[],
): Promise<WorkloadRecord[]> {
  let query = tx.selectFrom('workloads').selectAll().where('pool_id', '=', poolId);
  if (statuses) query = query.where('status', 'in', [...statuses]);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(toWorkloadRecord);
}

/** Running workloads of several pools (runtime metrics). */
export async function selectRunningInPools(tx: Executor, poolIds: readonly number[]): Promise<WorkloadRecord[]> {
  if (poolIds.length === 0) return [];
  const rows = await tx
    .selectFrom('workloads')
    .selectAll()
    .where('pool_id', 'in', [...poolIds])
    .where('status', '=', 'Running')
    .execute();
  return rows.map(toWorkloadRecord);
}

/** Running workloads on the named nodes of a pool. */
export async function selectRunningOnNodes(
  tx: Executor,
  poolId: number,
  nodeNames: readonly string[],
): Promise<WorkloadRecord[]> {
  if (nodeNames.length === 0) return [];
  const rows = await tx
    .selectFrom('workloads')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('status', '=', 'Running')
    .where('node_name', 'in', [...nodeNames])
    .execute();
  return rows.map(toWorkloadRecord);
}

/** The pools with a workload due at `now`, earliest due first. */
export async function selectDuePoolIds(tx: Executor, now: Date, limit: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('workloads')
    .select('pool_id')
    .where('due_at', '<=', toDbTime(now))
    .orderBy('due_at')
    .limit(limit)
    .execute();
  return [...new Set(rows.map((r) => Number(r.pool_id)))];
}

const pendingDue = preparedStatement<{ poolId: number; at: string }>((db) =>
  db
    .updateTable('workloads')
    .set({ due_at: param('at'), version: sql<number>`version + 1` })
    .where('pool_id', '=', param<number>('poolId'))
    .where('status', '=', 'Pending'),
);

/** Makes the pool's waiting workloads due at `at` (room may have come). */
export async function makePendingDue(tx: Executor, poolId: number, at: Date): Promise<void> {
  await pendingDue(tx, { poolId, at: toDbTime(at) });
}

// --- runs --------------------------------------------------------------------

function toRun(row: WorkloadRunRow): WorkloadRun {
  return {
    workloadId: Number(row.workload_id),
    nodeName: row.node_name,
    requests: JSON.parse(row.requests) as Amounts,
    startedAt: fromDbTime(row.started_at),
    endedAt: fromDbTime(row.ended_at),
  };
}

export async function insertRun(tx: Executor, poolId: number, run: WorkloadRun): Promise<void> {
  await tx
    .insertInto('workload_runs')
    .values({
      workload_id: run.workloadId,
      pool_id: poolId,
      node_name: run.nodeName,
      requests: JSON.stringify(run.requests),
      started_at: toDbTime(run.startedAt),
      ended_at: toDbTimeOrNull(run.endedAt),
    })
    .execute();
}

/** Ends the open run of a workload at `at`. */
export async function endRun(tx: Executor, workloadId: number, at: Date): Promise<void> {
  await tx
    .updateTable('workload_runs')
    .set({ ended_at: toDbTime(at) })
    .where('workload_id', '=', workloadId)
    .where('ended_at', 'is', null)
    .execute();
}

/** The runs of a pool that overlap [from, to]. */
export async function selectRuns(tx: Executor, poolId: number, from: Date, to: Date): Promise<WorkloadRun[]> {
  const rows = await tx
    .selectFrom('workload_runs')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('started_at', '<=', toDbTime(to))
    .where((w) => w.or([w('ended_at', 'is', null), w('ended_at', '>', toDbTime(from))]))
    .orderBy('started_at')
    .orderBy('id')
    .execute();
  return rows.map(toRun);
}

// --- capacity ----------------------------------------------------------------

const capacityInsert = preparedStatement<{ poolId: number; at: string; capacity: string }>((db) =>
  db
    .insertInto('pool_capacity')
    .values({ pool_id: param<number>('poolId'), at: param<string>('at'), capacity: param<string>('capacity') }),
);

export async function insertCapacity(tx: Executor, poolId: number, sample: CapacitySample): Promise<void> {
  await capacityInsert(tx, { poolId, at: toDbTime(sample.at), capacity: JSON.stringify(sample.capacity) });
}

const toSample = (row: { at: string | Date; capacity: string }): CapacitySample => ({
  at: fromDbTime(row.at),
  capacity: JSON.parse(row.capacity) as Amounts,
});

const capacityAsOf = preparedStatement<{ poolId: number; at: string }, { at: string; capacity: string }>((db) =>
  db
    .selectFrom('pool_capacity')
    .select(['at', 'capacity'])
    .where('pool_id', '=', param<number>('poolId'))
    .where('at', '<=', param('at'))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(sql.lit(1)),
);

/** The pool's capacity as it stood at `at`: the last change at or before it (selectCapacity(at, at)). */
export async function lastCapacity(tx: Executor, poolId: number, at: Date): Promise<CapacitySample | undefined> {
  const [row] = await capacityAsOf(tx, { poolId, at: toDbTime(at) });
  return row && toSample(row);
}

/** The capacity changes of a pool in [from, to], led by the last one before `from` (the state at `from`). */
export async function selectCapacity(tx: Executor, poolId: number, from: Date, to: Date): Promise<CapacitySample[]> {
  const before = await tx
    .selectFrom('pool_capacity')
    .select(['at', 'capacity'])
    .where('pool_id', '=', poolId)
    .where('at', '<=', toDbTime(from))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .execute();
  const within = await tx
    .selectFrom('pool_capacity')
    .select(['at', 'capacity'])
    .where('pool_id', '=', poolId)
    .where('at', '>', toDbTime(from))
    .where('at', '<=', toDbTime(to))
    .orderBy('at')
    .orderBy('id')
    .execute();
  return [...before, ...within].map(toSample);
}
