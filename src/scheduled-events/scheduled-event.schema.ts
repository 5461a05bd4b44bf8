import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import {
  EVENT_CATALOGS,
  EVENT_PAGE_MAX,
  EVENT_STATES,
  EVENT_TYPES,
  INSTANCE_TYPES,
  REDEPLOY_TYPES,
} from './scheduled-event.lifecycle.js';

/** A scheduled event (plugins-scheduled-events-misc.md §3.2; SDK ScheduledEvent). */
export const ScheduledEvent = Type.Object(
  {
    id: Type.String(),
    catalog: StringEnum(EVENT_CATALOGS),
    type: StringEnum(EVENT_TYPES),
    description: Type.String(),
    state: StringEnum(EVENT_STATES),
    instanceType: StringEnum(INSTANCE_TYPES),
    instanceId: Type.String(),
    nodeName: Type.String(),
    poolName: Type.String(),
    poolDisplayName: Type.String(),
    publishTime: Type.String({ description: 'ISO 8601 UTC, yyyy-MM-ddTHH:mm:ssZ' }),
    startTime: Type.String({ description: 'Start of the maintenance window' }),
    finishTime: Type.String({ description: 'End of the maintenance window' }),
    notBefore: Type.Optional(Type.String({ description: 'Earliest execution time, set by an accept' })),
    probeMsg: Type.String(),
    jobProgress: Type.String(),
    redeployType: Type.Array(StringEnum(REDEPLOY_TYPES)),
    underLyingInstanceId: Type.String(),
  },
  { $id: 'ScheduledEvent' },
);
export type ScheduledEvent = Static<typeof ScheduledEvent>;

/** ISO 8601 UTC as the SDK documents it (`yyyy-MM-ddTHH:mm:ssZ`), milliseconds tolerated. */
const IsoTime = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$', maxLength: 32, description });

/** Repeated keys (`state=a&state=b`) or a comma list (`state=a,b`); the service splits and checks. */
const Repeated = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 16, description });

export const ListScheduledEventsQuery = Type.Object({
  workspaceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: '0' })),
  state: Type.Optional(Repeated(`One or more of ${EVENT_STATES.join(', ')}`)),
  type: Type.Optional(Repeated(`One or more of ${EVENT_TYPES.join(', ')}`)),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  nodeName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  poolName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  publishStartTime: Type.Optional(IsoTime('Events published at or after this time')),
  publishEndTime: Type.Optional(IsoTime('Events published at or before this time')),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: EVENT_PAGE_MAX, default: EVENT_PAGE_MAX })),
});
export type ListScheduledEventsQuery = Static<typeof ListScheduledEventsQuery>;

export const ScheduledEventList = Type.Object(
  {
    events: Type.Array(ScheduledEvent),
    count: Type.Integer({ description: 'Events that match, before offset and limit' }),
  },
  { $id: 'ScheduledEventList' },
);
export type ScheduledEventList = Static<typeof ScheduledEventList>;

export const EventParams = Type.Object({
  project_id: ProjectIdParam,
  event_id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const AcceptQuery = Type.Object({
  workspaceId: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 2 })),
});
export type AcceptQuery = Static<typeof AcceptQuery>;

export const RedeployConfig = Type.Object({
  type: Type.Optional(StringEnum(REDEPLOY_TYPES)),
  autoFlow: Type.Optional(StringEnum(['true', 'false'] as const)),
});
export type RedeployConfig = Static<typeof RedeployConfig>;

/** SDK EventUpdate. */
export const AcceptBody = Type.Object({
  notBefore: Type.Optional(IsoTime('Run no earlier than this (within the window); default the window start')),
  redeployConfig: Type.Optional(RedeployConfig),
});
export type AcceptBody = Static<typeof AcceptBody>;

/** The emulator control that publishes an event (docs/emulator.md, "Scheduled maintenance"). */
export const PublishEventBody = Type.Object(
  {
    project: ProjectIdParam,
    /** metadata.name or display name (`os.modelarts/name`). */
    pool: Type.String({ minLength: 1, maxLength: 128 }),
    node: Type.String({ minLength: 1, maxLength: 128 }),
    type: Type.Optional(StringEnum(EVENT_TYPES)),
    catalog: Type.Optional(StringEnum(EVENT_CATALOGS)),
    description: Type.Optional(Type.String({ maxLength: 512 })),
    startTime: Type.Optional(IsoTime('Window start; default now (emulator clock)')),
    finishTime: Type.Optional(IsoTime('Window end; default one hour after the start')),
    /** false: the event needs no accept and starts `scheduled`. */
    needsAccept: Type.Optional(Type.Boolean({ default: true })),
    redeployType: Type.Optional(Type.Array(StringEnum(REDEPLOY_TYPES), { minItems: 1, maxItems: 2 })),
  },
  { additionalProperties: false },
);
export type PublishEventBody = Static<typeof PublishEventBody>;
