import type { Executor } from '../db/database.js';
import { canMoveJob, JOB_FINISHED, type JobPhase } from './job.lifecycle.js';
import type { JobChanges, JobRecord } from './job.record.js';
import { updateJobIf } from './job.store.js';

/**
 * The one way a job changes (STYLE §5): the move checked against
 * JOB_TRANSITIONS, and a conditional update on the version the caller read, in
 * `tx`. A move into a finished phase sets the end time and clears the due time.
 * `to` may be the job's own phase (a new due time). Returns undefined when
 * another writer changed it first.
 */
export async function moveJob(
  tx: Executor,
  job: JobRecord,
  to: JobPhase,
  now: Date,
  changes: Omit<JobChanges, 'phase' | 'endedAt'> = {},
): Promise<JobRecord | undefined> {
  if (!canMoveJob(job.phase, to)) throw new Error(`Job ${job.jobId} cannot move from ${job.phase} to ${to}`);
  const finished = JOB_FINISHED.has(to) && !JOB_FINISHED.has(job.phase) ? { endedAt: now, dueAt: null } : {};
  return updateJobIf(tx, job, { ...changes, phase: to, ...finished });
}
