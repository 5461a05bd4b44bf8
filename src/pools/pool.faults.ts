import type { AppContext } from '../context.js';
import { after, toDbTime, type Executor } from '../db/database.js';
import type { PoolRow } from '../db/schema.js';
import { markFaultedPool, takeFault, unmarkFaultedPool, type FaultOperation } from '../faults/fault.store.js';
import type { PoolResource, PoolSpec, ScopeStatus } from './pool.schema.js';
import { setHeldNodes } from './pool.store.js';
import { admitWaitingPools, movePool, poolEvent } from './pool.transitions.js';
import { nodesWanted, type NodeCounts } from './pool.view.js';

/**
 * Simulated failures of the provider (docs/emulator.md): asked for by the label
 * `atelier.io/simulate` or by a fault registered through the emulator controls.
 * Every failure goes through movePool, so events and counters stay right.
 */
export const SIMULATE_LABEL = 'atelier.io/simulate';
export const SIMULATIONS = ['CreationFailed', 'ScalingFailed', 'DeletionFailed', 'Abnormal'] as const;
export type Simulation = (typeof SIMULATIONS)[number];

/** The event reason that marks a failed deletion; the DeletionFailed label fails only the first. */
const DELETION_FAILED = 'PoolDeletionFailed';

/** Why this step must fail, from the label or a matching fault (consumed here, in the step's transaction). */
export interface Failure {
  message: string;
  details: string;
  faultId: number | null;
  recoverAfterSeconds: number | null;
}

function simulationOf(row: PoolRow): string | undefined {
  return (JSON.parse(row.labels) as Record<string, string>)[SIMULATE_LABEL];
}

async function faultFor(tx: Executor, operation: FaultOperation, row: PoolRow): Promise<Failure | undefined> {
  const spec = JSON.parse(row.spec) as PoolSpec;
  const fault = await takeFault(tx, operation, {
    project_id: row.project_id,
    name: row.name,
    display_name: row.display_name,
    flavors: spec.resources.map((r) => r.flavor),
  });
  if (!fault) return undefined;
  return {
    message: fault.reason,
    details: `fault ${fault.id}: ${fault.reason}`,
    faultId: Number(fault.id),
    recoverAfterSeconds: fault.recover_after_seconds,
  };
}

const byLabel = (what: string): Failure => ({
  message: `${what}: simulated failure requested by label ${SIMULATE_LABEL}.`,
  details: 'simulated provisioning failure',
  faultId: null,
  recoverAfterSeconds: null,
});

/** Whether the creation step of this pool must fail. */
export async function creationFailure(tx: Executor, row: PoolRow): Promise<Failure | undefined> {
  if (simulationOf(row) === 'CreationFailed') {
    return {
      ...byLabel('Creation failed'),
      message: 'Creation failed: simulated provisioning failure requested by label atelier.io/simulate.',
    };
  }
  return faultFor(tx, 'create', row);
}

/** Whether a pool that just became Running must turn Abnormal. */
export async function abnormalFailure(tx: Executor, row: PoolRow): Promise<Failure | undefined> {
  // The label asks for one round trip, back to Running one pool-creation step later (makeAbnormal).
  if (simulationOf(row) === 'Abnormal') return byLabel('Pool abnormal');
  return faultFor(tx, 'abnormal', row);
}

/** Whether the scaling this step settles must fail. */
export async function scalingFailure(tx: Executor, row: PoolRow): Promise<Failure | undefined> {
  if (simulationOf(row) === 'ScalingFailed') return byLabel('Scaling failed');
  return faultFor(tx, 'scale', row);
}

/** Whether this teardown must fail. The label fails only the first deletion, so a retry succeeds. */
export async function deletionFailure(tx: Executor, row: PoolRow): Promise<Failure | undefined> {
  if (simulationOf(row) === 'DeletionFailed') {
    const failedBefore = await tx
      .selectFrom('events')
      .select('id')
      .where('project_id', '=', row.project_id)
      .where('resource_kind', '=', 'pools')
      .where('resource_name', '=', row.name)
      .where('reason', '=', DELETION_FAILED)
      .limit(1)
      .executeTakeFirst();
    if (!failedBefore) return byLabel('Deletion failed');
  }
  return faultFor(tx, 'delete', row);
}

/** Creating → CreationFailed: the nodes are released and the record kept for the retention time. */
export async function failCreation(ctx: AppContext, tx: Executor, row: PoolRow, failure: Failure): Promise<boolean> {
  const now = ctx.clock.now();
  const failed = await movePool(
    ctx,
    tx,
    row,
    'CreationFailed',
    {
      failed_at: toDbTime(now),
      due_at: toDbTime(new Date(now.getTime() + ctx.config.failedRetentionMs)),
      message: failure.message,
      scope_status: '[]',
    },
    failure.details,
  );
  if (!failed) return false;
  await setHeldNodes(tx, row.id, new Map());
  await admitWaitingPools(ctx, tx);
  return true;
}

/**
 * Running → ScalingFailed: the pool keeps the nodes it had; spec.resources goes
 * back to them, so the pool does not claim a size it never reached.
 */
export async function failScaling(ctx: AppContext, tx: Executor, row: PoolRow, failure: Failure): Promise<boolean> {
  const spec = JSON.parse(row.spec) as PoolSpec;
  const available = JSON.parse(row.available) as NodeCounts;
  const resources: PoolResource[] = Object.entries(available)
    .filter(([, n]) => n > 0)
    .map(([flavor, count]) => {
      const wanted = spec.resources.find((r) => r.flavor === flavor);
      if (!wanted) return { flavor, count, maxCount: count };
      const { azs, ...rest } = wanted;
      // A Dedicate pool's maxCount equals its count (pools.md §3.3); others keep their ceiling.
      const maxCount = spec.type === 'Dedicate' ? count : Math.max(count, wanted.maxCount ?? count);
      return { ...rest, count, maxCount, ...(azs && wanted.count === count ? { azs } : {}) };
    });
  const scopes = (JSON.parse(row.scope_status) as ScopeStatus[])
    .filter((s) => s.state !== 'Disabling')
    .map((s) => ({ ...s, state: s.state === 'Enabling' ? 'Enabled' : s.state }));
  const moved = await movePool(
    ctx,
    tx,
    row,
    'ScalingFailed',
    {
      spec: JSON.stringify({ ...spec, resources }),
      scope_status: JSON.stringify(scopes),
      message: failure.message,
      due_at: null,
    },
    failure.details,
  );
  if (!moved) return false;
  await setHeldNodes(tx, row.id, nodesWanted(resources));
  await admitWaitingPools(ctx, tx);
  return true;
}

/**
 * Deleting → Error (decision of docs/emulator.md): the pool keeps its nodes and
 * its deletionTimestamp is cleared; a second DELETE starts the teardown again.
 */
export async function failDeletion(ctx: AppContext, tx: Executor, row: PoolRow, failure: Failure): Promise<boolean> {
  const moved = await movePool(
    ctx,
    tx,
    row,
    'Error',
    { deleting_at: null, due_at: null, message: failure.message },
    failure.details,
  );
  if (!moved) return false;
  await poolEvent(
    tx,
    row,
    ctx.clock.now(),
    'Warning',
    DELETION_FAILED,
    `Pool ${row.name} could not be deleted: ${failure.message}`,
  );
  return true;
}

/**
 * Running → Abnormal, back to Running after the fault's recovery time (none: until
 * the fault is cleared), or, asked for by the label, after one pool-creation step
 * of the lifecycle policy (so manual mode holds it until an advance).
 */
export async function makeAbnormal(
  ctx: AppContext,
  tx: Executor,
  row: PoolRow,
  failure: Failure,
): Promise<PoolRow | undefined> {
  const now = ctx.clock.now();
  const recover = failure.recoverAfterSeconds;
  const due =
    failure.faultId === null ? ctx.lifecycle.dueAt('poolCreate', now) : recover === null ? null : after(now, recover);
  const moved = await movePool(
    ctx,
    tx,
    row,
    'Abnormal',
    {
      message: failure.message,
      due_at: due && toDbTime(due),
    },
    failure.details,
  );
  if (moved) await markFaultedPool(tx, row.id, failure.faultId);
  return moved;
}

/** Abnormal → Running: the recovery timer ran out, or the fault was cleared. */
export async function healAbnormal(ctx: AppContext, tx: Executor, row: PoolRow): Promise<boolean> {
  const moved = await movePool(ctx, tx, row, 'Running', { message: null, due_at: null }, 'recovered');
  if (!moved) return false;
  await unmarkFaultedPool(tx, row.id);
  return true;
}
