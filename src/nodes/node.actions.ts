import type { AppContext } from '../context.js';
import { WriteConflict, type Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import { lockedProject } from '../projects/project.service.js';
import { POOL_SCALABLE, type PoolPhase } from '../pools/pool.lifecycle.js';
import { movePool, rollUpEvent } from '../pools/pool.move.js';
import { nodePoolOf, poolTallies } from '../pools/pool.nodes.js';
import { lockPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import type { PoolSpec } from '../pools/pool.schema.js';
import { NODE_ACTIONABLE, NODE_DELETABLE } from './node.lifecycle.js';
import { moveNodes } from './node.move.js';
import { LOCK_ANNOTATION, TAGS_ANNOTATION } from './node.plan.js';
import type { NodeChanges, NodeRecord } from './node.record.js';
import {
  LOCK_ACTIONS,
  type BatchBindBody,
  type BatchDeleteBody,
  type BatchDrainBody,
  type BatchLockBody,
  type BatchUpdateBody,
  type BatchUpdateResult,
  type EmptyAnswer,
  type NodeResults,
  type NodeTag,
  type Taint,
} from './node.schema.js';
import { selectNodesByName, updateNodeIf } from './node.store.js';

/**
 * The synchronous batch actions on a pool's nodes (nodepools-nodes-jobs.md §2.2–2.3,
 * decisions 24 and 28). Each runs in one transaction under the project lock and
 * the pool's row lock (lock order project → pool → nodes → counts), checks the
 * whole request before it changes anything, and changes nodes only through the
 * conditional updates of node.move.ts and node.store.ts: a refusal changes nothing.
 */

export const ELASTIC_QUOTA_LABEL = 'os.modelarts.node/elastic.quota';
export const HA_LABEL = 'os.modelarts.node/ha.redundant.enabled';
export const HA_TAINT = 'os.modelarts.node/ha.redundant';
export const DRAIN_ANNOTATION = 'os.modelarts.node/drain';
export const DRAIN_TAINT = 'os.modelarts.node/drain';

/** Pool phases in which its nodes may be acted on: not while it is queued, being built or torn down. */
const POOL_NODES_ACTIONABLE: ReadonlySet<PoolPhase> = new Set<PoolPhase>([
  'Running',
  'Abnormal',
  'ScalingFailed',
  'Error',
]);

/** The phases a deletion takes nodes from. */
const DELETABLE = NODE_DELETABLE;

/** A node an action may change: up or coming up, not on its way out. */
const actionable = (node: NodeRecord): boolean => NODE_ACTIONABLE.has(node.phase) || node.phase === 'Creating';

export const isLocked = (node: NodeRecord): boolean =>
  (node.annotations[LOCK_ANNOTATION] ?? '').split(',').includes('delete');

export function checkUnique(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  const twice = [...new Set(names.filter((n) => seen.size === seen.add(n).size))];
  if (twice.length > 0) throw badRequest(`${field}: ${twice.join(', ')} named more than once`);
}

/** The pool's row, locked, if its nodes may be acted on now; else the refusal (404, 400). */
export async function lockActionablePool(
  ctx: AppContext,
  tx: Executor,
  projectId: string,
  poolName: string,
): Promise<PoolRecord> {
  const pool = await lockPool(ctx.database, tx, projectId, poolName);
  if (!pool) throw new AtelierError('poolNotFound', { name: poolName });
  if (!POOL_NODES_ACTIONABLE.has(pool.phase)) {
    throw badRequest(`pool ${poolName} is ${pool.phase}; its nodes cannot be acted on now`);
  }
  return pool;
}

/** The work of an action, in the pool's transaction with both locks held. */
export async function inPool<T>(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  work: (tx: Executor, pool: PoolRecord) => Promise<T>,
): Promise<T> {
  const answer = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    return work(tx, await lockActionablePool(ctx, tx, projectId, poolName));
  });
  ctx.wakeEngine();
  return answer;
}

/** The named nodes of the pool, in the order named; any name the pool lacks refuses the request. */
export async function requireNodes(
  tx: Executor,
  pool: PoolRecord,
  names: readonly string[],
  field: string,
): Promise<NodeRecord[]> {
  const found = new Map((await selectNodesByName(tx, pool.id, names)).map((n) => [n.name, n]));
  const missing = names.filter((n) => !found.has(n));
  if (missing.length > 0) throw badRequest(`${field}: no node ${missing.join(', ')} in pool ${pool.name}`);
  return names.map((n) => found.get(n) as NodeRecord);
}

/** Applies each node's change at the version read; another writer first makes the transaction retry. */
async function changeNodes(
  tx: Executor,
  nodes: readonly NodeRecord[],
  change: (node: NodeRecord) => NodeChanges | undefined,
): Promise<void> {
  for (const node of nodes) {
    const changes = change(node);
    if (!changes) continue;
    if (!(await updateNodeIf(tx, node, changes))) throw new WriteConflict(node.name);
  }
}

export function without<K extends string>(map: Readonly<Record<string, string>>, key: K): Record<string, string> {
  const { [key]: _gone, ...rest } = map;
  return rest;
}

/**
 * The pool's spec once these nodes are gone: each node's spec.resources entry
 * (by flavor and node pool) counts one less, so the pool's spec stays the truth
 * and no reconciler refills it; an entry left with no node goes.
 */
export function specWithout(spec: PoolSpec, nodes: readonly NodeRecord[]): PoolSpec {
  const resources = spec.resources.map((r) => ({ ...r, azs: r.azs?.map((a) => ({ ...a })) }));
  for (const node of nodes) {
    const entry = resources.find((r) => r.flavor === node.flavor && nodePoolOf(r) === node.nodePool);
    if (!entry || entry.count === 0) continue;
    if (entry.maxCount === entry.count) entry.maxCount -= 1;
    entry.count -= 1;
    const az = entry.azs?.find((a) => a.az === node.az && a.count > 0);
    if (az) az.count -= 1;
    else entry.azs = undefined;
  }
  return {
    ...spec,
    resources: resources
      .filter((r) => r.count > 0)
      .map(({ azs, ...r }) => {
        const kept = azs?.filter((a) => a.count > 0);
        return kept && kept.length > 0 ? { ...r, azs: kept } : r;
      }),
  };
}

/** Decision 28: all or nothing; at least one node stays; no locked, unknown or departing node. */
export async function batchDeleteNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchDeleteBody,
): Promise<EmptyAnswer> {
  const names = body.deleteNodeNames;
  checkUnique(names, 'deleteNodeNames');
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    if (!POOL_SCALABLE.has(pool.phase)) {
      throw badRequest(`pool ${poolName} is ${pool.phase}; nodes are deleted from a Running pool`);
    }
    const nodes = await requireNodes(tx, pool, names, 'deleteNodeNames');
    const locked = nodes.filter(isLocked).map((n) => n.name);
    if (locked.length > 0) {
      throw badRequest(`deleteNodeNames: ${locked.join(', ')} locked against deletion; unlock (batch-unlock) first`);
    }
    // Prepaid nodes are unsubscribed through billing, not deleted (nodepools-nodes-jobs.md §2.2).
    const prepaid = nodes.filter((n) => n.annotations['os.modelarts/billing.mode'] === '1').map((n) => n.name);
    if (prepaid.length > 0) {
      throw badRequest(`deleteNodeNames: ${prepaid.join(', ')} billed yearly/monthly; unsubscribe them instead`);
    }
    const leaving = nodes.filter((n) => !DELETABLE.includes(n.phase)).map((n) => n.name);
    if (leaving.length > 0) throw badRequest(`deleteNodeNames: ${leaving.join(', ')} already being deleted`);
    const before = await poolTallies(tx, pool.id);
    const live = before.filter((t) => t.phase !== 'Deleting').reduce((n, t) => n + t.count, 0);
    if (live - nodes.length < 1) {
      throw badRequest(`deleteNodeNames: at least one node must stay in pool ${poolName}`);
    }
    const now = ctx.clock.now();
    const updated = await movePool(ctx, tx, pool, 'Running', {
      spec: specWithout(pool.spec, nodes),
      dueAt: ctx.lifecycle.dueAt('poolScale', now),
      message: null,
    });
    if (!updated) throw new WriteConflict(poolName);
    let moved = 0;
    for (const from of DELETABLE) {
      moved += (
        await moveNodes(tx, nodes, from, 'Deleting', {
          deletingAt: now,
          dueAt: ctx.lifecycle.dueAfter(['poolScale', 'nodeDelete'], now),
        })
      ).length;
    }
    if (moved !== nodes.length) throw new WriteConflict(poolName);
    await rollUpEvent(ctx, tx, updated, before);
    return {};
  });
}

/** Lock or unlock (`actions` exactly ["delete"]); an unknown or departing node is a per-node failure. */
export async function batchLockNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchLockBody,
  lock: boolean,
): Promise<NodeResults> {
  if (body.actions.length !== LOCK_ACTIONS.length || !LOCK_ACTIONS.every((a) => body.actions.includes(a))) {
    throw badRequest(`actions: must be exactly ${JSON.stringify(LOCK_ACTIONS)}`);
  }
  checkUnique(body.nodeNames, 'nodeNames');
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    const found = new Map((await selectNodesByName(tx, pool.id, body.nodeNames)).map((n) => [n.name, n]));
    const acted = [...found.values()].filter(actionable);
    await changeNodes(tx, acted, (node) => {
      if (isLocked(node) === lock) return undefined;
      const annotations = lock
        ? { ...node.annotations, [LOCK_ANNOTATION]: LOCK_ACTIONS.join(',') }
        : without(node.annotations, LOCK_ANNOTATION);
      return { annotations };
    });
    const ok = new Set(acted.map((n) => n.name));
    return { nodes: body.nodeNames.map((name) => ({ name, status: ok.has(name) ? 'success' : 'failed' })) };
  });
}

function parseTags(text: string | undefined): NodeTag[] {
  if (!text) return [];
  try {
    const tags = JSON.parse(text) as unknown;
    return Array.isArray(tags) ? (tags as NodeTag[]).filter((t) => typeof t?.key === 'string') : [];
  } catch {
    return [];
  }
}

/** What batch-update does to one node (nodes-workloads-metrics.md §1.7). */
function updateOf(body: BatchUpdateBody): (node: NodeRecord) => NodeChanges {
  const effect = body.haRedundantEffect ?? 'NoSchedule';
  const tags = body.tags ?? [];
  const keys = new Set(tags.map((t) => t.key));
  const withTags = (node: NodeRecord, next: NodeTag[]) => ({
    annotations:
      next.length > 0
        ? { ...node.annotations, [TAGS_ANNOTATION]: JSON.stringify(next) }
        : without(node.annotations, TAGS_ANNOTATION),
  });
  switch (body.action) {
    case 'openHaRedundant':
      return (node) => ({
        labels: { ...node.labels, [HA_LABEL]: 'true' },
        taints: [...node.taints.filter((t) => t.key !== HA_TAINT), { key: HA_TAINT, value: 'true', effect }],
      });
    case 'closeHaRedundant':
      return (node) => ({
        labels: { ...node.labels, [HA_LABEL]: 'false' },
        taints: node.taints.filter((t) => t.key !== HA_TAINT),
      });
    case 'createTags':
      return (node) =>
        withTags(node, [...parseTags(node.annotations[TAGS_ANNOTATION]).filter((t) => !keys.has(t.key)), ...tags]);
    case 'deleteTags':
      return (node) =>
        withTags(
          node,
          parseTags(node.annotations[TAGS_ANNOTATION]).filter((t) => !keys.has(t.key)),
        );
  }
}

/** Per-node results: a locked or departing node fails, the others change (SDK-doc). */
export async function batchUpdateNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchUpdateBody,
): Promise<BatchUpdateResult> {
  checkUnique(body.nodeNames, 'nodeNames');
  if ((body.action === 'createTags' || body.action === 'deleteTags') && (body.tags ?? []).length === 0) {
    throw badRequest(`tags: ${body.action} needs at least one tag`);
  }
  if (body.tags)
    checkUnique(
      body.tags.map((t) => t.key),
      'tags',
    );
  const change = updateOf(body);
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    const nodes = await requireNodes(tx, pool, body.nodeNames, 'nodeNames');
    const ok = nodes.filter((n) => actionable(n) && !isLocked(n));
    await changeNodes(tx, ok, change);
    const done = new Set(ok.map((n) => n.name));
    const successNodeNames = body.nodeNames.filter((n) => done.has(n));
    const failNodeNames = body.nodeNames.filter((n) => !done.has(n));
    return {
      successNodeNames,
      failNodeNames,
      nodes: body.nodeNames.map((name) => ({ name, status: done.has(name) ? 'success' : 'failed' })),
    };
  });
}

/** Binds nodes to a logical sub-pool (label os.modelarts.node/elastic.quota); an empty name unbinds. */
export async function batchBindNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchBindBody,
): Promise<EmptyAnswer> {
  const names = body.nodes.map((n) => n.name);
  checkUnique(names, 'nodes[].name');
  const quota = new Map(body.nodes.map((n) => [n.name, n.quotaName ?? n.quotaname ?? '']));
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    const nodes = await requireNodes(tx, pool, names, 'nodes[].name');
    const leaving = nodes.filter((n) => !actionable(n)).map((n) => n.name);
    if (leaving.length > 0) throw badRequest(`nodes[].name: ${leaving.join(', ')} being deleted`);
    await changeNodes(tx, nodes, (node) => {
      const to = quota.get(node.name) ?? '';
      if ((node.labels[ELASTIC_QUOTA_LABEL] ?? '') === to) return undefined;
      return {
        labels: to ? { ...node.labels, [ELASTIC_QUOTA_LABEL]: to } : without(node.labels, ELASTIC_QUOTA_LABEL),
      };
    });
    return {};
  });
}

/** Decision 28: at most 10 running, unlocked nodes stop taking new work (a NoSchedule taint). */
export async function batchDrainNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchDrainBody,
): Promise<EmptyAnswer> {
  checkUnique(body.nodeNames, 'nodeNames');
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    const nodes = await requireNodes(tx, pool, body.nodeNames, 'nodeNames');
    const idle = nodes.filter((n) => n.phase !== 'Available').map((n) => `${n.name} (${n.phase})`);
    if (idle.length > 0) throw badRequest(`nodeNames: only Available nodes can be drained: ${idle.join(', ')}`);
    const locked = nodes.filter(isLocked).map((n) => n.name);
    if (locked.length > 0) throw badRequest(`nodeNames: ${locked.join(', ')} locked; a locked node is not drained`);
    const at = ctx.clock.now().toISOString();
    const taint: Taint = { key: DRAIN_TAINT, value: 'true', effect: 'NoSchedule', timeAdded: at };
    await changeNodes(tx, nodes, (node) =>
      node.taints.some((t) => t.key === DRAIN_TAINT)
        ? undefined
        : { taints: [...node.taints, taint], annotations: { ...node.annotations, [DRAIN_ANNOTATION]: at } },
    );
    return {};
  });
}
