/**
 * The job lifecycle as data (nodepools-nodes-jobs.md §3, decision 25): the
 * types a job may have, its phases and the moves between them.
 */
export const JOB_TYPES = ['reboot-node', 'reset-nodes', 'replace-node', 'migrate-nodes'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const JOB_PHASES = ['Pending', 'Running', 'Success', 'Failed'] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

export const JOB_TRANSITIONS: Readonly<Record<JobPhase, readonly JobPhase[]>> = Object.freeze({
  Pending: ['Running', 'Failed'],
  Running: ['Success', 'Failed'],
  Success: [],
  Failed: [],
});

/** The phase a new job starts in. */
export const JOB_ENTRY: JobPhase = 'Pending';

/** Phases a job ends in: it has an end time and nothing is due. */
export const JOB_FINISHED: ReadonlySet<JobPhase> = new Set<JobPhase>(['Success', 'Failed']);

export function canMoveJob(from: JobPhase, to: JobPhase): boolean {
  return from === to || JOB_TRANSITIONS[from].includes(to);
}

/** Decision 25: finished jobs are kept this long, then the engine removes them. */
export const JOB_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** ListJobs' default window: jobs started within the retention (§3.1 `since`). */
export const JOB_LIST_WINDOW_MS = JOB_RETENTION_MS;

/** How soon a running job is checked again when its kind names no time. */
export const JOB_CHECK_INTERVAL_MS = 1_000;

/** The only resource ListJobs filters by (§3.1 `resource`). */
export const JOB_RESOURCES = ['pools'] as const;
