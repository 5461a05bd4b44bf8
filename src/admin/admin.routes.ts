import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { AtelierError } from '../errors.js';
import { errorResponses } from '../http/wire.js';
import {
  AdvanceBody,
  AdvanceResult,
  ClearResult,
  ClockBody,
  ClockState,
  Fault,
  FaultBody,
  FaultList,
  FaultListQuery,
  FaultParams,
  Lifecycle,
  LifecycleBody,
  ResetBody,
  ResetResult,
} from './admin.schema.js';
import {
  advanceClock,
  advanceLifecycle,
  clearFaults,
  createFault,
  listFaults,
  showClock,
  showLifecycle,
  updateLifecycle,
} from './admin.service.js';
import { resetState } from './reset.service.js';
import { SubmitWorkloadBody, Workload } from '../workloads/workload.schema.js';
import { submitWorkload } from '../workloads/workload.service.js';
import { PublishEventBody, ScheduledEvent } from '../scheduled-events/scheduled-event.schema.js';
import { publishScheduledEvent } from '../scheduled-events/scheduled-event.service.js';
import { Order, PayParams } from '../orders/order.schema.js';
import { payOrder } from '../orders/order.service.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Compares in constant time: both sides are hashed first, so neither the length
 * nor the first differing byte of the token shows in the time taken.
 */
export function adminTokenMatches(expected: string, header: string | undefined): boolean {
  const presented = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const ok = timingSafeEqual(digest(expected), digest(presented ?? ''));
  return ok && presented !== undefined;
}

/** Every control is `public` to the AK/SK check; the plugin's hook checks the bearer token. */
const config = { public: true };
const tags = ['emulator'];
const errors = (...statuses: number[]) => errorResponses(400, 401, ...statuses);

/**
 * The emulator controls under /_atelier/ (docs/emulator.md). Registered only when
 * ATELIER_ADMIN_TOKEN is set; the routes are `public` to the AK/SK check, and this
 * plugin's own hook demands the bearer token on every one of them.
 */
export const adminRoutes =
  (ctx: AppContext, token: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addHook('onRequest', async (request) => {
      if (!adminTokenMatches(token, request.headers.authorization)) {
        throw new AtelierError('unauthorized', {
          reason: 'the emulator controls need Authorization: Bearer <ATELIER_ADMIN_TOKEN>',
        });
      }
    });
    // curl -X POST without -d sends no body: treat it as an empty object.
    app.addHook('preValidation', async (request) => {
      if (request.body === undefined && (request.method === 'POST' || request.method === 'PUT')) request.body = {};
    });

    app.post(
      '/_atelier/reset',
      { config, schema: { hide: true, tags, body: ResetBody, response: { 200: ResetResult, ...errors(404) } } },
      (request) => resetState(ctx, request.body, request.log),
    );
    app.get(
      '/_atelier/lifecycle',
      { config, schema: { hide: true, tags, response: { 200: Lifecycle, ...errors() } } },
      async () => showLifecycle(ctx),
    );
    app.put(
      '/_atelier/lifecycle',
      { config, schema: { hide: true, tags, body: LifecycleBody, response: { 200: Lifecycle, ...errors() } } },
      (request) => updateLifecycle(ctx, request.body),
    );
    app.post(
      '/_atelier/lifecycle/advance',
      { config, schema: { hide: true, tags, body: AdvanceBody, response: { 200: AdvanceResult, ...errors() } } },
      (request) => advanceLifecycle(ctx, request.body),
    );
    app.get(
      '/_atelier/faults',
      { config, schema: { hide: true, tags, querystring: FaultListQuery, response: { 200: FaultList, ...errors() } } },
      (request) => listFaults(ctx, request.query.project),
    );
    app.post(
      '/_atelier/faults',
      { config, schema: { hide: true, tags, body: FaultBody, response: { 201: Fault, ...errors() } } },
      async (request, reply) => reply.code(201).send(await createFault(ctx, request.body)),
    );
    app.delete(
      '/_atelier/faults',
      { config, schema: { hide: true, tags, response: { 200: ClearResult, ...errors() } } },
      () => clearFaults(ctx),
    );
    app.delete(
      '/_atelier/faults/:id',
      { config, schema: { hide: true, tags, params: FaultParams, response: { 200: ClearResult, ...errors(404) } } },
      (request) => clearFaults(ctx, request.params.id),
    );
    app.get(
      '/_atelier/clock',
      { config, schema: { hide: true, tags, response: { 200: ClockState, ...errors() } } },
      async () => showClock(ctx),
    );
    app.post(
      '/_atelier/clock/advance',
      { config, schema: { hide: true, tags, body: ClockBody, response: { 200: ClockState, ...errors() } } },
      (request) => advanceClock(ctx, request.body, request.log),
    );
    simulationRoutes(app, ctx);
  };

/** The controls that stand in for what the cloud and its users do: workloads, maintenance, payment. */
function simulationRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], ctx: AppContext): void {
  app.post(
    '/_atelier/workloads',
    { config, schema: { hide: true, tags, body: SubmitWorkloadBody, response: { 201: Workload, ...errors(404) } } },
    async (request, reply) => reply.code(201).send(await submitWorkload(ctx, request.body)),
  );
  app.post(
    '/_atelier/scheduled-events',
    {
      config,
      schema: { hide: true, tags, body: PublishEventBody, response: { 201: ScheduledEvent, ...errors(404) } },
    },
    async (request, reply) => reply.code(201).send(await publishScheduledEvent(ctx, request.body)),
  );
  // Decision 19: an administrator pays a pending yearly/monthly order (the CLI: atelier orders pay).
  app.post(
    '/_atelier/orders/:order_name/pay',
    { config, schema: { hide: true, tags, params: PayParams, response: { 200: Order, ...errors(404) } } },
    (request) => payOrder(ctx, request.params.order_name),
  );
}
