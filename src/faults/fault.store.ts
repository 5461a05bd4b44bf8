import type { Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import type { FaultRow } from '../db/schema.js';

/** What a fault makes fail (docs/emulator.md, "Faults"). */
export const FAULT_OPERATIONS = [
  'create',
  'scale',
  'delete',
  'abnormal',
  'nodeCreate',
  'nodeAbnormal',
  'driverAbnormal',
  'plugin',
  'scope',
  'nodeReboot',
] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export interface NewFault {
  operation: FaultOperation;
  projectId: string | null;
  namePattern: string | null;
  flavor: string | null;
  count: number;
  reason: string;
  recoverAfterSeconds: number | null;
  at: Date;
}

/** A registered fault as the store hands it out. */
export interface FaultRecord {
  id: number;
  operation: FaultOperation;
  projectId: string | null;
  /** A glob (`*`, `?`) over the pool's display name or metadata.name. */
  namePattern: string | null;
  flavor: string | null;
  remaining: number;
  triggered: number;
  reason: string;
  recoverAfterSeconds: number | null;
  createdAt: Date;
}

function toFaultRecord(row: FaultRow): FaultRecord {
  return {
    id: Number(row.id),
    operation: row.operation as FaultOperation,
    projectId: row.project_id,
    namePattern: row.name_pattern,
    flavor: row.flavor,
    remaining: Number(row.remaining),
    triggered: Number(row.triggered),
    reason: row.reason,
    recoverAfterSeconds: row.recover_after_seconds === null ? null : Number(row.recover_after_seconds),
    createdAt: fromDbTime(row.created_at),
  };
}

/** What a fault is matched against: the pool a step is about to move, or one of its nodes. */
export interface FaultTarget {
  projectId: string;
  name: string;
  displayName: string;
  flavors: readonly string[];
  /** A node fault's pattern matches the node's name as well as its pool's names. */
  nodeName?: string;
}

/** The node faults: they act on single nodes, their pattern may name a node. */
export const NODE_FAULTS: ReadonlySet<FaultOperation> = new Set<FaultOperation>([
  'nodeCreate',
  'nodeAbnormal',
  'driverAbnormal',
  'nodeReboot',
]);

export async function insertFault(tx: Executor, fault: NewFault): Promise<FaultRecord> {
  faultsOfTransaction.delete(tx);
  const row = await tx
    .insertInto('faults')
    .values({
      operation: fault.operation,
      project_id: fault.projectId,
      name_pattern: fault.namePattern,
      flavor: fault.flavor,
      remaining: fault.count,
      triggered: 0,
      reason: fault.reason,
      recover_after_seconds: fault.recoverAfterSeconds,
      created_at: toDbTime(fault.at),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toFaultRecord(row);
}

export async function selectFaults(tx: Executor, projectId?: string): Promise<FaultRecord[]> {
  let query = tx.selectFrom('faults').selectAll().orderBy('id');
  if (projectId !== undefined) query = query.where('project_id', '=', projectId);
  return (await query.execute()).map(toFaultRecord);
}

export async function findFault(tx: Executor, id: number): Promise<FaultRecord | undefined> {
  const row = await tx.selectFrom('faults').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toFaultRecord(row);
}

/** Deletes faults (one, a project's, or all) and returns their ids. */
export async function deleteFaults(tx: Executor, filter: { id?: number; projectId?: string } = {}): Promise<number[]> {
  faultsOfTransaction.delete(tx);
  let query = tx.deleteFrom('faults');
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
  const rows = await query.returning('id').execute();
  return rows.map((r) => Number(r.id));
}

/** `*` any run of characters, `?` one character; everything else literal. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}

export function faultMatches(fault: FaultRecord, target: FaultTarget): boolean {
  if (fault.projectId !== null && fault.projectId !== target.projectId) return false;
  if (
    fault.namePattern !== null &&
    !globMatches(fault.namePattern, target.displayName) &&
    !globMatches(fault.namePattern, target.name) &&
    (target.nodeName === undefined || !globMatches(fault.namePattern, target.nodeName))
  ) {
    return false;
  }
  if (fault.flavor !== null && !target.flavors.includes(fault.flavor)) return false;
  return true;
}

const faultCandidates = preparedStatement<{ projectId: string }, FaultRow>((db) =>
  db
    .selectFrom('faults')
    .selectAll()
    .where('remaining', '>', 0)
    .where((eb) => eb.or([eb('project_id', 'is', null), eb('project_id', '=', param('projectId'))]))
    .orderBy('id'),
);

/**
 * The faults a transaction may take, per project, read once per transaction: one
 * step asks about several operations (a node step about nodeCreate,
 * driverAbnormal and abnormal), which with no fault registered is one query
 * instead of one per operation. The records are the ones takeFaults counts
 * down, so what this transaction consumed stays seen; a fault another
 * transaction registers meanwhile is seen by the next transaction.
 */
const faultsOfTransaction = new WeakMap<Executor, Map<string, Promise<FaultRecord[]>>>();

async function candidatesOf(tx: Executor, operation: FaultOperation, projectId: string): Promise<FaultRecord[]> {
  const read = async () => (await faultCandidates(tx, { projectId })).map(toFaultRecord);
  let all: Promise<FaultRecord[]>;
  if (tx.isTransaction) {
    let byProject = faultsOfTransaction.get(tx);
    if (!byProject) faultsOfTransaction.set(tx, (byProject = new Map()));
    all = byProject.get(projectId) ?? read();
    byProject.set(projectId, all);
  } else {
    all = read();
  }
  return (await all).filter((fault) => fault.operation === operation && fault.remaining > 0);
}

/**
 * Consumes one use of the oldest fault of this operation that matches, in the
 * caller's transaction (the step's own), so N uses fail exactly N steps however
 * many engines race: the decrement is conditional on uses being left.
 */
export async function takeFault(
  tx: Executor,
  operation: FaultOperation,
  target: FaultTarget,
): Promise<FaultRecord | undefined> {
  return (await takeFaults(tx, operation, [target])).get(0);
}

/**
 * takeFault for a batch of targets (the nodes of one step): the candidate faults
 * are read once, so a step with no fault registered costs one query. Returns,
 * per target index, the fault it consumed.
 */
export async function takeFaults(
  tx: Executor,
  operation: FaultOperation,
  targets: readonly FaultTarget[],
): Promise<Map<number, FaultRecord>> {
  const taken = new Map<number, FaultRecord>();
  if (targets.length === 0) return taken;
  const candidates = await candidatesOf(tx, operation, targets[0].projectId);
  if (candidates.length === 0) return taken;
  for (const [index, target] of targets.entries()) {
    for (const fault of candidates) {
      if (fault.remaining <= 0 || !faultMatches(fault, target)) continue;
      const used = await tx
        .updateTable('faults')
        .set((eb) => ({ remaining: eb('remaining', '-', 1), triggered: eb('triggered', '+', 1) }))
        .where('id', '=', fault.id)
        .where('remaining', '>', 0)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) === 0) {
        fault.remaining = 0;
        continue;
      }
      fault.remaining -= 1;
      taken.set(index, fault);
      break;
    }
  }
  return taken;
}

export async function markFaultedPool(tx: Executor, poolId: number, faultId: number | null): Promise<void> {
  await tx
    .insertInto('faulted_pools')
    .values({ pool_id: poolId, fault_id: faultId })
    .onConflict((oc) => oc.column('pool_id').doUpdateSet({ fault_id: faultId }))
    .execute();
}

/**
 * Why a pool is marked Abnormal: `faultId` the pool fault that made it so, null for
 * its nodes or the simulate label; undefined when it is not marked.
 */
export async function findFaultedPool(tx: Executor, poolId: number): Promise<{ faultId: number | null } | undefined> {
  const row = await tx.selectFrom('faulted_pools').select('fault_id').where('pool_id', '=', poolId).executeTakeFirst();
  return row && { faultId: row.fault_id === null ? null : Number(row.fault_id) };
}

export async function unmarkFaultedPool(tx: Executor, poolId: number): Promise<void> {
  await tx.deleteFrom('faulted_pools').where('pool_id', '=', poolId).execute();
}

/** Ids of pools made Abnormal by these faults (all faults when `faultIds` is undefined). */
export async function selectFaultedPoolIds(tx: Executor, faultIds?: readonly number[]): Promise<number[]> {
  if (faultIds !== undefined && faultIds.length === 0) return [];
  let query = tx.selectFrom('faulted_pools').select('pool_id').where('fault_id', 'is not', null);
  if (faultIds !== undefined) query = query.where('fault_id', 'in', faultIds);
  const rows = await query.execute();
  return rows.map((r) => Number(r.pool_id));
}
