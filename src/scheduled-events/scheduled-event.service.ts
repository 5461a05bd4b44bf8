import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AtelierError, badRequest } from '../errors.js';
import { findNode } from '../nodes/node.reads.js';
import { requireProject } from '../projects/project.service.js';
import { findPool, findPoolByDisplayName } from '../pools/pool.reads.js';
import {
  DEFAULT_CATALOG,
  DEFAULT_WINDOW_MS,
  EVENT_STATES,
  EVENT_TYPES,
  REDEPLOY_TYPES,
  type EventState,
  type EventType,
} from './scheduled-event.lifecycle.js';
import type {
  AcceptBody,
  AcceptQuery,
  ListScheduledEventsQuery,
  PublishEventBody,
  ScheduledEvent,
  ScheduledEventList,
} from './scheduled-event.schema.js';
import {
  countEvents,
  eventIdTaken,
  findScheduledEvent,
  insertScheduledEvent,
  selectEventPage,
  updateEventIf,
} from './scheduled-event.store.js';
import { toScheduledEvent } from './scheduled-event.view.js';

/**
 * Scheduled maintenance events (plugins-scheduled-events-misc.md §3, decision
 * 30): published only by the emulator controls, listed and accepted through
 * the API; the engine runs an accepted event when its time comes
 * (scheduled-event.steps.ts).
 */

/** `state=a&state=b` or `state=a,b`: each value checked against its enum, compared literally. */
function valuesOf<T extends string>(field: string, given: readonly string[] | undefined, allowed: readonly T[]) {
  if (!given) return undefined;
  const values = given.flatMap((v) => v.split(',')).filter((v) => v.length > 0);
  const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length > 0)
    throw badRequest(`${field}: unknown value ${unknown.join(', ')}; one of ${allowed.join(', ')}`);
  return values as T[];
}

export async function listScheduledEvents(
  ctx: AppContext,
  projectId: string,
  query: ListScheduledEventsQuery,
): Promise<ScheduledEventList> {
  await requireProject(ctx, projectId);
  const from = query.publishStartTime ? new Date(query.publishStartTime) : undefined;
  const to = query.publishEndTime ? new Date(query.publishEndTime) : undefined;
  for (const [field, date] of [
    ['publishStartTime', from],
    ['publishEndTime', to],
  ] as const) {
    if (date && Number.isNaN(date.getTime())) throw badRequest(`${field}: not a time`);
  }
  if (from && to && from > to) throw badRequest('publishStartTime is after publishEndTime');
  const filter = {
    projectId,
    workspaceId: query.workspaceId ?? '0',
    states: valuesOf<EventState>('state', query.state, EVENT_STATES),
    types: valuesOf<EventType>('type', query.type, EVENT_TYPES),
    eventId: query.id,
    nodeName: query.nodeName,
    poolName: query.poolName,
    publishedFrom: from,
    publishedTo: to,
  };
  const db = ctx.database.db;
  const [count, page] = await Promise.all([
    countEvents(db, filter),
    selectEventPage(db, filter, query.limit ?? 100, query.offset ?? 0),
  ]);
  return { events: page.map(toScheduledEvent), count };
}

/** The one workspace an accept names: the SDK may send the key twice (§7 #6), with one value. */
function workspaceOf(query: AcceptQuery): string | undefined {
  const values = [...new Set(query.workspaceId ?? [])];
  if (values.length > 1) throw badRequest('workspaceId: given twice with different values');
  return values[0];
}

/**
 * AcceptScheduledEvent: inquiring → scheduled, to run at `notBefore` (inside
 * the window, not in the past; default the window's start). An event of another
 * project or workspace is not found; one not awaiting an accept is refused.
 */
export async function acceptScheduledEvent(
  ctx: AppContext,
  projectId: string,
  eventId: string,
  query: AcceptQuery,
  body: AcceptBody,
): Promise<ScheduledEvent> {
  await requireProject(ctx, projectId);
  const workspaceId = workspaceOf(query) ?? '0';
  return ctx.database
    .transaction(async (tx) => {
      const event = await findScheduledEvent(tx, projectId, eventId);
      if (!event || event.workspaceId !== workspaceId)
        throw new AtelierError('scheduledEventNotFound', { id: eventId });
      if (event.state !== 'inquiring') {
        throw badRequest(`scheduled event ${eventId} is ${event.state}; only an inquiring event is accepted`);
      }
      const now = ctx.clock.now();
      const notBefore = body.notBefore ? new Date(body.notBefore) : null;
      if (notBefore && Number.isNaN(notBefore.getTime())) throw badRequest('notBefore: not a time');
      if (notBefore && notBefore.getTime() < now.getTime() - 1_000) throw badRequest('notBefore: in the past');
      if (notBefore && notBefore > event.finishTime) throw badRequest('notBefore: after the event’s window');
      const redeploy = body.redeployConfig?.type;
      if (redeploy && !event.redeployType.includes(redeploy)) {
        throw badRequest(`redeployConfig.type: ${redeploy} is not one of ${event.redeployType.join(', ')}`);
      }
      const runAt = new Date(Math.max(event.startTime.getTime(), notBefore?.getTime() ?? 0, now.getTime()));
      const accepted = await updateEventIf(tx, event, {
        state: 'scheduled',
        notBefore: notBefore ?? event.startTime,
        redeployConfig: body.redeployConfig ?? null,
        dueAt: runAt,
      });
      // Another accept of the same event committed first: this one is the second.
      if (!accepted) throw badRequest(`scheduled event ${eventId} was accepted meanwhile`);
      return toScheduledEvent(accepted);
    })
    .finally(() => ctx.wakeEngine());
}

/** The emulator control: publishes an event for a node of a pool (D-S1). */
export async function publishScheduledEvent(ctx: AppContext, body: PublishEventBody): Promise<ScheduledEvent> {
  await requireProject(ctx, body.project);
  const now = ctx.clock.now();
  const start = body.startTime ? new Date(body.startTime) : now;
  const finish = body.finishTime ? new Date(body.finishTime) : new Date(start.getTime() + DEFAULT_WINDOW_MS);
  if (finish <= start) throw badRequest('finishTime: must be after startTime');
  const type = body.type ?? 'node_reboot';
  const needsAccept = body.needsAccept ?? true;
  const event = await ctx.database.transaction(async (tx) => {
    const pool =
      (await findPool(tx, body.project, body.pool)) ?? (await findPoolByDisplayName(tx, body.project, body.pool));
    if (!pool) throw new AtelierError('poolNotFound', { name: body.pool });
    const node = await findNode(tx, pool.id, body.node);
    if (!node) throw new AtelierError('nodeNotFound', { name: body.node });
    let eventId: string;
    do eventId = `se-${randomBytes(6).toString('hex')}`;
    while (await eventIdTaken(tx, eventId));
    return insertScheduledEvent(tx, {
      eventId,
      projectId: body.project,
      workspaceId: pool.workspaceId,
      catalog: body.catalog ?? DEFAULT_CATALOG[type],
      type,
      description: body.description ?? `Maintenance (${type}) of node ${node.name}.`,
      state: needsAccept ? 'inquiring' : 'scheduled',
      poolName: pool.name,
      poolDisplayName: pool.displayName,
      nodeName: node.name,
      instanceId: node.labels['os.modelarts.node/underlying.instance.id'] ?? '',
      redeployType: body.redeployType ?? [...REDEPLOY_TYPES],
      redeployConfig: null,
      publishTime: now,
      startTime: start,
      finishTime: finish,
      notBefore: null,
      probeMsg: '',
      jobId: null,
      dueAt: needsAccept ? null : new Date(Math.max(start.getTime(), now.getTime())),
    });
  });
  ctx.wakeEngine();
  return toScheduledEvent(event);
}
