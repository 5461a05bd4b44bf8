import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import {
  CreateNetworkBody,
  ListNetworksQuery,
  Network,
  NetworkAvailableIp,
  NetworkAvailableIpQuery,
  NetworkList,
  NetworkParams,
  PatchNetworkBody,
} from './network.schema.js';
import {
  createNetwork,
  deleteNetwork,
  listNetworks,
  patchNetwork,
  showNetwork,
  showNetworkAvailableIp,
} from './network.service.js';

export const networkRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['networks'];
    app.post(
      '/v1/:project_id/networks',
      {
        schema: {
          operationId: 'CreateNetwork',
          tags,
          params: ProjectParams,
          body: CreateNetworkBody,
          response: { 200: Network, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      (request) => createNetwork(ctx, request.params.project_id, request.body),
    );
    app.get(
      '/v1/:project_id/networks',
      {
        schema: {
          operationId: 'ListNetworks',
          tags,
          params: ProjectParams,
          querystring: ListNetworksQuery,
          response: { 200: NetworkList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listNetworks(ctx, request.params.project_id, request.query),
    );
    app.get(
      '/v1/:project_id/networks/:network_name',
      {
        schema: {
          operationId: 'ShowNetwork',
          tags,
          params: NetworkParams,
          response: { 200: Network, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showNetwork(ctx, request.params.project_id, request.params.network_name),
    );
    app.patch(
      '/v1/:project_id/networks/:network_name',
      {
        schema: {
          operationId: 'PatchNetwork',
          tags,
          params: NetworkParams,
          body: PatchNetworkBody,
          response: { 200: Network, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      (request) => patchNetwork(ctx, request.params.project_id, request.params.network_name, request.body),
    );
    app.delete(
      '/v1/:project_id/networks/:network_name',
      {
        schema: {
          operationId: 'DeleteNetwork',
          tags,
          params: NetworkParams,
          response: { 200: Network, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      (request) => deleteNetwork(ctx, request.params.project_id, request.params.network_name),
    );
    await app.register(availableIpRoute(ctx));
  };

/** ShowNetworkAvailableIp (plugins-scheduled-events-misc.md §4). */
const availableIpRoute =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/:project_id/networks/:network_name/network-ip-availabilities',
      {
        schema: {
          operationId: 'ShowNetworkAvailableIp',
          tags: ['networks'],
          params: NetworkParams,
          querystring: NetworkAvailableIpQuery,
          response: { 200: NetworkAvailableIp, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) =>
        showNetworkAvailableIp(ctx, request.params.project_id, request.params.network_name, request.query.network_id),
    );
  };
