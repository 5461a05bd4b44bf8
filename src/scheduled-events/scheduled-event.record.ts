import type { EventCatalog, EventState, EventType, RedeployType } from './scheduled-event.lifecycle.js';
import type { RedeployConfig } from './scheduled-event.schema.js';

/** A scheduled event as the store hands it out (STYLE §4); only the store sees the row. */
export interface ScheduledEventRecord {
  id: number;
  eventId: string;
  projectId: string;
  workspaceId: string;
  catalog: EventCatalog;
  type: EventType;
  description: string;
  state: EventState;
  poolName: string;
  poolDisplayName: string;
  nodeName: string;
  instanceId: string;
  redeployType: RedeployType[];
  redeployConfig: RedeployConfig | null;
  publishTime: Date;
  startTime: Date;
  finishTime: Date;
  notBefore: Date | null;
  probeMsg: string;
  jobId: string | null;
  dueAt: Date | null;
  version: number;
}

export type NewScheduledEvent = Omit<ScheduledEventRecord, 'id' | 'version'>;

export type ScheduledEventChanges = Partial<
  Pick<ScheduledEventRecord, 'state' | 'notBefore' | 'redeployConfig' | 'probeMsg' | 'jobId' | 'dueAt'>
>;
