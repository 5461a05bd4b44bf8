import type { Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { afterUpdate, toDbTimeOrNull, updateIfVersion } from '../db/resource-store.js';
import type { JobRow, JobUpdate } from '../db/schema.js';
import type { JobPhase, JobType } from './job.lifecycle.js';
import type { JobChanges, JobRecord, NewJob } from './job.record.js';

/** The one place a job row becomes a record (STYLE §4). */
export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: Number(row.id),
    jobId: row.job_id,
    projectId: row.project_id,
    type: row.type as JobType,
    phase: row.phase as JobPhase,
    poolName: row.pool_name,
    nodeNames: JSON.parse(row.node_names) as string[],
    inputs: JSON.parse(row.inputs) as unknown,
    message: row.message,
    startedAt: fromDbTime(row.started_at),
    endedAt: fromDbTime(row.ended_at),
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

/** …and the one place a change becomes columns: only the fields given are written. */
function toJobUpdate(changes: JobChanges): JobUpdate {
  const update: JobUpdate = {};
  if (changes.phase !== undefined) update.phase = changes.phase;
  if (changes.message !== undefined) update.message = changes.message;
  if (changes.endedAt !== undefined) update.ended_at = toDbTimeOrNull(changes.endedAt);
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

/** Inserts a new job at version 0 and returns it as stored. */
export async function insertJob(tx: Executor, job: NewJob): Promise<JobRecord> {
  const inserted = await tx
    .insertInto('jobs')
    .values({
      job_id: job.jobId,
      project_id: job.projectId,
      type: job.type,
      phase: job.phase,
      pool_name: job.poolName,
      node_names: JSON.stringify(job.nodeNames),
      inputs: JSON.stringify(job.inputs ?? null),
      message: job.message,
      started_at: toDbTime(job.startedAt),
      ended_at: toDbTimeOrNull(job.endedAt),
      due_at: toDbTimeOrNull(job.dueAt),
      version: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...job, id: Number(inserted.id), version: 0 };
}

/** Whether any job of any project has this job id (ids are unique in the installation). */
export async function jobIdTaken(tx: Executor, jobId: string): Promise<boolean> {
  return (await tx.selectFrom('jobs').select('id').where('job_id', '=', jobId).executeTakeFirst()) !== undefined;
}

export async function findJob(tx: Executor, projectId: string, jobId: string): Promise<JobRecord | undefined> {
  const row = await tx
    .selectFrom('jobs')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row && toJobRecord(row);
}

/** What ListJobs selects: a project's jobs started in [since, until], of a type, of a pool. */
export interface JobFilter {
  projectId: string;
  since: Date;
  until: Date;
  type?: JobType;
  poolName?: string;
}

function filtered(tx: Executor, filter: JobFilter) {
  let query = tx
    .selectFrom('jobs')
    .where('project_id', '=', filter.projectId)
    .where('started_at', '>=', toDbTime(filter.since))
    .where('started_at', '<=', toDbTime(filter.until));
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.poolName !== undefined) query = query.where('pool_name', '=', filter.poolName);
  return query;
}

/** One page of the matching jobs, newest first. */
export async function selectJobPage(
  tx: Executor,
  filter: JobFilter,
  limit: number,
  offset: number,
): Promise<JobRecord[]> {
  if (limit === 0) return [];
  const rows = await filtered(tx, filter)
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toJobRecord);
}

/** How many jobs match, before paging (ListJobs `count`). */
export async function countJobs(tx: Executor, filter: JobFilter): Promise<number> {
  const row = await filtered(tx, filter)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const jobUpdate = updateIfVersion('jobs');

/**
 * Applies `changes` if the job is still at the version the caller read (and hands
 * back the engine's lease), and returns it as it now stands; undefined when
 * another writer came first.
 */
export async function updateJobIf(tx: Executor, job: JobRecord, changes: JobChanges): Promise<JobRecord | undefined> {
  if (!(await jobUpdate(tx, job.id, job.version, toJobUpdate(changes)))) return undefined;
  return afterUpdate<JobRecord>(job, changes);
}

/** Removes up to `limit` jobs that ended before `cutoff`, oldest first; returns how many. */
export async function deleteJobsEndedBefore(tx: Executor, cutoff: Date, limit: number): Promise<number> {
  const ids = tx
    .selectFrom('jobs')
    .select('id')
    .where('ended_at', '<', toDbTime(cutoff))
    .orderBy('ended_at')
    .limit(limit);
  const result = await tx.deleteFrom('jobs').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
