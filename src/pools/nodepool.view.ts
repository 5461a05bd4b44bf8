import { NODE_BUCKET, NODE_BUCKETS } from '../nodes/node.lifecycle.js';
import type { NodeTally } from '../nodes/node.reads.js';
import type { FlavorCount, NodePool, NodePoolResourcesStatus } from './nodepool.schema.js';
import { nodePoolOf } from './pool.nodes.js';
import type { PoolResource } from './pool.schema.js';

/**
 * A node pool's wire object: its entry of the pool's spec.resources, and the
 * roll-up of its nodes from the node counts, one object per bucket (D-NP2).
 */
export function toNodePool(
  resource: PoolResource,
  tallies: readonly NodeTally[],
  annotations?: Record<string, string>,
): NodePool {
  const name = nodePoolOf(resource);
  const status: NodePoolResourcesStatus = {};
  for (const bucket of NODE_BUCKETS) {
    const count = tallies
      .filter((t) => t.nodePool === name && NODE_BUCKET[t.phase] === bucket)
      .reduce((n, t) => n + t.count, 0);
    if (count <= 0) continue;
    const group: FlavorCount = { flavor: resource.flavor, nodePool: name, count, maxCount: count };
    status[bucket] = resource.azs && resource.count === count ? { ...group, azs: resource.azs } : group;
  }
  return {
    apiVersion: 'v2',
    kind: 'NodePool',
    metadata: { name, ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: { resources: { ...resource, nodePool: name } },
    status: { resources: status },
  };
}
