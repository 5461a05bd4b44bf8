import type { Executor } from '../db/database.js';
import { REQUEUED_TYPES } from './workload.lifecycle.js';
import { moveWorkload } from './workload.move.js';
import { addAmounts } from './workload.quantities.js';
import type { Amounts } from './workload.record.js';
import { selectPoolWorkloads, selectRunningOnNodes } from './workload.store.js';

/**
 * What nodes and pools ask of workloads. This module reads no other room, so the
 * nodes room may call it from its moves without a cycle.
 */

/**
 * Nodes of a pool are leaving (scale-in, batch-delete) at `at`: what runs on them
 * is interrupted (nodes-workloads-metrics.md §1.5). Inference services go back to
 * the queue and are due at once, to run again where there is room; training jobs
 * and notebooks end Terminated.
 */
export async function interruptNodeWorkloads(
  tx: Executor,
  poolId: number,
  nodeNames: readonly string[],
  at: Date,
): Promise<void> {
  for (const w of await selectRunningOnNodes(tx, poolId, nodeNames)) {
    if (REQUEUED_TYPES.has(w.type)) {
      await moveWorkload(tx, w, 'Pending', { nodeName: null, hostIp: null, startedAt: null, dueAt: at }, at);
    } else {
      await moveWorkload(tx, w, 'Terminated', { endedAt: at, dueAt: null }, at);
    }
  }
}

/** The pool is being deleted at `at`: every workload not yet ended ends Terminated. */
export async function terminatePoolWorkloads(tx: Executor, poolId: number, at: Date): Promise<void> {
  for (const w of await selectPoolWorkloads(tx, poolId, ['Pending', 'Running'])) {
    await moveWorkload(tx, w, 'Terminated', { endedAt: at, dueAt: null }, at);
  }
}

/** What the running workloads of a pool hold, per node name (a node's availableResources). */
export async function usedOnNodes(tx: Executor, poolId: number): Promise<Map<string, Amounts>> {
  const used = new Map<string, Amounts>();
  for (const w of await selectPoolWorkloads(tx, poolId, ['Running'])) {
    if (!w.nodeName) continue;
    used.set(w.nodeName, addAmounts(used.get(w.nodeName) ?? {}, w.requests));
  }
  return used;
}
