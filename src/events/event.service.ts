import type { AppContext } from '../context.js';
import { AtelierError } from '../errors.js';
import { networkExists } from '../networks/network.reads.js';
import { poolExists } from '../pools/pool.reads.js';
import { requireProject } from '../projects/project.service.js';
import { encodeCursor } from '../shared/cursor.js';
import { formatRfc3339Seconds } from '../shared/go-time.js';
import { cursorPosition } from '../shared/selection.js';
import type { Event, EventList, EventResource, ListEventsQuery } from './event.schema.js';
import { countEvents, hasEvents, selectEventPage, type EventFilter, type EventRecord } from './event.store.js';

/** §4: absent or 0 means 500, which is also the most one page holds. */
const MAX_PAGE = 500;

/** §4 (E2): epoch seconds, unless the value only makes sense as milliseconds. */
const MS_THRESHOLD = 1e12;

/**
 * An epoch value as a time bound. A bound given in seconds covers its whole second:
 * events are shown at second precision, so `until` = the second an event shows must include it.
 */
export function epochBound(value: number, end: 'since' | 'until'): Date {
  if (value > MS_THRESHOLD) return new Date(value);
  return new Date(end === 'since' ? value * 1000 : value * 1000 + 999);
}

function toEvent(row: EventRecord): Event {
  // Each row is one occurrence: we never fold repeats, so count is 1 and both times agree.
  const at = formatRfc3339Seconds(row.at);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    type: row.type,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    reason: row.reason,
    message: row.message,
  };
}

/** 404 unless the resource exists or once existed (its events outlive it). */
async function requireEventSubject(
  ctx: AppContext,
  projectId: string,
  kind: EventResource,
  name: string,
): Promise<void> {
  const db = ctx.database.db;
  const exists = kind === 'pools' ? await poolExists(db, projectId, name) : await networkExists(db, projectId, name);
  if (exists || (await hasEvents(db, projectId, kind, name))) return;
  throw kind === 'pools' ? new AtelierError('poolNotFound', { name }) : new AtelierError('networkNotFound', { name });
}

/**
 * ListEvents (config-events-flavors-tags-plugins.md §4): one resource's events, oldest first
 * unless `ascend=false`, paged by `continue` (HW) or `offset` (OTC) — E1 asks for both. An
 * offset counts from the cursor when both are given.
 */
export async function listEvents(ctx: AppContext, projectId: string, query: ListEventsQuery): Promise<EventList> {
  await requireProject(ctx, projectId);
  const db = ctx.database.db;
  const filter: EventFilter = {
    projectId,
    kind: query.resource,
    name: query.name,
    since: query.since === undefined ? undefined : epochBound(query.since, 'since'),
    until: query.until === undefined ? undefined : epochBound(query.until, 'until'),
    type: query.type,
    newestFirst: query.ascend === false,
  };
  const size = query.limit === undefined || query.limit === 0 ? MAX_PAGE : query.limit;
  const offset = query.offset ?? 0;
  const afterId = query.continue ? cursorPosition(query.continue) : undefined;

  const total = await countEvents(db, filter);
  if (total === 0) await requireEventSubject(ctx, projectId, query.resource, query.name);
  const paged: EventFilter = { ...filter, afterId };
  const rows = total === 0 ? [] : await selectEventPage(db, paged, size, offset);
  const ahead = afterId === undefined ? total : await countEvents(db, paged);
  const remaining = Math.max(0, ahead - offset - rows.length);

  const metadata: EventList['metadata'] = {};
  if (remaining > 0 && rows.length > 0) {
    metadata.continue = encodeCursor({ id: Number(rows[rows.length - 1].id) });
    metadata.remainingItemCount = remaining;
  }
  return { apiVersion: 'v1', kind: 'EventList', metadata, total, items: rows.map(toEvent) };
}
