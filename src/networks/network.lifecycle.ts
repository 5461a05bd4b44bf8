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

/**
 * Usage counters key networks by phase; a network whose provisioning failed is
 * counted under this pseudo-phase so decision 2 can leave it out of the quota.
 */
export const NETWORK_FAILED_COUNTER = 'Failed';

/** Decision 2: every network except failed ones counts until it is gone. */
export const NETWORK_COUNTED_PHASES: ReadonlySet<string> = new Set(NETWORK_PHASES);

/** A pool may only use a network in this phase (quotas-networks.md §2.3). */
export const NETWORK_USABLE_PHASE: NetworkPhase = 'Active';
