import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import { claimDue } from '../db/claims.js';
import type { WorkloadRecord } from './workload.record.js';
import { settlePoolWorkloads } from './workload.schedule.js';
import { selectDuePoolIds, toWorkloadRecord } from './workload.store.js';

/**
 * The engine's side of workloads: due rows (a run's end, a queue with new room)
 * are claimed with a lease like any resource's, and worked a pool at a time
 * (settlePoolWorkloads), so everything due in a pool happens in one transaction
 * in the order it happened.
 */
export async function claimDueWorkloads(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<WorkloadRecord[]> {
  return (await claimDue(database, 'workloads', owner, now, leaseMs, limit, onTakeover)).map(toWorkloadRecord);
}

export { settlePoolWorkloads } from './workload.schedule.js';

/**
 * Settles every pool with a workload due, each in its own transaction, without
 * leases: what a clock move runs before it answers (admin/admin.service.ts).
 * Returns how many pools it settled.
 */
export async function settleDueWorkloads(ctx: AppContext): Promise<number> {
  const poolIds = await selectDuePoolIds(ctx.database.db, ctx.clock.now(), 1000);
  for (const poolId of poolIds) {
    await ctx.database.transaction((tx) => settlePoolWorkloads(ctx, tx, poolId));
  }
  return poolIds.length;
}
