import { objectMetadata } from '../shared/object-metadata.js';
import type { PoolPhase } from './pool.lifecycle.js';
import type { NodeCounts, PoolRecord } from './pool.record.js';
import type { NodeGroup, Pool, PoolResource, PoolResourcesStatus, PoolSpec } from './pool.schema.js';

export function nodesWanted(resources: readonly Pick<PoolResource, 'flavor' | 'count'>[]): Map<string, number> {
  return new Map(resources.map((r) => [r.flavor, r.count]));
}

/** Nodes per flavor as event messages give them: `flavor×n, …`, or `none`. */
export const describeNodes = (nodes: ReadonlyMap<string, number>) =>
  [...nodes].map(([f, n]) => `${f}×${n}`).join(', ') || 'none';

function group(flavor: string, count: number, resource?: PoolResource): NodeGroup {
  const item: NodeGroup = { flavor, count, maxCount: count };
  if (resource?.azs && resource.count === count) item.azs = resource.azs;
  return item;
}

/**
 * status.resources as the nodes stand (pools.md §3.4): what is available, and the
 * difference to the desired spec as creating or deleting. Empty buckets are omitted.
 */
export function resourcesStatus(phase: PoolPhase, spec: PoolSpec, available: NodeCounts): PoolResourcesStatus {
  const status: PoolResourcesStatus = {};
  if (phase === 'Waiting' || phase === 'CreationFailed') return status;
  if (phase === 'Creating') {
    status.creating = spec.resources.map((r) => group(r.flavor, r.count, r));
    return status;
  }
  const have = Object.entries(available).filter(([, n]) => n > 0);
  if (phase === 'Deleting') {
    if (have.length > 0) status.deleting = have.map(([flavor, n]) => group(flavor, n));
    return status;
  }
  const desired = new Map(spec.resources.map((r) => [r.flavor, r]));
  const avail: NodeGroup[] = [];
  const creating: NodeGroup[] = [];
  const deleting: NodeGroup[] = [];
  const flavors = new Set([...desired.keys(), ...Object.keys(available)]);
  for (const flavor of flavors) {
    const want = desired.get(flavor)?.count ?? 0;
    const got = available[flavor] ?? 0;
    // Each node is in one bucket (nodes file §1.3): nodes leaving in a scale-in are deleting, not also available.
    const staying = Math.min(got, want);
    if (staying > 0) avail.push(group(flavor, staying, desired.get(flavor)));
    if (want > got) creating.push(group(flavor, want - got));
    if (got > want) deleting.push(group(flavor, got - want));
  }
  const bucket = phase === 'Abnormal' ? 'abnormal' : 'available';
  if (avail.length > 0) status[bucket] = avail;
  if (creating.length > 0) status.creating = creating;
  if (deleting.length > 0) status.deleting = deleting;
  return status;
}

/** The wire object of a pool. The answer shares the record's objects: serialise it, do not change it. */
export function toPool(pool: PoolRecord): Pool {
  const { spec, phase } = pool;
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: objectMetadata(pool),
    spec,
    status: {
      phase,
      ...(pool.message ? { message: pool.message } : {}),
      resources: resourcesStatus(phase, spec, pool.available),
      scope: pool.scope,
      root: pool.name,
      ...(spec.parent ? { parent: spec.parent } : {}),
    },
  };
}
