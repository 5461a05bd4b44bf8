/**
 * Scheduled maintenance events as data (plugins-scheduled-events-misc.md §3,
 * decision 30): their states and the moves between them, their types (spelled
 * as the SDK spells them, `-` and `_` mixed: compared literally) and what each
 * type does to its node when it runs (D-S3).
 */
export const EVENT_STATES = ['inquiring', 'scheduled', 'executing', 'completed', 'failed', 'canceled'] as const;
export type EventState = (typeof EVENT_STATES)[number];

export const EVENT_TRANSITIONS: Readonly<Record<EventState, readonly EventState[]>> = Object.freeze({
  inquiring: ['scheduled', 'canceled'],
  scheduled: ['executing', 'canceled'],
  executing: ['completed', 'failed'],
  completed: [],
  failed: [],
  canceled: [],
});

export function canMoveEvent(from: EventState, to: EventState): boolean {
  return from === to || EVENT_TRANSITIONS[from].includes(to);
}

export const EVENT_TYPES = [
  'system-maintenance',
  'localdisk-recovery',
  'node_reboot',
  'operation-request',
  'node_maintenance',
  'node_redeploy',
  'node_localdisk_recovery',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The job an event of each type runs on its node: a reboot, or a reset (a redeploy, a disk rebuilt). */
export const EVENT_EFFECT: Readonly<Record<EventType, 'reboot-node' | 'reset-nodes'>> = Object.freeze({
  'system-maintenance': 'reboot-node',
  'localdisk-recovery': 'reset-nodes',
  node_reboot: 'reboot-node',
  'operation-request': 'reboot-node',
  node_maintenance: 'reboot-node',
  node_redeploy: 'reset-nodes',
  node_localdisk_recovery: 'reset-nodes',
});

export const EVENT_CATALOGS = ['software', 'hardware'] as const;
export type EventCatalog = (typeof EVENT_CATALOGS)[number];

/** The catalog an event of each type has unless its publisher says otherwise. */
export const DEFAULT_CATALOG: Readonly<Record<EventType, EventCatalog>> = Object.freeze({
  'system-maintenance': 'software',
  'localdisk-recovery': 'hardware',
  node_reboot: 'software',
  'operation-request': 'software',
  node_maintenance: 'hardware',
  node_redeploy: 'hardware',
  node_localdisk_recovery: 'hardware',
});

export const REDEPLOY_TYPES = ['SOFT', 'HARD'] as const;
export type RedeployType = (typeof REDEPLOY_TYPES)[number];

/** What an Atelier node is, in the SDK's instanceType enum. */
export const INSTANCE_TYPES = ['devserver', 'lite-cluster', 'standard'] as const;

/** ListScheduledEvents' page (SDK-doc: 1–100, default 100). */
export const EVENT_PAGE_MAX = 100;

/** How often an executing event looks at its job again (emulator clock). */
export const EVENT_CHECK_INTERVAL_MS = 1_000;

/** A published event's window lasts this long unless its publisher gives an end. */
export const DEFAULT_WINDOW_MS = 3_600_000;
