import { WORKLOAD_GVK } from './workload.lifecycle.js';
import { toDisplay, toQuantities } from './workload.quantities.js';
import type { WorkloadRecord } from './workload.record.js';
import type { Workload } from './workload.schema.js';

const seconds = (ms: number) => Math.max(0, Math.floor(ms / 1000));

/**
 * A workload record as the wire shows it (nodes-workloads-metrics.md §2.1).
 * runningDuration counts the current (or last) run; pendingDuration the wait from
 * submission to that run's start (to now while it waits); pendingPosition is the
 * 1-based place in the pool's queue, -1 when not waiting (D-W2).
 */
export function toWorkload(w: WorkloadRecord, now: Date, pendingPosition: number): Workload {
  const end = w.endedAt ?? now;
  const onNode = w.status === 'Running' || (w.startedAt !== null && w.nodeName !== null);
  return {
    apiVersion: 'v1',
    kind: 'Workload',
    type: w.type,
    namespace: w.poolName,
    name: `modelarts-job-${w.jobUuid}`,
    jobName: w.jobName,
    uid: w.uid,
    jobUUID: w.jobUuid,
    ...(w.flavor !== null ? { flavor: w.flavor } : {}),
    status: w.status,
    ...(w.userName !== null ? { userName: w.userName } : {}),
    resourceRequirement: toDisplay(w.requests),
    priority: w.priority,
    runningDuration: w.startedAt ? seconds(end.getTime() - w.startedAt.getTime()) : 0,
    pendingDuration: seconds((w.startedAt ?? end).getTime() - w.createdAt.getTime()),
    pendingPosition,
    createTime: w.createdAt.getTime(),
    gvk: WORKLOAD_GVK[w.type],
    hostIps: onNode && w.hostIp ? w.hostIp : '',
    nodes: onNode && w.hostIp ? [{ hostIp: w.hostIp, resourceRequirement: toQuantities(w.requests) }] : [],
    isDeleted: 'false',
  };
}
