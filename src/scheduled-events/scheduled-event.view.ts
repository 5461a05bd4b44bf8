import type { ScheduledEventRecord } from './scheduled-event.record.js';
import type { ScheduledEvent } from './scheduled-event.schema.js';

/** ISO 8601 UTC without milliseconds, as the SDK documents the times. */
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const PROGRESS: Readonly<Record<ScheduledEventRecord['state'], string>> = {
  inquiring: '0%',
  scheduled: '0%',
  executing: '50%',
  completed: '100%',
  failed: '100%',
  canceled: '0%',
};

/** Record → wire object. */
export function toScheduledEvent(event: ScheduledEventRecord): ScheduledEvent {
  return {
    id: event.eventId,
    catalog: event.catalog,
    type: event.type,
    description: event.description,
    state: event.state,
    instanceType: 'standard',
    instanceId: event.instanceId,
    nodeName: event.nodeName,
    poolName: event.poolName,
    poolDisplayName: event.poolDisplayName,
    publishTime: iso(event.publishTime),
    startTime: iso(event.startTime),
    finishTime: iso(event.finishTime),
    ...(event.notBefore ? { notBefore: iso(event.notBefore) } : {}),
    probeMsg: event.probeMsg,
    jobProgress: PROGRESS[event.state],
    redeployType: event.redeployType,
    underLyingInstanceId: event.instanceId,
  };
}
