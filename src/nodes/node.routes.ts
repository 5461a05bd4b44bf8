import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errorResponses } from '../http/wire.js';
import { PoolParams } from '../pools/pool.schema.js';
import { batchBindNodes, batchDeleteNodes, batchDrainNodes, batchLockNodes, batchUpdateNodes } from './node.actions.js';
import {
  BatchBindBody,
  BatchDeleteBody,
  BatchMigrateBody,
  BatchRebootAnswer,
  BatchRebootBody,
  BatchResetBody,
  BatchResizeAnswer,
  BatchResizeBody,
  JobAnswer,
  BatchDrainBody,
  BatchLockBody,
  BatchUpdateBody,
  BatchUpdateResult,
  EmptyAnswer,
  Node,
  NodeList,
  NodeListQuery,
  NodeParams,
  NodeResults,
} from './node.schema.js';
import { listPoolNodes, showPoolNode } from './node.service.js';
import { batchRebootNodes, batchResetNodes } from './node.restart.js';
import { batchMigrateNodes } from './node.migrate.js';
import { batchResizeNodes } from './node.resize.js';

const NODES = '/v2/:project_id/pools/:pool_name/nodes';

export const nodeRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['nodes'];
    app.get(
      NODES,
      {
        schema: {
          operationId: 'ListPoolNodes',
          tags,
          params: PoolParams,
          querystring: NodeListQuery,
          response: { 200: NodeList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listPoolNodes(ctx, request.params.project_id, request.params.pool_name, request.query),
    );
    app.get(
      `${NODES}/:node_name`,
      {
        schema: {
          operationId: 'ShowPoolNode',
          tags,
          params: NodeParams,
          response: { 200: Node, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPoolNode(ctx, request.params.project_id, request.params.pool_name, request.params.node_name),
    );

    /** The schema of a batch action: POST …/nodes/<action> with its body and its answer. */
    const batch = <B extends TSchema, R extends TSchema>(operationId: string, body: B, answer: R) => ({
      schema: {
        operationId,
        tags,
        params: PoolParams,
        body,
        response: { 200: answer, ...errorResponses(400, 401, 403, 404) },
      },
    });
    app.post(`${NODES}/batch-delete`, batch('BatchDeletePoolNodes', BatchDeleteBody, EmptyAnswer), (r) =>
      batchDeleteNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-lock`, batch('BatchLockPoolNodes', BatchLockBody, NodeResults), (r) =>
      batchLockNodes(ctx, r.params.project_id, r.params.pool_name, r.body, true),
    );
    app.post(`${NODES}/batch-unlock`, batch('BatchUnlockPoolNodes', BatchLockBody, NodeResults), (r) =>
      batchLockNodes(ctx, r.params.project_id, r.params.pool_name, r.body, false),
    );
    app.post(`${NODES}/batch-update`, batch('BatchUpdatePoolNodes', BatchUpdateBody, BatchUpdateResult), (r) =>
      batchUpdateNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-bind`, batch('BatchBindPoolNodes', BatchBindBody, EmptyAnswer), (r) =>
      batchBindNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-reboot`, batch('BatchRebootPoolNodes', BatchRebootBody, BatchRebootAnswer), (r) =>
      batchRebootNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-reset`, batch('BatchResetPoolNodes', BatchResetBody, JobAnswer), (r) =>
      batchResetNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-migrate`, batch('BatchMigratePoolNodes', BatchMigrateBody, JobAnswer), (r) =>
      batchMigrateNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-resize`, batch('BatchResizePoolNodes', BatchResizeBody, BatchResizeAnswer), (r) =>
      batchResizeNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
    app.post(`${NODES}/batch-drain`, batch('BatchDrainPoolNodes', BatchDrainBody, EmptyAnswer), (r) =>
      batchDrainNodes(ctx, r.params.project_id, r.params.pool_name, r.body),
    );
  };
