import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import type { JobType } from './job.lifecycle.js';
import type { JobRecord } from './job.record.js';

/**
 * What a job's work answers, at its start and at each check: still running
 * (checked again at `checkAt`, or after JOB_CHECK_INTERVAL_MS), done, or failed
 * with the reason that becomes the job's `message`.
 */
export type JobProgress =
  | { readonly state: 'running'; readonly checkAt?: Date }
  | { readonly state: 'success' }
  | { readonly state: 'failed'; readonly reason: string };

/**
 * The work behind one job type, supplied by the room that owns what the job works
 * on (nodes). The engine calls these in the job's own step transaction, after it
 * has taken the job's row by its version, so whatever they write commits with the
 * job's move or not at all: each runs to a committed effect once per phase.
 */
export interface JobKind {
  /** The job goes Pending → Running: begin the work (e.g. move the nodes into their unavailable phase). */
  start(ctx: AppContext, tx: Executor, job: JobRecord): Promise<JobProgress>;
  /** The job is Running and due: is its work done? */
  check(ctx: AppContext, tx: Executor, job: JobRecord): Promise<JobProgress>;
}

const kinds = new Map<JobType, JobKind>();

/**
 * Supplies the work of a job type. A type has one kind: a second registration is
 * refused unless `replace` is set (a test standing in for the real one), and the
 * function returned puts back what was there before.
 */
export function registerJobKind(type: JobType, kind: JobKind, options: { replace?: boolean } = {}): () => void {
  const before = kinds.get(type);
  if (before && !options.replace) throw new Error(`Job type ${type} already has its kind`);
  kinds.set(type, kind);
  return () => {
    if (kinds.get(type) !== kind) return;
    if (before) kinds.set(type, before);
    else kinds.delete(type);
  };
}

/** The kind of a job type; undefined while no room supplies one. */
export function jobKindOf(type: JobType): JobKind | undefined {
  return kinds.get(type);
}
