import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import { EventList, ListEventsQuery } from './event.schema.js';
import { listEvents } from './event.service.js';

export const eventRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/:project_id/events',
      {
        schema: {
          operationId: 'ListEvents',
          summary: 'Events of a resource pool (or, our extension, a network)',
          tags: ['events'],
          params: ProjectParams,
          querystring: ListEventsQuery,
          response: { 200: EventList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listEvents(ctx, request.params.project_id, request.query),
    );
  };
