import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import {
  CreatedOrderId,
  CreateOrderIdBody,
  CreateOrderIdQuery,
  ListOrdersQuery,
  OrderDetail,
  OrderIdParams,
  OrderList,
  OrderParams,
} from './order.schema.js';
import { createOrderId, listOrders, showOrder } from './order.service.js';

export const orderRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/:project_id/orders',
      {
        schema: {
          operationId: 'ListOrders',
          summary: 'List the orders of the project (no SDK method; the Terraform provider waits on it)',
          tags: ['orders'],
          params: ProjectParams,
          querystring: ListOrdersQuery,
          response: { 200: OrderList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listOrders(ctx, request.params.project_id, request.query),
    );
    app.get(
      '/v1/:project_id/orders/:order_name',
      {
        schema: {
          operationId: 'ShowOrder',
          summary: 'Show an order: the resources it touches and how each fared',
          tags: ['orders'],
          params: OrderParams,
          response: { 200: OrderDetail, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => showOrder(ctx, request.params.project_id, request.params.order_name),
    );
    app.post(
      '/v2/:project_id/pools/:pool_name/orderid',
      {
        schema: {
          operationId: 'CreateOrderId',
          summary: 'Create the order of a switch of a pool to yearly/monthly billing',
          tags: ['orders'],
          params: OrderIdParams,
          querystring: CreateOrderIdQuery,
          body: CreateOrderIdBody,
          response: { 200: CreatedOrderId, ...errorResponses(400, 401, 403, 404) },
        },
        // The SDK sends `{}` when there is no body; other clients send none at all.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      (request) => createOrderId(ctx, request.params.project_id, request.params.pool_name),
    );
  };
