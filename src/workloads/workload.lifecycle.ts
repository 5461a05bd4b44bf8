/**
 * The lifecycle of a simulated workload, as data (nodes-workloads-metrics.md §2).
 * The wire knows nine statuses; Atelier's workloads wait in Pending until a node
 * has room, run (Running) for their duration and end as they were told to
 * (Completed or Failed). A training job or notebook whose node leaves (scale-in,
 * batch-delete, pool deletion) ends Terminated; an inference service goes back
 * to Pending and runs again wherever room frees (a service's replicas are
 * rescheduled, a job is interrupted — §1.5 "jobs on the node are interrupted").
 */
export const WORKLOAD_STATUSES = [
  'Queue',
  'Pending',
  'Abnormal',
  'Terminating',
  'Creating',
  'Running',
  'Completed',
  'Terminated',
  'Failed',
] as const;
export type WorkloadStatus = (typeof WORKLOAD_STATUSES)[number];

/** What a workload may be submitted as; `x-infer` (HW's new inference) is accepted by the list filter too. */
export const WORKLOAD_TYPES = ['train', 'infer', 'notebook'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

/** The list filter's values of `type` (§2.1). */
export const WORKLOAD_TYPE_FILTERS = [...WORKLOAD_TYPES, 'x-infer'] as const;

/** How a workload that runs its whole duration ends. */
export const WORKLOAD_OUTCOMES = ['Completed', 'Failed'] as const;
export type WorkloadOutcome = (typeof WORKLOAD_OUTCOMES)[number];

export const WORKLOAD_TRANSITIONS: Readonly<Record<WorkloadStatus, readonly WorkloadStatus[]>> = Object.freeze({
  Queue: [],
  Pending: ['Running', 'Terminated'],
  Abnormal: [],
  Terminating: [],
  Creating: [],
  Running: ['Completed', 'Failed', 'Terminated', 'Pending'],
  Completed: [],
  Terminated: [],
  Failed: [],
});

/** The status a submitted workload starts in. */
export const WORKLOAD_ENTRY: WorkloadStatus = 'Pending';

/** Statuses in which a workload holds resources on its node. */
export const WORKLOAD_HOLDING: ReadonlySet<WorkloadStatus> = new Set<WorkloadStatus>(['Running']);

/** Types put back in the queue when their node leaves; the others end Terminated. */
export const REQUEUED_TYPES: ReadonlySet<string> = new Set<WorkloadType>(['infer']);

export function canMoveWorkload(from: WorkloadStatus, to: WorkloadStatus): boolean {
  return from === to || WORKLOAD_TRANSITIONS[from].includes(to);
}

/** Node phases a workload may be placed on, and that keep it running. */
export const SCHEDULABLE_NODE_PHASES = ['Available'] as const;

/** Node phases whose resources count as a pool's capacity (runtime metrics, monitor). */
export const CAPACITY_NODE_PHASES: ReadonlySet<string> = new Set(['Available', 'Abnormal']);

/** How often a Pending workload looks again for room that came without an end (nodes up). */
export const PENDING_RETRY_SECONDS = 5;

/** ListWorkloads: a page holds at most this many (§2.1). */
export const WORKLOAD_PAGE_MAX = 500;

/** The Go GVK string of each type's cluster object (§2.1 `gvk`). */
export const WORKLOAD_GVK: Readonly<Record<WorkloadType, string>> = Object.freeze({
  train: 'batch.volcano.sh/v1alpha1, Kind=Job',
  infer: 'apps/v1, Kind=Deployment',
  notebook: 'apps/v1, Kind=StatefulSet',
});
