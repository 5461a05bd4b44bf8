import type { Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import { toDbTime } from '../db/database.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import type { EventTable } from '../db/schema.js';
import type { EVENT_TYPES } from './event.schema.js';

export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  projectId: string;
  resourceKind: 'pools' | 'networks';
  resourceName: string;
  type: EventType;
  reason: string;
  message: string;
  at: Date;
}

/** Records what happened to a resource; always inside the transaction that made it happen. */
const eventInsert = preparedStatement<{
  projectId: string;
  kind: string;
  name: string;
  type: string;
  reason: string;
  message: string;
  at: string;
}>((db) =>
  db.insertInto('events').values({
    project_id: param('projectId'),
    resource_kind: param<NewEvent['resourceKind']>('kind'),
    resource_name: param('name'),
    type: param<NewEvent['type']>('type'),
    reason: param('reason'),
    message: param('message'),
    created_at: param('at'),
  }),
);

export async function insertEvent(tx: Executor, event: NewEvent): Promise<void> {
  await eventInsert(tx, {
    projectId: event.projectId,
    kind: event.resourceKind,
    name: event.resourceName,
    type: event.type,
    reason: event.reason,
    message: event.message,
    at: toDbTime(event.at),
  });
}

export async function listEventsOf(tx: Executor, projectId: string, kind: 'pools' | 'networks', name: string) {
  return tx
    .selectFrom('events')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('resource_kind', '=', kind)
    .where('resource_name', '=', name)
    .orderBy('id')
    .execute();
}

export type EventRow = Selectable<EventTable>;

/** What ListEvents selects: one resource's events, filtered; paging is applied by the caller. */
export interface EventFilter {
  projectId: string;
  kind: 'pools' | 'networks';
  name: string;
  /** Inclusive bounds on the event time. */
  since?: Date;
  until?: Date;
  type?: EventType;
  newestFirst: boolean;
  /** Keyset position: only events after this id in the chosen order (a `continue` token). */
  afterId?: number;
}

/**
 * Every filter narrows a range of the index (project_id, resource_kind, resource_name, id):
 * the equality prefix picks the resource, the id bound and the order walk the index, and
 * time and type are checked on the rows of that one resource only.
 */
export function eventQuery(tx: Executor, filter: EventFilter) {
  let query = tx
    .selectFrom('events')
    .where('project_id', '=', filter.projectId)
    .where('resource_kind', '=', filter.kind)
    .where('resource_name', '=', filter.name);
  if (filter.afterId !== undefined) query = query.where('id', filter.newestFirst ? '<' : '>', filter.afterId);
  if (filter.since) query = query.where('created_at', '>=', toDbTime(filter.since));
  if (filter.until) query = query.where('created_at', '<=', toDbTime(filter.until));
  if (filter.type) query = query.where('type', '=', filter.type);
  return query;
}

/** One page of events in id order (the order they happened in), or newest first. */
export async function selectEventPage(
  tx: Executor,
  filter: EventFilter,
  limit: number,
  offset = 0,
): Promise<EventRow[]> {
  return eventQuery(tx, filter)
    .selectAll()
    .orderBy('id', filter.newestFirst ? 'desc' : 'asc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countEvents(tx: Executor, filter: EventFilter): Promise<number> {
  const row = await eventQuery(tx, filter)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether a resource ever had an event: a deleted pool's history stays readable. */
export async function hasEvents(
  tx: Executor,
  projectId: string,
  kind: 'pools' | 'networks',
  name: string,
): Promise<boolean> {
  const row = await tx
    .selectFrom('events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('resource_kind', '=', kind)
    .where('resource_name', '=', name)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
