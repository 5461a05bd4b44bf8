import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import {
  CreatePoolBody,
  ListPoolsQuery,
  PatchPoolBody,
  Pool,
  PoolList,
  PoolParams,
  RetryPoolScopeBody,
  RetryPoolScopeResponse,
} from './pool.schema.js';
import { createPool, deletePool, listPools, patchPool, retryPoolScope, showPool } from './pool.service.js';

export const poolRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['pools'];
    app.post(
      '/v2/:project_id/pools',
      {
        schema: {
          operationId: 'CreatePool',
          tags,
          params: ProjectParams,
          body: CreatePoolBody,
          response: { 200: Pool, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      (request) => createPool(ctx, request.params.project_id, request.body),
    );
    app.get(
      '/v2/:project_id/pools',
      {
        schema: {
          operationId: 'ListPools',
          tags,
          params: ProjectParams,
          querystring: ListPoolsQuery,
          response: { 200: PoolList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listPools(ctx, request.params.project_id, request.query),
    );
    app.get(
      '/v2/:project_id/pools/:pool_name',
      {
        schema: {
          operationId: 'ShowPool',
          tags,
          params: PoolParams,
          response: { 200: Pool, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPool(ctx, request.params.project_id, request.params.pool_name),
    );
    app.patch(
      '/v2/:project_id/pools/:pool_name',
      {
        schema: {
          operationId: 'PatchPool',
          tags,
          params: PoolParams,
          body: PatchPoolBody,
          response: { 200: Pool, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => patchPool(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
    app.delete(
      '/v2/:project_id/pools/:pool_name',
      {
        schema: {
          operationId: 'DeletePool',
          tags,
          params: PoolParams,
          response: { 200: Pool, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => deletePool(ctx, request.params.project_id, request.params.pool_name),
    );
    app.post(
      '/v2/:project_id/pools/:pool_name/retry-scope',
      {
        schema: {
          operationId: 'RetryPoolScope',
          tags,
          params: PoolParams,
          body: RetryPoolScopeBody,
          response: { 200: RetryPoolScopeResponse, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => retryPoolScope(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
  };
