import type { DriverPhase, NodePhase } from './node.lifecycle.js';
import type { NodeSpec, Taint } from './node.schema.js';

/**
 * A node as the store hands it out (STYLE §4): JSON parsed, phases typed, times
 * as Date. Only node.store.ts sees the row.
 */
export interface NodeRecord {
  id: number;
  poolId: number;
  projectId: string;
  name: string;
  /** The node pool's name (`os.modelarts.node/nodepoolname`). */
  nodePool: string;
  flavor: string;
  az: string;
  networkKey: string;
  privateIp: string;
  phase: NodePhase;
  /** null for CPU flavors, which have no driver (decision 22). */
  driverPhase: DriverPhase | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: NodeSpec;
  taints: Taint[];
  createdAt: Date;
  deletingAt: Date | null;
  dueAt: Date | null;
  version: number;
}

export type NewNode = Omit<NodeRecord, 'id' | 'version'>;

/** What a change may set: never the identity (pool, name, flavor), nor the version the store bumps. */
export type NodeChanges = Partial<
  Pick<NodeRecord, 'phase' | 'driverPhase' | 'labels' | 'annotations' | 'taints' | 'spec' | 'deletingAt' | 'dueAt'>
>;

/** Nodes of one pool in one node pool, flavor and phase: a row of node_counts. */
export interface NodeTally {
  poolId: number;
  nodePool: string;
  flavor: string;
  phase: NodePhase;
  count: number;
}
