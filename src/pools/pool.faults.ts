import type { Executor } from '../db/database.js';
import { hasEvents } from '../events/event.recorder.js';
import { takeFault, type FaultOperation, type FaultRecord } from '../faults/fault.service.js';
import type { PoolRecord } from './pool.record.js';

/**
 * Simulated failures of the provider (docs/emulator.md): asked for by the label
 * `atelier.io/simulate` or by a fault registered through the emulator controls.
 * This file decides whether a step fails; the failing moves are steps like any
 * other (pool.steps.ts), so events and counters stay right.
 */
export const SIMULATE_LABEL = 'atelier.io/simulate';
export const SIMULATIONS = ['CreationFailed', 'ScalingFailed', 'DeletionFailed', 'Abnormal'] as const;
export type Simulation = (typeof SIMULATIONS)[number];

/** The event reason that marks a failed deletion; the DeletionFailed label fails only the first. */
export const DELETION_FAILED = 'PoolDeletionFailed';

/** Why this step must fail, from the label or a matching fault (consumed here, in the step's transaction). */
export interface Failure {
  message: string;
  details: string;
  faultId: number | null;
  recoverAfterSeconds: number | null;
}

const simulationOf = (pool: PoolRecord): string | undefined => pool.labels[SIMULATE_LABEL];

/** What a fault is matched against: the pool's names and flavors. */
export const faultTargetOf = (pool: PoolRecord) => ({
  projectId: pool.projectId,
  name: pool.name,
  displayName: pool.displayName,
  flavors: pool.spec.resources.map((r) => r.flavor),
});

/** The failure a consumed fault causes. */
export const failureOf = (fault: FaultRecord): Failure => ({
  message: fault.reason,
  details: `fault ${fault.id}: ${fault.reason}`,
  faultId: fault.id,
  recoverAfterSeconds: fault.recoverAfterSeconds,
});

async function faultFor(tx: Executor, operation: FaultOperation, pool: PoolRecord): Promise<Failure | undefined> {
  const fault = await takeFault(tx, operation, faultTargetOf(pool));
  return fault && failureOf(fault);
}

const byLabel = (what: string): Failure => ({
  message: `${what}: simulated failure requested by label ${SIMULATE_LABEL}.`,
  details: 'simulated provisioning failure',
  faultId: null,
  recoverAfterSeconds: null,
});

/** Whether the creation step of this pool must fail. */
export async function creationFailure(tx: Executor, pool: PoolRecord): Promise<Failure | undefined> {
  if (simulationOf(pool) === 'CreationFailed') {
    return {
      ...byLabel('Creation failed'),
      message: 'Creation failed: simulated provisioning failure requested by label atelier.io/simulate.',
    };
  }
  return faultFor(tx, 'create', pool);
}

/** Whether a pool that just became Running must turn Abnormal. */
export async function abnormalFailure(tx: Executor, pool: PoolRecord): Promise<Failure | undefined> {
  // The label asks for one round trip, back to Running one pool-creation step later (makeAbnormal).
  if (simulationOf(pool) === 'Abnormal') return byLabel('Pool abnormal');
  return faultFor(tx, 'abnormal', pool);
}

/** Whether the scaling this step settles must fail. */
export async function scalingFailure(tx: Executor, pool: PoolRecord): Promise<Failure | undefined> {
  if (simulationOf(pool) === 'ScalingFailed') return byLabel('Scaling failed');
  return faultFor(tx, 'scale', pool);
}

/** Whether this teardown must fail. The label fails only the first deletion, so a retry succeeds. */
export async function deletionFailure(tx: Executor, pool: PoolRecord): Promise<Failure | undefined> {
  if (simulationOf(pool) === 'DeletionFailed') {
    if (!(await hasEvents(tx, pool.projectId, 'pools', pool.name, DELETION_FAILED))) return byLabel('Deletion failed');
  }
  return faultFor(tx, 'delete', pool);
}

/**
 * Whether enabling one job type of this pool must fail (a `scope` fault, one use per job type):
 * the scope ends EnableFailed with the fault's reason; the pool itself is not affected.
 */
export async function scopeFailure(tx: Executor, pool: PoolRecord): Promise<Failure | undefined> {
  return faultFor(tx, 'scope', pool);
}
