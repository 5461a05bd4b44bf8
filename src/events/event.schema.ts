import { ListMetadata } from '../http/wire.js';
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../shared/string-enum.js';

/**
 * `since`/`until`: the spec leaves the unit open (config-events-flavors-tags-plugins.md §4, E2);
 * we read epoch seconds, and milliseconds above 10^12. The bound keeps either a valid Date.
 */
const EpochTime = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 });

/** Kubernetes' event types: Normal for what was asked for, Warning for a failure. */
export const EVENT_TYPES = ['Normal', 'Warning'] as const;

export const EVENT_RESOURCES = ['pools', 'networks'] as const;
export type EventResource = (typeof EVENT_RESOURCES)[number];

export const ListEventsQuery = Type.Object({
  // §4 names only `pools`; `networks` is ours, their events are recorded the same way.
  resource: StringEnum(EVENT_RESOURCES),
  name: Type.String({ minLength: 1, maxLength: 256 }),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
  // E1: HW pages with `continue`, OTC with `offset`; both are accepted.
  continue: Type.Optional(Type.String({ maxLength: 512 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  since: Type.Optional(EpochTime),
  until: Type.Optional(EpochTime),
  type: Type.Optional(StringEnum(EVENT_TYPES)),
  // §4: the documented example contradicts itself; absent = oldest first, false = newest first.
  ascend: Type.Optional(Type.Boolean()),
});
export type ListEventsQuery = Static<typeof ListEventsQuery>;

export const Event = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('Event'),
    type: StringEnum(EVENT_TYPES),
    firstTimestamp: Type.String({ description: 'RFC 3339, UTC, whole seconds' }),
    lastTimestamp: Type.String({ description: 'RFC 3339, UTC, whole seconds' }),
    count: Type.Integer({ minimum: 1 }),
    reason: Type.String(),
    message: Type.String(),
  },
  { $id: 'Event' },
);
export type Event = Static<typeof Event>;

export const EventList = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('EventList'),
    metadata: ListMetadata,
    total: Type.Integer({ minimum: 0, description: 'Events matching the filters, on all pages' }),
    items: Type.Array(Event),
  },
  { $id: 'EventList' },
);
export type EventList = Static<typeof EventList>;
