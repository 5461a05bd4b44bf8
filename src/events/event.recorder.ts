// What other rooms may do with events: record one in the transaction that made it
// happen, and ask whether a resource has a history. Reading pages is ListEvents'.
export { hasEvents, insertEvent as recordEvent, type NewEvent } from './event.store.js';
export type { EventResource, EventType } from './event.schema.js';
