import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import { requireProject } from '../projects/project.service.js';
import { jobKindOf } from './job.kinds.js';
import { JOB_ENTRY, JOB_LIST_WINDOW_MS, type JobType } from './job.lifecycle.js';
import type { JobRecord } from './job.record.js';
import type { JobList, ListJobsQuery, PoolJob } from './job.schema.js';
import { countJobs, findJob, insertJob, jobIdTaken, selectJobPage } from './job.store.js';
import { toPoolJob } from './job.view.js';

/** The ListJobs page size when the query names none (§3.1). */
const DEFAULT_LIMIT = 100;

/** What a batch action asks for when it starts a job. */
export interface JobRequest {
  type: JobType;
  projectId: string;
  poolName: string;
  nodeNames: readonly string[];
  /** The request body of the action, served back as the job's `inputs`. */
  inputs: unknown;
}

/**
 * Starts a job in the caller's transaction (the batch action's own), Pending and
 * due at once, and returns it; its `jobId` is the `job_id` the action answers.
 * The engine then runs the type's kind (job.kinds.ts), which must be registered.
 * As with any write that makes work due, the caller wakes the engine after its
 * transaction commits (ctx.wakeEngine()).
 */
export async function startJob(ctx: AppContext, tx: Executor, request: JobRequest): Promise<JobRecord> {
  if (!jobKindOf(request.type)) throw new Error(`No work is defined for jobs of type ${request.type}`);
  let jobId: string;
  do jobId = `job-${randomBytes(4).toString('hex')}`;
  while (await jobIdTaken(tx, jobId));
  const now = ctx.clock.now();
  return insertJob(tx, {
    jobId,
    projectId: request.projectId,
    type: request.type,
    phase: JOB_ENTRY,
    poolName: request.poolName,
    nodeNames: [...request.nodeNames],
    inputs: request.inputs,
    message: '',
    startedAt: now,
    endedAt: null,
    dueAt: now,
  });
}

/** ListJobs: newest first, in the window of start times (default the last 30 days), `count` before paging. */
export async function listJobs(ctx: AppContext, projectId: string, query: ListJobsQuery): Promise<JobList> {
  await requireProject(ctx, projectId);
  const now = ctx.clock.now().getTime();
  const until = query.until ?? now;
  const since = query.since ?? until - JOB_LIST_WINDOW_MS;
  if (since > until) throw badRequest(`since (${since}) is after until (${until}).`);
  const filter = {
    projectId,
    since: new Date(since),
    until: new Date(until),
    type: query.type,
    // `name` names a pool: the only resource jobs are listed by.
    poolName: query.name,
  };
  const db = ctx.database.db;
  const [count, page] = await Promise.all([
    countJobs(db, filter),
    selectJobPage(db, filter, query.limit ?? DEFAULT_LIMIT, query.offset ?? 0),
  ]);
  return { count, items: page.map(toPoolJob) };
}

export async function showJob(ctx: AppContext, projectId: string, jobId: string): Promise<PoolJob> {
  await requireProject(ctx, projectId);
  const job = await findJob(ctx.database.db, projectId, jobId);
  if (!job) throw new AtelierError('jobNotFound', { id: jobId });
  return toPoolJob(job);
}
