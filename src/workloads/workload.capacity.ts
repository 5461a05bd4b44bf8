import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { CAPACITY_NODE_PHASES } from './workload.lifecycle.js';
import { addAmounts, toAmounts } from './workload.quantities.js';
import type { Amounts } from './workload.record.js';
import { insertCapacity, lastCapacity, makePendingDue } from './workload.store.js';

/** Nodes of a pool per flavor and phase (the shape of the node roll-up's counts). */
export interface FlavorCount {
  flavor: string;
  phase: string;
  count: number;
}

/** The resources of the nodes counted as capacity (Available and Abnormal). */
export function capacityOf(ctx: AppContext, counts: readonly FlavorCount[]): Amounts {
  const total: Amounts = {};
  for (const c of counts) {
    if (!CAPACITY_NODE_PHASES.has(c.phase) || c.count <= 0) continue;
    const one = toAmounts(ctx.flavors.nodeResources(c.flavor));
    for (const key of Object.keys(one)) one[key] *= c.count;
    addAmounts(total, one);
  }
  // In name order, so equal capacities compare (and serialise) equal.
  return Object.fromEntries(Object.entries(total).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The pool's node roll-up changed (pools/pool.move.ts rollUpEvent): its capacity
 * from now on is written down when it differs from the last one (the monitor's
 * history), and the workloads waiting on the pool are due, since a node that came
 * up or recovered may have room for them.
 */
export async function noteNodeChange(
  ctx: AppContext,
  tx: Executor,
  poolId: number,
  counts: readonly FlavorCount[],
  inserted = false,
): Promise<void> {
  const at = ctx.clock.now();
  const capacity = capacityOf(ctx, counts);
  // A pool inserted in this transaction has no capacity history and no workloads yet (nothing
  // else can see its id before the commit): its first sample is written without looking.
  const last = inserted ? undefined : await lastCapacity(tx, poolId, at);
  if (!last || JSON.stringify(last.capacity) !== JSON.stringify(capacity)) {
    await insertCapacity(tx, poolId, { at, capacity });
  }
  if (!inserted) await makePendingDue(tx, poolId, at);
}
