import type { Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import { deferredIn, flushDeferred, fromDbTime, toDbTime } from '../db/database.js';
import { rowParam, rowValues, preparedByShape } from '../db/prepared-read.js';
import type { EventTable } from '../db/schema.js';
import type { EventResource, EventType } from './event.schema.js';

export type { EventResource, EventType };

export interface NewEvent {
  projectId: string;
  resourceKind: EventResource;
  resourceName: string;
  type: EventType;
  reason: string;
  message: string;
  at: Date;
}

/** An event as the store hands it out. */
export interface EventRecord extends NewEvent {
  id: number;
}

type EventRow = Selectable<EventTable>;

function toEventRecord(row: EventRow): EventRecord {
  return {
    id: Number(row.id),
    projectId: row.project_id,
    resourceKind: row.resource_kind as EventResource,
    resourceName: row.resource_name,
    type: row.type as EventType,
    reason: row.reason,
    message: row.message,
    at: fromDbTime(row.created_at),
  };
}

/** The values of one event row, by the plain names of its parameters (rowValues numbers them). */
const eventValues = (event: NewEvent): Record<string, unknown> => ({
  projectId: event.projectId,
  kind: event.resourceKind,
  name: event.resourceName,
  type: event.type,
  reason: event.reason,
  message: event.message,
  at: toDbTime(event.at),
});

/** Events one insert writes at most (a bound on the statements prepared, one per number of rows). */
const INSERT_ROWS = 32;

/** One insert of `rows` events, in the order given: the ids follow that order. */
const eventsInsert = preparedByShape<number>((db, rows) =>
  db.insertInto('events').values(
    Array.from({ length: rows }, (_, i) => ({
      project_id: rowParam('projectId', i),
      resource_kind: rowParam<NewEvent['resourceKind']>('kind', i),
      resource_name: rowParam('name', i),
      type: rowParam<NewEvent['type']>('type', i),
      reason: rowParam('reason', i),
      message: rowParam('message', i),
      created_at: rowParam('at', i),
    })),
  ),
);

async function insertEvents(tx: Executor, events: readonly NewEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += INSERT_ROWS) {
    const rows = events.slice(start, start + INSERT_ROWS);
    await eventsInsert(tx, String(rows.length), rows.length, rowValues(rows, eventValues));
  }
}

/** The key of the events a transaction gathered (db/transactions.ts deferredIn). */
const PENDING_EVENTS = {};

/**
 * Records what happened to a resource; always inside the transaction that made it happen.
 * Inside Database.transaction the events of the transaction are gathered and written
 * together, in the order recorded, as one insert at its end (before the commit: they
 * commit, or are lost, with what they record); on a bare executor, at once.
 */
export async function insertEvent(tx: Executor, event: NewEvent): Promise<void> {
  const pending = deferredIn(tx, PENDING_EVENTS, () => {
    const events: NewEvent[] = [];
    return { events, flush: () => insertEvents(tx, events) };
  });
  if (pending) pending.events.push({ ...event });
  else await insertEvents(tx, [event]);
}

/** Every event of one resource, oldest first. */
export async function listEventsOf(
  tx: Executor,
  projectId: string,
  kind: EventResource,
  name: string,
): Promise<EventRecord[]> {
  await flushDeferred(tx, PENDING_EVENTS);
  const rows = await tx
    .selectFrom('events')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('resource_kind', '=', kind)
    .where('resource_name', '=', name)
    .orderBy('id')
    .execute();
  return rows.map(toEventRecord);
}

/** What ListEvents selects: one resource's events, filtered; paging is applied by the caller. */
export interface EventFilter {
  projectId: string;
  kind: EventResource;
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
): Promise<EventRecord[]> {
  await flushDeferred(tx, PENDING_EVENTS);
  const rows = await eventQuery(tx, filter)
    .selectAll()
    .orderBy('id', filter.newestFirst ? 'desc' : 'asc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toEventRecord);
}

export async function countEvents(tx: Executor, filter: EventFilter): Promise<number> {
  await flushDeferred(tx, PENDING_EVENTS);
  const row = await eventQuery(tx, filter)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether a resource ever had an event (of this reason, if one is given): a deleted pool's history stays readable. */
export async function hasEvents(
  tx: Executor,
  projectId: string,
  kind: EventResource,
  name: string,
  reason?: string,
): Promise<boolean> {
  await flushDeferred(tx, PENDING_EVENTS);
  let query = tx
    .selectFrom('events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('resource_kind', '=', kind)
    .where('resource_name', '=', name);
  if (reason !== undefined) query = query.where('reason', '=', reason);
  const row = await query.limit(1).executeTakeFirst();
  return row !== undefined;
}
