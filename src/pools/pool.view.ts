import { objectMetadata } from '../shared/object-metadata.js';
import type { NodeTally } from '../nodes/node.reads.js';
import { resourcesFromTallies } from './pool.nodes.js';
import type { PoolRecord } from './pool.record.js';
import type { Pool, PoolResource } from './pool.schema.js';

/** Nodes the resources ask for, per flavor (node pools of one flavor added up). */
export function nodesWanted(resources: readonly Pick<PoolResource, 'flavor' | 'count'>[]): Map<string, number> {
  const wanted = new Map<string, number>();
  for (const r of resources) wanted.set(r.flavor, (wanted.get(r.flavor) ?? 0) + r.count);
  return wanted;
}

/** Nodes per flavor as event messages give them: `flavor×n, …`, or `none`. */
export const describeNodes = (nodes: ReadonlyMap<string, number>) =>
  [...nodes].map(([f, n]) => `${f}×${n}`).join(', ') || 'none';

/**
 * The wire object of a pool: the record and the counts of its nodes (status.resources).
 * The answer shares the record's objects: serialise it, do not change it.
 */
export function toPool(pool: PoolRecord, tallies: readonly NodeTally[]): Pool {
  const { spec, phase } = pool;
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: objectMetadata(pool),
    spec,
    status: {
      phase,
      ...(pool.message ? { message: pool.message } : {}),
      resources: resourcesFromTallies(spec, tallies),
      scope: pool.scope,
      root: pool.name,
      ...(spec.parent ? { parent: spec.parent } : {}),
    },
  };
}
