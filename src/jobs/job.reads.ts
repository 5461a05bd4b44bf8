/** What other rooms may read of jobs (a scheduled event follows the job that carries it out). */
export { findJob } from './job.store.js';
export { JOB_FINISHED } from './job.lifecycle.js';
export type { JobRecord } from './job.record.js';
