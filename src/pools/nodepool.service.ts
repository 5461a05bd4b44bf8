import type { AppContext } from '../context.js';
import { AtelierError, badRequest } from '../errors.js';
import type { Executor } from '../db/database.js';
import { moveNodes } from '../nodes/node.move.js';
import { selectNodesInPhase, type NodeRecord } from '../nodes/node.reads.js';
import type { NodeList, NodeListQuery } from '../nodes/node.schema.js';
import { pageOfNodes } from '../nodes/node.service.js';
import { requireProject } from '../projects/project.service.js';
import { applyMergePatch } from '../shared/merge-patch.js';
import type { CreateNodePoolBody, NodePool, NodePoolList, PatchNodePoolBody } from './nodepool.schema.js';
import { toNodePool } from './nodepool.view.js';
import { checkNodePoolName } from './pool.checks.js';
import { nodePoolOf, poolTallies } from './pool.nodes.js';
import type { PoolRecord } from './pool.record.js';
import type { PoolResource } from './pool.schema.js';
import { changePool, requirePool } from './pool.service.js';

/**
 * The node-pool operations (nodepools-nodes-jobs.md §4). A node pool is an
 * entry of its pool's spec.resources, named by `nodePool` (D-NP3 default), so
 * each change here is a change of the pool's spec through the pool PATCH path
 * (changePool): the same phase rules, checks, scaling, capacity and events, and
 * a pool PATCH shows here as a node-pool change shows in the pool.
 */

const single = <T>(value: T | T[]): T => (Array.isArray(value) ? value[0] : value);

function entryOf(pool: PoolRecord, name: string): PoolResource | undefined {
  return pool.spec.resources.find((r) => nodePoolOf(r) === name);
}

function requireEntry(pool: PoolRecord, name: string): PoolResource {
  const entry = entryOf(pool, name);
  if (!entry) throw new AtelierError('nodePoolNotFound', { name });
  return entry;
}

export async function createNodePool(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: CreateNodePoolBody,
): Promise<NodePool> {
  const name = body.metadata.name;
  checkNodePoolName(name, 'metadata.name');
  const resource = single(body.spec.resources);
  if (resource.nodePool !== undefined && resource.nodePool !== name) {
    throw badRequest(`spec.resources.nodePool: must be the node pool's name ${name} or absent`);
  }
  const changed = await changePool(ctx, projectId, poolName, (current) => {
    if (entryOf(current, name)) throw new AtelierError('nodePoolExists', { name, pool: poolName });
    return { spec: { resources: [...current.spec.resources, { ...resource, nodePool: name }] } };
  });
  return toNodePool(requireEntry(changed.pool, name), changed.tallies, body.metadata.annotations);
}

export async function listNodePools(ctx: AppContext, projectId: string, poolName: string): Promise<NodePoolList> {
  await requireProject(ctx, projectId);
  const pool = await requirePool(ctx, projectId, poolName);
  const tallies = await poolTallies(ctx.database.db, pool.id);
  const items = pool.spec.resources.map((r) => toNodePool(r, tallies));
  return { apiVersion: 'v2', kind: 'NodePoolList', metadata: {}, items };
}

export async function showNodePool(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  name: string,
): Promise<NodePool> {
  await requireProject(ctx, projectId);
  const pool = await requirePool(ctx, projectId, poolName);
  return toNodePool(requireEntry(pool, name), await poolTallies(ctx.database.db, pool.id));
}

/** The entry after a node-pool patch: a merge patch of it, with stale echoes normalised (decision 20). */
function patchedEntry(pool: PoolRecord, entry: PoolResource, patch: Partial<PoolResource>): PoolResource {
  const merged = applyMergePatch(entry, patch) as PoolResource;
  if (merged.flavor !== entry.flavor) {
    throw badRequest(
      `spec.resources.flavor: node pool ${nodePoolOf(entry)} keeps its flavor ${entry.flavor}; create another node pool`,
    );
  }
  if (patch.count !== undefined && patch.maxCount === undefined) {
    merged.maxCount = pool.spec.type === 'Dedicate' ? merged.count : Math.max(merged.count, entry.maxCount ?? 0);
  }
  if (patch.count !== undefined && patch.azs === undefined && entry.azs) delete merged.azs;
  if (entry.nodePool === undefined) delete merged.nodePool;
  else merged.nodePool = entry.nodePool;
  return merged;
}

export async function patchNodePool(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  name: string,
  body: PatchNodePoolBody,
): Promise<NodePool> {
  const patch = single(body.spec.resources);
  if (patch.nodePool !== undefined && patch.nodePool !== name) {
    throw badRequest(`spec.resources.nodePool: a node pool keeps its name ${name}`);
  }
  const changed = await changePool(
    ctx,
    projectId,
    poolName,
    (current) => {
      const entry = requireEntry(current, name);
      const next = patchedEntry(current, entry, patch);
      return { spec: { resources: current.spec.resources.map((r) => (r === entry ? next : r)) } };
    },
    (tx, before, updated) => refreshExistingNodes(tx, updated, requireEntry(before, name), requireEntry(updated, name)),
  );
  return toNodePool(requireEntry(changed.pool, name), changed.tallies, body.metadata?.annotations);
}

export async function deleteNodePool(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  name: string,
): Promise<NodePool> {
  let removed: PoolResource | undefined;
  const changed = await changePool(ctx, projectId, poolName, (current) => {
    removed = requireEntry(current, name);
    if (current.spec.resources.length === 1) {
      throw badRequest(`node pool ${name} is the last node pool of pool ${poolName}; delete the pool instead`);
    }
    if (current.annotations['os.modelarts/billing.mode'] === '1') {
      throw badRequest(`pool ${poolName} is billed yearly/monthly: its node pools cannot be deleted`);
    }
    return { spec: { resources: current.spec.resources.filter((r) => r !== removed) } };
  });
  return toNodePool(removed as PoolResource, changed.tallies);
}

/** ListNodePoolNodes: the nodes of one node pool, in name order, paged as the pool's node list (decision 27). */
export async function listNodePoolNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  name: string,
  query: NodeListQuery,
): Promise<NodeList> {
  await requireProject(ctx, projectId);
  const pool = await requirePool(ctx, projectId, poolName);
  requireEntry(pool, name);
  return pageOfNodes(ctx, pool, query, name);
}

// --- labels, taints and tags of existing nodes (decision 26) -------------------

const REFRESH = 'refresh';

/** Server-set label keys keep the node's own values whatever the node pool's labels say. */
const isServerLabel = (key: string) => key.startsWith('os.modelarts.node/') || key.startsWith('os.modelarts/');

const sameTaint = (a: { key: string; effect: string }, b: { key: string; effect: string }) =>
  a.key === b.key && a.effect === b.effect;

/**
 * With `extendParams.labelPolicyOnExistingNodes` / `taintPolicyOnExistingNodes` /
 * `tagPolicyOnExistingNodes` = `refresh`, the node pool's new labels, taints and
 * tags reach the nodes it already has; otherwise only nodes created from now on
 * carry them (nodepools-nodes-jobs.md §4.3). The node pool's old values are
 * replaced; what the nodes got elsewhere (server labels, a drain taint) stays.
 */
async function refreshExistingNodes(
  tx: Executor,
  pool: PoolRecord,
  before: PoolResource,
  after: PoolResource,
): Promise<void> {
  const policy = after.extendParams ?? {};
  const labels = policy.labelPolicyOnExistingNodes === REFRESH;
  const taints = policy.taintPolicyOnExistingNodes === REFRESH;
  const tags = policy.tagPolicyOnExistingNodes === REFRESH;
  if (!labels && !taints && !tags) return;
  const nodes = await selectNodesInPhase(
    tx,
    pool.id,
    nodePoolOf(after),
    ['Creating', 'Available', 'Abnormal', 'Checking'],
    100_000,
  );
  for (const node of nodes) {
    // The node keeps its driver phase: only these fields change.
    const changes: Parameters<typeof moveNodes>[4] = { driverPhase: node.driverPhase };
    if (labels) changes.labels = refreshedLabels(node, before.labels ?? {}, after.labels ?? {});
    if (taints) {
      const kept = node.taints.filter((t) => !(before.taints ?? []).some((old) => sameTaint(old, t)));
      changes.taints = [
        ...kept.filter((t) => !(after.taints ?? []).some((n) => sameTaint(n, t))),
        ...(after.taints ?? []),
      ];
    }
    if (tags) changes.annotations = { ...node.annotations, 'os.modelarts/tms.tags': JSON.stringify(after.tags ?? []) };
    await moveNodes(tx, [node], node.phase, node.phase, changes);
  }
}

function refreshedLabels(
  node: NodeRecord,
  before: Record<string, string>,
  after: Record<string, string>,
): Record<string, string> {
  const labels = { ...node.labels };
  for (const [key, value] of Object.entries(before))
    if (!isServerLabel(key) && labels[key] === value) delete labels[key];
  for (const [key, value] of Object.entries(after)) if (!isServerLabel(key)) labels[key] = value;
  return labels;
}
