/**
 * The node lifecycle as data (nodes-workloads-metrics.md §1.3): the phases, the
 * allowed moves, the pool status.resources bucket each phase is counted in, and
 * the driver phases of accelerator nodes (decision 22). Code asks these tables
 * instead of comparing phase strings.
 */
/**
 * `Checking` (HW's self-check phase, nodes-workloads-metrics.md §1.3, D-N4) is the
 * short unavailable phase of a node being rebooted or reset: it is counted in the
 * pool's `abnormal` bucket, and comes back Available (or Abnormal, under a fault).
 */
export const NODE_PHASES = ['Creating', 'Available', 'Abnormal', 'Deleting', 'Checking'] as const;
export type NodePhase = (typeof NODE_PHASES)[number];

export const NODE_TRANSITIONS: Readonly<Record<NodePhase, readonly NodePhase[]>> = Object.freeze({
  Creating: ['Available', 'Abnormal', 'Deleting'],
  Available: ['Abnormal', 'Deleting', 'Checking'],
  Abnormal: ['Available', 'Deleting', 'Checking'],
  // A failed scale-in or teardown keeps the nodes it was removing (ScalingFailed, Error).
  Deleting: ['Available'],
  Checking: ['Available', 'Abnormal', 'Deleting'],
});

/** The buckets of a pool's status.resources. */
export const NODE_BUCKETS = ['creating', 'available', 'abnormal', 'deleting'] as const;
export type NodeBucket = (typeof NODE_BUCKETS)[number];

export const NODE_BUCKET: Readonly<Record<NodePhase, NodeBucket>> = Object.freeze({
  Creating: 'creating',
  Available: 'available',
  Abnormal: 'abnormal',
  Deleting: 'deleting',
  Checking: 'abnormal',
});

/** The phase every node starts in. */
export const NODE_ENTRY: NodePhase = 'Creating';

/** Phases a batch action may act on a node in; a Deleting node is on its way out. */
export const NODE_ACTIONABLE: ReadonlySet<NodePhase> = new Set<NodePhase>(['Available', 'Abnormal']);

/** Phases a node is rebooted from (nodepools-nodes-jobs.md §2.3: "nodes in the pool and running"). */
export const NODE_REBOOTABLE: ReadonlySet<NodePhase> = new Set<NodePhase>(['Available']);

/** Phases a node is reset from: a reset also repairs an Abnormal node. */
export const NODE_RESETTABLE: ReadonlySet<NodePhase> = new Set<NodePhase>(['Available', 'Abnormal']);

/** Phases a node leaves for Deleting when it is removed (batch-delete, a pool's teardown). */
export const NODE_DELETABLE: readonly NodePhase[] = ['Creating', 'Available', 'Abnormal', 'Checking'];

/** status.driver.phase of a GPU or NPU node (nodepools-nodes-jobs.md §1.3). */
export const DRIVER_PHASES = ['Pending', 'Running', 'Abnormal', 'Updating'] as const;
export type DriverPhase = (typeof DRIVER_PHASES)[number];

/** The driver phase that goes with a node phase: Running once the node is up, Pending before. */
export const DRIVER_FOR: Readonly<Record<NodePhase, DriverPhase>> = Object.freeze({
  Creating: 'Pending',
  Available: 'Running',
  Abnormal: 'Abnormal',
  Deleting: 'Running',
  Checking: 'Pending',
});

export function canMoveNode(from: NodePhase, to: NodePhase): boolean {
  return from === to || NODE_TRANSITIONS[from].includes(to);
}

/** Decision 27: a page of ListPoolNodes holds at most this many nodes. */
export const NODE_PAGE_MAX = 500;
