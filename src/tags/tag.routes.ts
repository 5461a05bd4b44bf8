import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import {
  CreatePoolTagsBody,
  DeletePoolTagsBody,
  ListPoolsByTagsBody,
  ListPoolsByTagsQuery,
  ListPoolTagsQuery,
  PoolsByTags,
  PoolTagParams,
  PoolTags,
  ProjectTags,
  UpdatePoolTagsBody,
} from './tag.schema.js';
import {
  batchCreatePoolTags,
  batchDeletePoolTags,
  listPoolsByTags,
  listPoolTags,
  showPoolTags,
  updatePoolTags,
} from './tag.service.js';

/**
 * Pool tags. `/pools/tags` and `/pools/{pool_name}/tags` differ in length, so the
 * router never mistakes one for the other; every answer is 200 with a body
 * (the documents' 204 with a body cannot be sent, spec §6.3).
 */
export const tagRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['tags'];
    const changed = { 200: PoolTags, ...errorResponses(400, 401, 403, 404) };
    app.get(
      '/v1/:project_id/pools/tags',
      {
        schema: {
          operationId: 'ListPoolTags',
          tags,
          params: ProjectParams,
          querystring: ListPoolTagsQuery,
          response: { 200: ProjectTags, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listPoolTags(ctx, request.params.project_id, request.query),
    );
    app.get(
      '/v1/:project_id/pools/:pool_name/tags',
      { schema: { operationId: 'ShowPoolTags', tags, params: PoolTagParams, response: changed } },
      (request) => showPoolTags(ctx, request.params.project_id, request.params.pool_name),
    );
    app.post(
      '/v1/:project_id/pools/:pool_name/tags/create',
      {
        schema: {
          operationId: 'BatchCreatePoolTags',
          tags,
          params: PoolTagParams,
          body: CreatePoolTagsBody,
          response: changed,
        },
      },
      (request) => batchCreatePoolTags(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
    // A DELETE with a JSON body, as the SDK sends it (http/request-body.ts reads bodies of every method).
    app.delete(
      '/v1/:project_id/pools/:pool_name/tags/delete',
      {
        schema: {
          operationId: 'BatchDeletePoolTags',
          tags,
          params: PoolTagParams,
          body: DeletePoolTagsBody,
          response: changed,
        },
      },
      (request) => batchDeletePoolTags(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
    app.post(
      '/v1/:project_id/pools/:pool_name/tags',
      {
        schema: {
          operationId: 'UpdatePoolTags',
          tags,
          params: PoolTagParams,
          body: UpdatePoolTagsBody,
          response: changed,
        },
      },
      (request) => updatePoolTags(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
    app.post(
      '/v1/:project_id/pools/resource-instances/filter',
      {
        schema: {
          operationId: 'ListPoolsByTags',
          tags,
          params: ProjectParams,
          querystring: ListPoolsByTagsQuery,
          body: ListPoolsByTagsBody,
          response: { 200: PoolsByTags, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listPoolsByTags(ctx, request.params.project_id, request.body, request.query),
    );
  };
