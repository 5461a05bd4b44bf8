import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { badRequest } from '../errors.js';
import { findNetworkForPool, type NetworkForPool } from '../networks/network.reads.js';
import { NODE_BUCKET, NODE_BUCKETS, NODE_DELETABLE, type NodeBucket, type NodePhase } from '../nodes/node.lifecycle.js';
import { countNewNodes, discardNodes, moveNodes, movePoolNodes, removeDeletedNodes } from '../nodes/node.move.js';
import {
  createNodes,
  defaultNodePool,
  LOCK_ANNOTATION,
  NetworkFull,
  type NodeOwner,
  type NodeStart,
} from '../nodes/node.plan.js';
import {
  deleteAllPoolNodes,
  selectNodesInPhase,
  selectTallies,
  type NodeRecord,
  type NodeTally,
} from '../nodes/node.reads.js';
import type { PoolRecord } from './pool.record.js';
import type { NodeGroup, PoolResource, PoolResourcesStatus, PoolSpec } from './pool.schema.js';

/**
 * A pool and its nodes (nodes-workloads-metrics.md §1.3): a pool is the roll-up
 * of its nodes. This file creates the nodes a pool's spec asks for, removes the
 * ones it no longer does, and derives status.resources from the node counts
 * kept beside every node change — never by reading the nodes.
 */

/** The node pool of a spec.resources entry (D-NP3). */
export const nodePoolOf = (resource: Pick<PoolResource, 'flavor' | 'nodePool'>): string =>
  resource.nodePool ?? defaultNodePool(resource.flavor);

/** What the node planner needs to know of the pool (its network read now, unless the caller just read it). */
export async function ownerOf(tx: Executor, pool: PoolRecord, known?: NetworkForPool | null): Promise<NodeOwner> {
  const network =
    known !== undefined
      ? known
      : pool.networkName
        ? await findNetworkForPool(tx, pool.projectId, pool.networkName)
        : undefined;
  return {
    poolId: pool.id,
    poolName: pool.name,
    projectId: pool.projectId,
    network: network ? { name: network.name, cidr: network.cidr } : null,
    namePrefix: pool.annotations['os.modelarts/node.prefix'] ?? pool.labels['os.modelarts/node.prefix'],
    driverVersion: { gpu: pool.spec.driver?.gpuVersion, npu: pool.spec.driver?.npuVersion },
    billingMode: pool.annotations['os.modelarts/billing.mode'],
  };
}

async function addNodes(
  ctx: AppContext,
  tx: Executor,
  owner: NodeOwner,
  resource: PoolResource,
  count: number,
  first: number,
  after: NodeStart,
): Promise<NodeRecord[]> {
  const template = { ...resource, nodePool: nodePoolOf(resource) };
  try {
    const created = await createNodes(ctx, tx, owner, template, count, first, after);
    await countNewNodes(tx, created);
    return created;
  } catch (error) {
    if (error instanceof NetworkFull) throw badRequest(`spec.resources: ${error.message}`);
    throw error;
  }
}

/**
 * Creates every node the pool's spec asks for: the pool has just entered Creating.
 * `network` is the pool's network when the caller read it in this transaction.
 */
export async function createPoolNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  network?: NetworkForPool | null,
): Promise<void> {
  const owner = await ownerOf(tx, pool, network);
  for (const resource of pool.spec.resources) {
    await addNodes(ctx, tx, owner, resource, resource.count, 0, 'poolCreate');
  }
}

/** The pool's node counts, per node pool and phase. */
export async function poolTallies(tx: Executor, poolId: number): Promise<NodeTally[]> {
  return selectTallies(tx, [poolId]);
}

/** Nodes per node pool that are not on their way out. */
export function liveNodes(tallies: readonly NodeTally[]): Map<string, number> {
  const live = new Map<string, number>();
  for (const t of tallies) if (t.phase !== 'Deleting') live.set(t.nodePool, (live.get(t.nodePool) ?? 0) + t.count);
  return live;
}

/** Nodes in one bucket of the roll-up. */
export const bucketTotal = (tallies: readonly NodeTally[], bucket: NodeBucket): number =>
  tallies.filter((t) => NODE_BUCKET[t.phase] === bucket).reduce((n, t) => n + t.count, 0);

/** Nodes of each flavor the pool has until they are gone: what it holds of a flavor's capacity. */
export function heldNodes(tallies: readonly NodeTally[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const t of tallies) held.set(t.flavor, (held.get(t.flavor) ?? 0) + t.count);
  return held;
}

/**
 * Brings the pool's nodes to its spec: new nodes for node pools that grew,
 * newest unlocked nodes leaving those that shrank (or went from the spec).
 * A scale-in that would need a locked node is refused, changing nothing.
 */
export async function scalePoolNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  spec: PoolSpec,
  tallies: readonly NodeTally[],
): Promise<void> {
  const live = liveNodes(tallies);
  const wanted = new Map(spec.resources.map((r) => [nodePoolOf(r), r]));
  let owner: NodeOwner | undefined;
  for (const [nodePool, resource] of wanted) {
    const have = live.get(nodePool) ?? 0;
    if (resource.count > have) {
      owner ??= await ownerOf(tx, pool);
      await addNodes(ctx, tx, owner, resource, resource.count - have, have, 'poolScale');
    }
  }
  const now = ctx.clock.now();
  for (const [nodePool, have] of live) {
    const keep = wanted.get(nodePool)?.count ?? 0;
    if (keep >= have) continue;
    const leaving = await chooseLeaving(tx, pool.id, nodePool, have - keep);
    for (const from of ['Creating', 'Available', 'Abnormal'] as const) {
      await moveNodes(tx, leaving, from, 'Deleting', {
        deletingAt: now,
        dueAt: ctx.lifecycle.dueAfter(['poolScale', 'nodeDelete'], now),
      });
    }
  }
}

/**
 * A scale-out that waited for capacity is admitted (decision 10): `count` new
 * nodes join the node pool of `resource`; returns their names.
 */
export async function growNodePool(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  resource: PoolResource,
  have: number,
  count: number,
): Promise<string[]> {
  const created = await addNodes(ctx, tx, await ownerOf(tx, pool), resource, count, have, 'poolScale');
  return created.map((n) => n.name);
}

/** The nodes a scale-in removes (not yet started ones first, then the newest), never a locked one. */
async function chooseLeaving(tx: Executor, poolId: number, nodePool: string, count: number): Promise<NodeRecord[]> {
  const window = count * 2 + 500;
  const leavable = ['Creating', 'Available', 'Abnormal'] as const;
  let unlocked = unlockedNewestFirst(await selectNodesInPhase(tx, poolId, nodePool, leavable, window));
  // The newest nodes are nearly always enough; when locked ones crowd the window, look at them all.
  if (unlocked.length < count) {
    unlocked = unlockedNewestFirst(await selectNodesInPhase(tx, poolId, nodePool, leavable, Number.MAX_SAFE_INTEGER));
  }
  if (unlocked.length < count) {
    throw badRequest(
      `spec.resources: node pool ${nodePool} cannot shrink by ${count}: only ${unlocked.length} of its nodes are unlocked; unlock nodes (batch-unlock) first`,
    );
  }
  return unlocked.slice(0, count);
}

function unlockedNewestFirst(nodes: NodeRecord[]): NodeRecord[] {
  return nodes
    .filter((n) => !(n.annotations[LOCK_ANNOTATION] ?? '').includes('delete'))
    .sort((a, b) => Number(b.phase === 'Creating') - Number(a.phase === 'Creating') || b.id - a.id);
}

/**
 * A pool is being deleted: its nodes all go Deleting and go with the pool's row.
 * `tallies` are the pool's node counts as this transaction last read them: a phase
 * they hold no node in is not updated (the counts move with the nodes, in the same
 * transaction, so they are exact).
 */
export async function deletePoolNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  tallies: readonly NodeTally[],
): Promise<void> {
  const held = NODE_DELETABLE.filter((phase) => tallies.some((t) => t.phase === phase && t.count > 0));
  await movePoolNodes(tx, pool.id, held, 'Deleting', {
    deletingAt: ctx.clock.now(),
    dueAt: null,
  });
}

/** A creation failed: the nodes it made are given back at once (a failure record holds none). */
export async function discardPoolNodes(tx: Executor, pool: PoolRecord): Promise<void> {
  await deleteAllPoolNodes(tx, pool.id);
}

/** A scaling failed: nodes still being created go, nodes being removed stay; returns the counts left. */
export async function revertScaling(tx: Executor, pool: PoolRecord): Promise<Map<string, number>> {
  const creating = await selectAllInPhase(tx, pool.id, pool.spec, 'Creating');
  await discardNodes(tx, creating);
  await movePoolNodes(tx, pool.id, ['Deleting'], 'Available', { deletingAt: null, dueAt: null });
  return liveNodes(await poolTallies(tx, pool.id));
}

async function selectAllInPhase(tx: Executor, poolId: number, spec: PoolSpec, phase: NodePhase) {
  const nodes: NodeRecord[] = [];
  for (const resource of spec.resources) {
    nodes.push(...(await selectNodesInPhase(tx, poolId, nodePoolOf(resource), [phase], 100_000)));
  }
  return nodes;
}

/** Every node of the pool still coming up is up now. */
export async function bringUpNodes(tx: Executor, pool: PoolRecord): Promise<void> {
  await movePoolNodes(tx, pool.id, ['Creating'], 'Available', { dueAt: null });
}

/** A pool turned Abnormal (a fault) or healed, or kept its nodes after all: its nodes follow. */
export async function setPoolNodesHealth(
  tx: Executor,
  pool: PoolRecord,
  healthy: boolean,
  from: readonly NodePhase[] = [healthy ? 'Abnormal' : 'Available'],
): Promise<void> {
  await movePoolNodes(tx, pool.id, from, healthy ? 'Available' : 'Abnormal', { deletingAt: null, dueAt: null });
}

/**
 * One engine step for the due nodes of a pool: nodes being created come up,
 * nodes being removed go. Returns the nodes that moved.
 */
export async function advanceDueNodes(tx: Executor, pool: PoolRecord, due: readonly NodeRecord[]): Promise<number> {
  // Nothing comes up in a pool being torn down: its nodes go with its row.
  const up = pool.phase === 'Deleting' ? [] : await moveNodes(tx, due, 'Creating', 'Available', { dueAt: null });
  // A node rebooted or reset (node.jobs.ts) is back; its job sees it at its next check.
  const back = pool.phase === 'Deleting' ? [] : await moveNodes(tx, due, 'Checking', 'Available', { dueAt: null });
  const gone = await removeDeletedNodes(
    tx,
    due.filter((n) => n.phase === 'Deleting'),
  );
  return up.length + back.length + gone.length;
}

/** `available/abnormal/creating/deleting` totals, as the PoolResourcesStatusChange message gives them. */
export function describeTallies(tallies: readonly NodeTally[]): string {
  return (['available', 'abnormal', 'creating', 'deleting'] as const).map((b) => bucketTotal(tallies, b)).join('/');
}

/**
 * status.resources (pools.md §3.4) from the node counts: per bucket, one entry
 * per flavor and node pool. Empty buckets are omitted.
 */
export function resourcesFromTallies(spec: PoolSpec, tallies: readonly NodeTally[]): PoolResourcesStatus {
  const status: PoolResourcesStatus = {};
  const entries = new Map(spec.resources.map((r) => [nodePoolOf(r), r]));
  for (const bucket of NODE_BUCKETS) {
    const groups = new Map<string, NodeGroup>();
    for (const t of tallies) {
      if (NODE_BUCKET[t.phase] !== bucket || t.count <= 0) continue;
      const key = `${t.nodePool}\u0000${t.flavor}`;
      const group = groups.get(key) ?? { flavor: t.flavor, nodePool: t.nodePool, count: 0, maxCount: 0 };
      group.count += t.count;
      group.maxCount = group.count;
      groups.set(key, group);
    }
    if (groups.size === 0) continue;
    status[bucket] = [...groups.values()].map((g) => {
      const resource = entries.get(g.nodePool ?? '');
      return resource?.azs && resource.count === g.count ? { ...g, azs: resource.azs } : g;
    });
  }
  return status;
}
