/**
 * The network lifecycle as data (quotas-networks.md §2.3). Deletion is not a phase:
 * it is signalled by metadata.deletionTimestamp while the phase is kept.
 */
export const NETWORK_PHASES = ['Creating', 'Active', 'Abnormal'] as const;
export type NetworkPhase = (typeof NETWORK_PHASES)[number];

export const NETWORK_TRANSITIONS: Readonly<Record<NetworkPhase, readonly NetworkPhase[]>> = Object.freeze({
  Creating: ['Active', 'Abnormal'],
  Active: ['Abnormal'],
  Abnormal: ['Active'],
});

/** The phase a new network starts in. */
export const NETWORK_ENTRY: NetworkPhase = 'Creating';

/** Where the engine's step leaves a network once provisioning and connection changes are done. */
export const NETWORK_SETTLES_TO: Readonly<Record<NetworkPhase, NetworkPhase>> = Object.freeze({
  Creating: 'Active',
  Active: 'Active',
  Abnormal: 'Abnormal',
});

/** Spec README decision 9: no PATCH while Creating (the decision overrides §2.7, which is silent). */
export const NETWORK_PATCHABLE: ReadonlySet<NetworkPhase> = new Set<NetworkPhase>(['Active', 'Abnormal']);

/** A move the table allows; staying in a phase (a change of the network's other fields) is always allowed. */
export function canMoveNetwork(from: NetworkPhase, to: NetworkPhase): boolean {
  return from === to || NETWORK_TRANSITIONS[from].includes(to);
}

/**
 * Usage counters key networks by phase; a network whose provisioning failed is
 * counted under this pseudo-phase so decision 2 can leave it out of the quota.
 */
export const NETWORK_FAILED_COUNTER = 'Failed';

/** The usage counter cell a network is counted in. */
export const networkCounterPhase = (network: { phase: NetworkPhase; failed: boolean }): string =>
  network.failed ? NETWORK_FAILED_COUNTER : network.phase;

/** Decision 2: every network except failed ones counts until it is gone. */
export const NETWORK_COUNTED_PHASES: ReadonlySet<string> = new Set(NETWORK_PHASES);

/** A pool may only use a network in this phase (quotas-networks.md §2.3). */
export const NETWORK_USABLE_PHASE: NetworkPhase = 'Active';

/** status.connectionStatus: a peering's phases (quotas-networks.md §2.7). */
export const PEER_CONNECTION_PHASES = ['Connecting', 'Active', 'Abnormal'] as const;
/** status.connectionStatus: an SFS Turbo attachment's states (quotas-networks.md §2.7). */
export const SFS_TURBO_STATES = ['Creating', 'Active', 'Abnormal', 'Deleting'] as const;
