import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses } from '../http/wire.js';
import { NodeList } from '../nodes/node.schema.js';
import {
  CreateNodePoolBody,
  NodePool,
  NodePoolList,
  NodePoolNodesQuery,
  NodePoolParams,
  PatchNodePoolBody,
  ShowNodePoolQuery,
} from './nodepool.schema.js';
import {
  createNodePool,
  deleteNodePool,
  listNodePoolNodes,
  listNodePools,
  patchNodePool,
  showNodePool,
} from './nodepool.service.js';
import { PoolParams } from './pool.schema.js';

const NODEPOOLS = '/v2/:project_id/pools/:pool_name/nodepools';
const NODEPOOL = `${NODEPOOLS}/:nodepool_name`;

export const nodePoolRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['node pools'];
    app.post(
      NODEPOOLS,
      {
        schema: {
          operationId: 'CreateNodePool',
          tags,
          params: PoolParams,
          body: CreateNodePoolBody,
          response: { 200: NodePool, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      (request) => createNodePool(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
    app.get(
      NODEPOOLS,
      {
        schema: {
          operationId: 'ListNodePools',
          tags,
          params: PoolParams,
          response: { 200: NodePoolList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listNodePools(ctx, request.params.project_id, request.params.pool_name),
    );
    app.get(
      NODEPOOL,
      {
        schema: {
          operationId: 'ShowNodePool',
          tags,
          params: NodePoolParams,
          querystring: ShowNodePoolQuery,
          response: { 200: NodePool, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showNodePool(ctx, request.params.project_id, request.params.pool_name, request.params.nodepool_name),
    );
    changeRoutes(ctx, app, tags);
  };

/** The node-pool changes and the node list of a node pool. */
function changeRoutes(ctx: AppContext, app: Parameters<FastifyPluginAsyncTypebox>[0], tags: string[]) {
  app.patch(
    NODEPOOL,
    {
      schema: {
        operationId: 'PatchNodePool',
        tags,
        params: NodePoolParams,
        body: PatchNodePoolBody,
        response: { 200: NodePool, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) =>
      patchNodePool(
        ctx,
        request.params.project_id,
        request.params.pool_name,
        request.params.nodepool_name,
        request.body,
      ),
  );
  app.delete(
    NODEPOOL,
    {
      schema: {
        operationId: 'DeleteNodePool',
        tags,
        params: NodePoolParams,
        response: { 200: NodePool, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) => deleteNodePool(ctx, request.params.project_id, request.params.pool_name, request.params.nodepool_name),
  );
  app.get(
    `${NODEPOOL}/nodes`,
    {
      schema: {
        operationId: 'ListNodePoolNodes',
        tags,
        params: NodePoolParams,
        querystring: NodePoolNodesQuery,
        response: { 200: NodeList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (request) =>
      listNodePoolNodes(
        ctx,
        request.params.project_id,
        request.params.pool_name,
        request.params.nodepool_name,
        request.query,
      ),
  );
}
