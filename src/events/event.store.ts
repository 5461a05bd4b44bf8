import type { Executor } from '../db/database.js';
import { toDbTime } from '../db/database.js';

export type EventType = 'Normal' | 'Warning';

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
export async function insertEvent(tx: Executor, event: NewEvent): Promise<void> {
  await tx
    .insertInto('events')
    .values({
      project_id: event.projectId,
      resource_kind: event.resourceKind,
      resource_name: event.resourceName,
      type: event.type,
      reason: event.reason,
      message: event.message,
      created_at: toDbTime(event.at),
    })
    .execute();
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
