import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import { JOB_PHASES, JOB_RESOURCES, JOB_TYPES } from './job.lifecycle.js';

/** A maintenance job (nodepools-nodes-jobs.md §3.3; SDK PoolJob). */
export const PoolJob = Type.Object(
  {
    jobId: Type.String({ description: 'Also the `job_id` the batch action that started it answered' }),
    jobName: Type.String(),
    type: StringEnum(JOB_TYPES),
    phase: StringEnum(JOB_PHASES),
    startTimestamp: Type.Integer({ description: 'Milliseconds since the epoch' }),
    endTimestamp: Type.Integer({ description: 'Milliseconds since the epoch; 0 while the job runs' }),
    involvedObjects: Type.String({ description: 'JSON text: {"pools": [pool], "nodes": [node names]}' }),
    inputs: Type.String({ description: 'JSON text: the request body that started the job' }),
    suspend: Type.Boolean(),
    conditions: Type.String({ description: 'JSON text of the step conditions' }),
    message: Type.String({ description: 'Why the job failed; empty otherwise' }),
  },
  { $id: 'PoolJob' },
);
export type PoolJob = Static<typeof PoolJob>;

const Millis = (description: string) => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description });

export const ListJobsQuery = Type.Object({
  type: Type.Optional(StringEnum(JOB_TYPES)),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  since: Type.Optional(Millis('Jobs started at or after this time; default 30 days ago')),
  until: Type.Optional(Millis('Jobs started at or before this time; default now')),
  resource: Type.Optional(StringEnum(JOB_RESOURCES)),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The pool (metadata.name)' })),
});
export type ListJobsQuery = Static<typeof ListJobsQuery>;

export const JobList = Type.Object(
  {
    count: Type.Integer({ description: 'Jobs that match, before limit and offset' }),
    items: Type.Array(PoolJob),
  },
  { $id: 'JobList' },
);
export type JobList = Static<typeof JobList>;

export const JobParams = Type.Object({
  project_id: ProjectIdParam,
  job_id: Type.String({ minLength: 1, maxLength: 64 }),
});
