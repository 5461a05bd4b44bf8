import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { JobList, JobParams, ListJobsQuery, PoolJob } from './job.schema.js';
import { listJobs, showJob } from './job.service.js';

export const jobRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v2/:project_id/jobs',
      {
        schema: {
          operationId: 'ListJobs',
          summary: 'List the maintenance jobs of the project',
          tags: ['jobs'],
          params: ProjectParams,
          querystring: ListJobsQuery,
          response: { 200: JobList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listJobs(ctx, request.params.project_id, request.query),
    );
    app.get(
      '/v2/:project_id/jobs/:job_id',
      {
        schema: {
          operationId: 'ShowJob',
          summary: 'Show a maintenance job (no SDK method; the Terraform provider polls it)',
          tags: ['jobs'],
          params: JobParams,
          response: { 200: PoolJob, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showJob(ctx, request.params.project_id, request.params.job_id),
    );
  };
