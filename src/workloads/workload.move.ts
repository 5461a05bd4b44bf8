import type { Executor } from '../db/database.js';
import { WriteConflict } from '../db/database.js';
import { canMoveWorkload, type WorkloadStatus } from './workload.lifecycle.js';
import type { WorkloadChanges, WorkloadRecord } from './workload.record.js';
import { endRun, insertRun, updateWorkloadIf } from './workload.store.js';

/**
 * The one way a workload changes (STYLE §5): the move checked against
 * WORKLOAD_TRANSITIONS, a conditional update on the version read, and its run on
 * a node opened or closed — in `tx`. A lost update is a WriteConflict: the
 * transaction runs again on fresh rows.
 */
export async function moveWorkload(
  tx: Executor,
  workload: WorkloadRecord,
  to: WorkloadStatus,
  changes: WorkloadChanges,
  at: Date,
): Promise<WorkloadRecord> {
  const from = workload.status;
  if (!canMoveWorkload(from, to)) throw new Error(`Workload ${workload.jobName} cannot move from ${from} to ${to}`);
  const updated = await updateWorkloadIf(tx, workload, { ...changes, status: to });
  if (!updated) throw new WriteConflict(workload.jobName);
  if (from === 'Running' && to !== 'Running') await endRun(tx, workload.id, at);
  if (to === 'Running' && from !== 'Running' && updated.nodeName) {
    await insertRun(tx, workload.poolId, {
      workloadId: workload.id,
      nodeName: updated.nodeName,
      requests: workload.requests,
      startedAt: at,
      endedAt: null,
    });
  }
  return updated;
}
