import { objectMetadata } from '../shared/object-metadata.js';
import type { NodeTally } from '../nodes/node.reads.js';
import type { ScopePlugin } from '../plugins/plugin.reads.js';
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
 * The wire object of a pool: the record, the counts of its nodes (status.resources) and the
 * phases of its scope plug-ins (status.scope[].plugins, every scope runs on them).
 * The answer shares the record's objects: serialise it, do not change it.
 */
export function toPool(pool: PoolRecord, tallies: readonly NodeTally[], plugins: readonly ScopePlugin[] = []): Pool {
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
      scope: plugins.length > 0 ? pool.scope.map((scope) => ({ ...scope, plugins: [...plugins] })) : pool.scope,
      root: pool.name,
      ...(spec.parent ? { parent: spec.parent } : {}),
    },
  };
}
