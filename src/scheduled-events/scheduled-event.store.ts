import { claimDue } from '../db/claims.js';
import type { Database, Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { afterUpdate, toDbTimeOrNull, updateIfVersion } from '../db/resource-store.js';
import type { ScheduledEventRow, ScheduledEventUpdate } from '../db/schema.js';
import type { EventCatalog, EventState, EventType, RedeployType } from './scheduled-event.lifecycle.js';
import type { NewScheduledEvent, ScheduledEventChanges, ScheduledEventRecord } from './scheduled-event.record.js';
import type { RedeployConfig } from './scheduled-event.schema.js';

/** The one place a row becomes a record (STYLE §4). */
export function toScheduledEventRecord(row: ScheduledEventRow): ScheduledEventRecord {
  return {
    id: Number(row.id),
    eventId: row.event_id,
    projectId: row.project_id,
    workspaceId: row.workspace_id,
    catalog: row.catalog as EventCatalog,
    type: row.type as EventType,
    description: row.description,
    state: row.state as EventState,
    poolName: row.pool_name,
    poolDisplayName: row.pool_display_name,
    nodeName: row.node_name,
    instanceId: row.instance_id,
    redeployType: JSON.parse(row.redeploy_type) as RedeployType[],
    redeployConfig: row.redeploy_config === null ? null : (JSON.parse(row.redeploy_config) as RedeployConfig),
    publishTime: fromDbTime(row.publish_time),
    startTime: fromDbTime(row.start_time),
    finishTime: fromDbTime(row.finish_time),
    notBefore: fromDbTime(row.not_before),
    probeMsg: row.probe_msg,
    jobId: row.job_id,
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

function toUpdate(changes: ScheduledEventChanges): ScheduledEventUpdate {
  const update: ScheduledEventUpdate = {};
  if (changes.state !== undefined) update.state = changes.state;
  if (changes.notBefore !== undefined) update.not_before = toDbTimeOrNull(changes.notBefore);
  if (changes.redeployConfig !== undefined) {
    update.redeploy_config = changes.redeployConfig === null ? null : JSON.stringify(changes.redeployConfig);
  }
  if (changes.probeMsg !== undefined) update.probe_msg = changes.probeMsg;
  if (changes.jobId !== undefined) update.job_id = changes.jobId;
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

export async function insertScheduledEvent(tx: Executor, event: NewScheduledEvent): Promise<ScheduledEventRecord> {
  const inserted = await tx
    .insertInto('scheduled_events')
    .values({
      event_id: event.eventId,
      project_id: event.projectId,
      workspace_id: event.workspaceId,
      catalog: event.catalog,
      type: event.type,
      description: event.description,
      state: event.state,
      pool_name: event.poolName,
      pool_display_name: event.poolDisplayName,
      node_name: event.nodeName,
      instance_id: event.instanceId,
      redeploy_type: JSON.stringify(event.redeployType),
      redeploy_config: event.redeployConfig === null ? null : JSON.stringify(event.redeployConfig),
      publish_time: toDbTime(event.publishTime),
      start_time: toDbTime(event.startTime),
      finish_time: toDbTime(event.finishTime),
      not_before: toDbTimeOrNull(event.notBefore),
      probe_msg: event.probeMsg,
      job_id: event.jobId,
      due_at: toDbTimeOrNull(event.dueAt),
      version: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...event, id: Number(inserted.id), version: 0 };
}

export async function eventIdTaken(tx: Executor, eventId: string): Promise<boolean> {
  const row = await tx.selectFrom('scheduled_events').select('id').where('event_id', '=', eventId).executeTakeFirst();
  return row !== undefined;
}

export async function findScheduledEvent(
  tx: Executor,
  projectId: string,
  eventId: string,
): Promise<ScheduledEventRecord | undefined> {
  const row = await tx
    .selectFrom('scheduled_events')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row && toScheduledEventRecord(row);
}

/** What ListScheduledEvents selects; every field narrows. */
export interface EventFilter {
  projectId: string;
  workspaceId: string;
  states?: readonly EventState[];
  types?: readonly EventType[];
  eventId?: string;
  nodeName?: string;
  poolName?: string;
  publishedFrom?: Date;
  publishedTo?: Date;
}

function filtered(tx: Executor, f: EventFilter) {
  let query = tx
    .selectFrom('scheduled_events')
    .where('project_id', '=', f.projectId)
    .where('workspace_id', '=', f.workspaceId);
  if (f.states) query = query.where('state', 'in', [...f.states]);
  if (f.types) query = query.where('type', 'in', [...f.types]);
  if (f.eventId !== undefined) query = query.where('event_id', '=', f.eventId);
  if (f.nodeName !== undefined) query = query.where('node_name', '=', f.nodeName);
  if (f.poolName !== undefined) query = query.where('pool_name', '=', f.poolName);
  if (f.publishedFrom) query = query.where('publish_time', '>=', toDbTime(f.publishedFrom));
  if (f.publishedTo) query = query.where('publish_time', '<=', toDbTime(f.publishedTo));
  return query;
}

/** A page of the matching events, newest first. */
export async function selectEventPage(
  tx: Executor,
  filter: EventFilter,
  limit: number,
  offset: number,
): Promise<ScheduledEventRecord[]> {
  const rows = await filtered(tx, filter)
    .selectAll()
    .orderBy('publish_time', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toScheduledEventRecord);
}

export async function countEvents(tx: Executor, filter: EventFilter): Promise<number> {
  const row = await filtered(tx, filter)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const eventUpdate = updateIfVersion('scheduled_events');

/** Applies `changes` at the version read (handing back the engine's lease); undefined when another writer came first. */
export async function updateEventIf(
  tx: Executor,
  event: ScheduledEventRecord,
  changes: ScheduledEventChanges,
): Promise<ScheduledEventRecord | undefined> {
  if (!(await eventUpdate(tx, event.id, event.version, toUpdate(changes)))) return undefined;
  return afterUpdate<ScheduledEventRecord>(event, changes);
}

/** Claims up to `limit` due events for the engine `owner` (db/claims.ts). */
export async function claimDueScheduledEvents(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<ScheduledEventRecord[]> {
  return (await claimDue(database, 'scheduled_events', owner, now, leaseMs, limit, onTakeover)).map(
    toScheduledEventRecord,
  );
}
