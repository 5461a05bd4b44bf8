import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import {
  ListPluginTemplatesQuery,
  PluginTemplate,
  PluginTemplateList,
  PluginTemplateParams,
} from './plugin-template.schema.js';
import { CreatePluginBody, Plugin, PluginList, PoolPluginParams } from './plugin.schema.js';
import { createPoolPlugin, listPluginTemplates, listPoolPlugins, showPluginTemplate } from './plugin.service.js';

export const pluginRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['plugins'];
    app.get(
      '/v2/:project_id/plugintemplates',
      {
        schema: {
          operationId: 'ListPluginTemplates',
          tags,
          params: ProjectParams,
          querystring: ListPluginTemplatesQuery,
          response: { 200: PluginTemplateList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listPluginTemplates(ctx, request.params.project_id, request.query),
    );
    app.get(
      '/v1/:project_id/plugintemplates/:plugintemplate_name',
      {
        schema: {
          operationId: 'ShowPluginTemplate',
          tags,
          params: PluginTemplateParams,
          response: { 200: PluginTemplate, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showPluginTemplate(ctx, request.params.project_id, request.params.plugintemplate_name),
    );
    app.get(
      '/v2/:project_id/pools/:pool_name/plugins',
      {
        schema: {
          operationId: 'ListPoolPlugins',
          tags,
          params: PoolPluginParams,
          response: { 200: PluginList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listPoolPlugins(ctx, request.params.project_id, request.params.pool_name),
    );
    app.post(
      '/v2/:project_id/pools/:pool_name/plugins',
      {
        schema: {
          operationId: 'CreatePoolPlugin',
          tags,
          params: PoolPluginParams,
          body: CreatePluginBody,
          response: { 200: Plugin, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      (request) => createPoolPlugin(ctx, request.params.project_id, request.params.pool_name, request.body),
    );
  };
