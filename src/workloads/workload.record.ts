import type { WorkloadOutcome, WorkloadStatus, WorkloadType } from './workload.lifecycle.js';

/** Resource name → amount: `cpu` in millicores, `memory` in MiB, devices (`nvidia.com/gpu` …) in units. */
export type Amounts = Record<string, number>;

/**
 * A workload as the store hands it out (STYLE §4): requests parsed, status typed,
 * times as Date. Only workload.store.ts sees the row.
 */
export interface WorkloadRecord {
  id: number;
  projectId: string;
  poolId: number;
  poolName: string;
  type: WorkloadType;
  jobName: string;
  jobUuid: string;
  uid: string;
  flavor: string | null;
  priority: string;
  userName: string | null;
  requests: Amounts;
  durationSeconds: number | null;
  outcome: WorkloadOutcome;
  status: WorkloadStatus;
  nodeName: string | null;
  hostIp: string | null;
  createdAt: Date;
  /** When the current (or last) run started. */
  startedAt: Date | null;
  endedAt: Date | null;
  dueAt: Date | null;
  version: number;
}

export type NewWorkload = Omit<WorkloadRecord, 'id' | 'version'>;

export type WorkloadChanges = Partial<
  Pick<WorkloadRecord, 'status' | 'nodeName' | 'hostIp' | 'startedAt' | 'endedAt' | 'dueAt'>
>;

/** One run of a workload on a node. */
export interface WorkloadRun {
  workloadId: number;
  nodeName: string;
  requests: Amounts;
  startedAt: Date;
  endedAt: Date | null;
}

/** A pool's capacity from `at` on. */
export interface CapacitySample {
  at: Date;
  capacity: Amounts;
}
