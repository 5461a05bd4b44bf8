/**
 * The lifecycle of a plug-in installed on a pool, as data
 * (plugins-scheduled-events-misc.md §1.2; the same phases as a pool scope's plug-ins, pools.md §3.4).
 * Atelier moves a plug-in Pending → Running once its pool has nodes, or to
 * Abnormal when an emulator fault says the install fails (D-P4). Updating and
 * Deleting are on the wire for the SDK's enum; no operation of this API enters them.
 */
export const PLUGIN_PHASES = ['Pending', 'Running', 'Updating', 'Abnormal', 'Deleting'] as const;
export type PluginPhase = (typeof PLUGIN_PHASES)[number];

export const PLUGIN_TRANSITIONS: Readonly<Record<PluginPhase, readonly PluginPhase[]>> = Object.freeze({
  Pending: ['Running', 'Abnormal'],
  Running: ['Abnormal'],
  Updating: ['Running', 'Abnormal'],
  Abnormal: ['Running'],
  Deleting: [],
});

/** The phase a new plug-in starts in. */
export const PLUGIN_ENTRY: PluginPhase = 'Pending';

/** A move the table allows; staying in a phase (a new due time) is always allowed. */
export function canMovePlugin(from: PluginPhase, to: PluginPhase): boolean {
  return from === to || PLUGIN_TRANSITIONS[from].includes(to);
}

/** Pool phases in which the pool has nodes, so a plug-in can be installed on them (pools.md §4). */
export const POOL_PHASES_WITH_NODES: ReadonlySet<string> = new Set(['Running', 'Abnormal', 'ScalingFailed']);

/** Pool phases after which a pool never gets nodes: its Pending plug-ins wait no more (they go with the pool). */
export const POOL_PHASES_WITHOUT_FUTURE: ReadonlySet<string> = new Set(['CreationFailed', 'Deleting', 'Error']);

/** createPoolPlugin needs a Running pool (plugins-scheduled-events-misc.md §1.1: 400 otherwise). */
export const POOL_PHASE_FOR_INSTALL = 'Running';

/**
 * The plug-ins a pool scope runs on (os-user-config `poolScopePlugins[].plugins`, config-events-flavors
 * §3): the pool's instances of these show in `status.scope[].plugins` (plugins-scheduled-events-misc §1.2).
 */
export const SCOPE_PLUGINS: readonly string[] = Object.freeze(['volcano']);
