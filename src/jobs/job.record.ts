import type { JobPhase, JobType } from './job.lifecycle.js';

/**
 * A job as the store hands it out and takes it back (STYLE §4): JSON columns
 * parsed, the phase and type typed, times as Date. Only job.store.ts sees the row.
 */
export interface JobRecord {
  id: number;
  /** The wire's jobId (and the `job_id` batch actions answer): `job-` and 8 hex digits. */
  jobId: string;
  projectId: string;
  type: JobType;
  phase: JobPhase;
  poolName: string;
  nodeNames: string[];
  /** The request body that started the job. */
  inputs: unknown;
  /** Why the job failed; empty otherwise. */
  message: string;
  startedAt: Date;
  /** When it reached Success or Failed; null before. */
  endedAt: Date | null;
  /** When the engine's next step is due; null once finished. */
  dueAt: Date | null;
  version: number;
}

export type NewJob = Omit<JobRecord, 'id' | 'version'>;

/** What a step may change: the phase, the message, the end and the next due time. */
export type JobChanges = Partial<Pick<JobRecord, 'phase' | 'message' | 'endedAt' | 'dueAt'>>;
