import type { JobRecord } from './job.record.js';
import type { PoolJob } from './job.schema.js';

/** Record → wire object: the SDK types the structured fields as JSON text. */
export function toPoolJob(job: JobRecord): PoolJob {
  return {
    jobId: job.jobId,
    jobName: `${job.type}-${job.jobId.replace(/^job-/, '')}`,
    type: job.type,
    phase: job.phase,
    startTimestamp: job.startedAt.getTime(),
    endTimestamp: job.endedAt?.getTime() ?? 0,
    involvedObjects: JSON.stringify({ pools: [job.poolName], nodes: job.nodeNames }),
    inputs: JSON.stringify(job.inputs ?? {}),
    suspend: false,
    conditions: '[]',
    message: job.message,
  };
}
