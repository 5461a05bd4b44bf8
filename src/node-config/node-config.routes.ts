import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses } from '../http/wire.js';
import { PoolParams } from '../pools/pool.schema.js';
import {
  NodeConfigTemplate,
  NodeConfigTemplateParams,
  PoolNodeConfig,
  PoolNodeConfigTemplate,
} from './node-config.schema.js';
import { showNodeConfigTemplate, showPoolNodeConfig, showPoolNodeConfigTemplate } from './node-config.service.js';

export const nodeConfigRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v2/:project_id/pools/:pool_name/node-config',
      {
        schema: {
          operationId: 'ShowPoolNodeConfig',
          summary: 'Show the node configuration of a pool',
          tags: ['node-config'],
          params: PoolParams,
          response: { 200: PoolNodeConfig, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPoolNodeConfig(ctx, request.params.project_id, request.params.pool_name),
    );
    app.get(
      '/v2/:project_id/pools/:pool_name/node-config-template',
      {
        schema: {
          operationId: 'ShowPoolNodeConfigTemplate',
          summary: 'Show the node configuration templates of the flavors of a pool',
          tags: ['node-config'],
          params: PoolParams,
          response: { 200: PoolNodeConfigTemplate, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPoolNodeConfigTemplate(ctx, request.params.project_id, request.params.pool_name),
    );
    app.get(
      '/v1/:project_id/nodeconfigtemplates/:nodeconfigtemplate_name',
      {
        schema: {
          operationId: 'ShowNodeConfigTemplate',
          summary: 'Show a node configuration template',
          tags: ['node-config'],
          params: NodeConfigTemplateParams,
          response: { 200: NodeConfigTemplate, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showNodeConfigTemplate(ctx, request.params.project_id, request.params.nodeconfigtemplate_name),
    );
  };
