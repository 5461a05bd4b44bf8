import type { PoolPhase } from '../pools/pool.lifecycle.js';

/** status.phase of a pool's node configuration (nodepools-nodes-jobs.md §5, the SDK's enum). */
export const NODE_CONFIG_PHASES = ['Pending', 'Updating', 'Running', 'Abnormal', 'Deleting'] as const;
export type NodeConfigPhase = (typeof NODE_CONFIG_PHASES)[number];

/**
 * A pool's node configuration follows the pool: there is no API that changes a
 * configuration on its own yet, so `Updating` is never reached (it stays in the
 * enum because the SDK models it).
 */
export const NODE_CONFIG_PHASE_OF_POOL: Readonly<Record<PoolPhase, NodeConfigPhase>> = Object.freeze({
  Waiting: 'Pending',
  Creating: 'Pending',
  Running: 'Running',
  Abnormal: 'Abnormal',
  ScalingFailed: 'Abnormal',
  Error: 'Abnormal',
  CreationFailed: 'Abnormal',
  Deleting: 'Deleting',
});
