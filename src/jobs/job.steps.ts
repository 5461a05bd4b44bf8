import type { AppContext } from '../context.js';
import type { Database, Executor } from '../db/database.js';
import { claimDue } from '../db/claims.js';
import { jobKindOf, type JobProgress } from './job.kinds.js';
import { JOB_CHECK_INTERVAL_MS, JOB_FINISHED, JOB_RETENTION_MS } from './job.lifecycle.js';
import { moveJob } from './job.move.js';
import type { JobRecord } from './job.record.js';
import { deleteJobsEndedBefore, toJobRecord, updateJobIf } from './job.store.js';

/** How many finished jobs one sweep removes at most. */
const SWEEP_BATCH = 1_000;

/**
 * One engine step for a due job: a Pending job goes Running and its kind starts
 * the work; a Running one asks its kind whether the work is done. The row is
 * taken by its version before the kind runs (the move to Running, or a bare
 * version bump), so a replica that lost the race never runs the kind, and what the
 * kind writes commits with the job's next move or not at all. Returns false when
 * another writer moved the job first.
 */
export async function advanceJob(ctx: AppContext, tx: Executor, job: JobRecord): Promise<boolean> {
  const now = ctx.clock.now();
  // Nothing is due of a finished job; a due time left on one is only cleared.
  if (JOB_FINISHED.has(job.phase)) return (await updateJobIf(tx, job, { dueAt: null })) !== undefined;
  const kind = jobKindOf(job.type);
  if (!kind) {
    const message = `No work is defined for jobs of type ${job.type}.`;
    return (await moveJob(tx, job, 'Failed', now, { message })) !== undefined;
  }
  const taken = await moveJob(tx, job, 'Running', now);
  if (!taken) return false;
  const progress = job.phase === 'Pending' ? await kind.start(ctx, tx, taken) : await kind.check(ctx, tx, taken);
  await record(tx, taken, progress, now);
  return true;
}

/** Writes what the kind answered; the row is this transaction's, so the update cannot be lost. */
async function record(tx: Executor, job: JobRecord, progress: JobProgress, now: Date): Promise<void> {
  const moved =
    progress.state === 'running'
      ? await moveJob(tx, job, 'Running', now, {
          dueAt: progress.checkAt ?? new Date(now.getTime() + JOB_CHECK_INTERVAL_MS),
        })
      : progress.state === 'success'
        ? await moveJob(tx, job, 'Success', now)
        : await moveJob(tx, job, 'Failed', now, { message: progress.reason });
  if (!moved) throw new Error(`Job ${job.jobId} changed under its own step`);
}

// --- what the engine calls --------------------------------------------------------

/** Claims up to `limit` due jobs for the engine `owner` (db/claims.ts). */
export async function claimDueJobs(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<JobRecord[]> {
  return (await claimDue(database, 'jobs', owner, now, leaseMs, limit, onTakeover)).map(toJobRecord);
}

/** Decision 25: removes jobs that finished more than the retention ago; returns how many. */
export async function removeExpiredJobs(database: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - JOB_RETENTION_MS);
  return database.transaction((tx) => deleteJobsEndedBefore(tx, cutoff, SWEEP_BATCH));
}
