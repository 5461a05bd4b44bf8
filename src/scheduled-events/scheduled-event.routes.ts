import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { errorResponses, ProjectParams } from '../http/wire.js';
import {
  AcceptBody,
  AcceptQuery,
  EventParams,
  ListScheduledEventsQuery,
  ScheduledEvent,
  ScheduledEventList,
} from './scheduled-event.schema.js';
import { acceptScheduledEvent, listScheduledEvents } from './scheduled-event.service.js';

export const scheduledEventRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['scheduled-events'];
    app.get(
      '/v1/:project_id/scheduled-events',
      {
        schema: {
          operationId: 'ListScheduledEvents',
          summary: 'List scheduled maintenance events',
          tags,
          params: ProjectParams,
          querystring: ListScheduledEventsQuery,
          response: { 200: ScheduledEventList, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) => listScheduledEvents(ctx, request.params.project_id, request.query),
    );
    app.post(
      '/v1/:project_id/scheduled-events/:event_id/accept',
      {
        schema: {
          operationId: 'AcceptScheduledEvent',
          summary: 'Accept a scheduled maintenance event',
          tags,
          params: EventParams,
          querystring: AcceptQuery,
          body: AcceptBody,
          response: { 200: ScheduledEvent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      (request) =>
        acceptScheduledEvent(ctx, request.params.project_id, request.params.event_id, request.query, request.body),
    );
  };
