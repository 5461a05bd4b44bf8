import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { recordEvent, type EventType } from '../events/event.recorder.js';
import { moveUsage, usageCounter } from '../quotas/quota.service.js';
import { canMove, POOL_ACQUIRES_CAPACITY, POOL_HOLDS_CAPACITY, type PoolPhase } from './pool.lifecycle.js';
import type { PoolChanges, PoolRecord } from './pool.record.js';
import type { NodeTally } from '../nodes/node.reads.js';
import { followPoolOrders, followPoolOrdersLater } from '../orders/order.reads.js';
import {
  createPoolNodes,
  deletePoolNodes,
  describeTallies,
  discardPoolNodes,
  poolTallies,
  setPoolNodesHealth,
} from './pool.nodes.js';
import { deletePoolIf, updatePoolIf } from './pool.store.js';
import { noteNodeChange } from '../workloads/workload.capacity.js';

/** config-events-flavors §4: a status change is Normal when it reaches Running, a Warning otherwise. */
const eventTypeFor = (to: PoolPhase): EventType => (to === 'Running' ? 'Normal' : 'Warning');

/** Records what happened to a pool, in the transaction that made it happen. */
export async function poolEvent(
  tx: Executor,
  pool: Pick<PoolRecord, 'projectId' | 'name'>,
  at: Date,
  type: EventType,
  reason: string,
  message: string,
): Promise<void> {
  await recordEvent(tx, {
    projectId: pool.projectId,
    resourceKind: 'pools',
    resourceName: pool.name,
    type,
    reason,
    message,
    at,
  });
}

/**
 * The one way a pool changes (STYLE §5): the move checked against
 * POOL_TRANSITIONS, a conditional update on the version the caller read, the
 * usage counters moved, the nodes taken on entering the phase that acquires them
 * and released on leaving the phases that hold them (pool.lifecycle.ts), and the event
 * written — all in `tx`. `to` may be the pool's own phase: a change of its other
 * fields. Returns undefined when another writer changed the pool first. With
 * `nodes: 'stay'` (a pool made Abnormal or healed by one of its nodes) the
 * nodes are the cause, not the consequence, and keep their phases.
 */
export async function movePool(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  to: PoolPhase,
  changes: PoolChanges = {},
  details?: string,
  nodes: 'follow' | 'stay' = 'follow',
): Promise<PoolRecord | undefined> {
  const from = pool.phase;
  if (!canMove(from, to)) throw new Error(`Pool ${pool.name} cannot move from ${from} to ${to}`);
  const updated = await updatePoolIf(tx, pool, { ...changes, phase: to });
  if (!updated) return undefined;
  await moveUsage(
    tx,
    usageCounter(ctx.database, 'pool', pool),
    { workspaceId: pool.workspaceId, phase: from },
    { workspaceId: updated.workspaceId, phase: to },
  );
  if (from !== to) {
    const suffix = details ? `, details: ${details}` : '';
    await poolEvent(
      tx,
      pool,
      ctx.clock.now(),
      eventTypeFor(to),
      'PoolStatusChange',
      `Pool status changed, from ${from} to ${to}${suffix}.`,
    );
  }
  if (nodes === 'follow') await nodesFollow(ctx, tx, updated, from, to);
  // The pool's open orders record its progress, in this transaction (decision 17).
  if (from !== to) await followPoolOrders(ctx, tx, updated);
  return updated;
}

/** What a pool's move does to its nodes. */
type NodeEffect = 'create' | 'discard' | 'takeDown' | 'keep' | 'sicken' | 'heal';

/**
 * From the lifecycle tables (pool.lifecycle.ts): entering the phase that acquires
 * capacity creates the nodes, leaving the phases that hold it gives them back, a
 * deletion takes them down, a teardown that failed keeps them, and an Abnormal
 * pool's nodes are Abnormal until it heals.
 */
function nodeEffect(from: PoolPhase, to: PoolPhase): NodeEffect | undefined {
  if (from === to) return undefined;
  const held = POOL_HOLDS_CAPACITY.has(from);
  if (!held && POOL_ACQUIRES_CAPACITY.has(to)) return 'create';
  if (held && !POOL_HOLDS_CAPACITY.has(to)) return 'discard';
  if (to === 'Deleting') return 'takeDown';
  if (from === 'Deleting') return 'keep';
  if (to === 'Abnormal') return 'sicken';
  if (from === 'Abnormal') return 'heal';
  return undefined;
}

async function nodesFollow(ctx: AppContext, tx: Executor, pool: PoolRecord, from: PoolPhase, to: PoolPhase) {
  const effect = nodeEffect(from, to);
  if (!effect) return;
  const before = await poolTallies(tx, pool.id);
  if (effect === 'create') await createPoolNodes(ctx, tx, pool);
  else if (effect === 'discard') await discardPoolNodes(tx, pool);
  else if (effect === 'takeDown') await deletePoolNodes(ctx, tx, pool, before);
  else if (effect === 'keep') await setPoolNodesHealth(tx, pool, true, ['Deleting']);
  else await setPoolNodesHealth(tx, pool, effect === 'heal');
  await rollUpEvent(ctx, tx, pool, before);
}

/**
 * The event of a change of a pool's roll-up (status.resources), in the message
 * shape of config-events-flavors §4, which clients may parse; nothing when the
 * counts did not change. `before` are the counts before the change; returns
 * the counts after it (read here, so the caller need not read them again).
 * `poolIs: 'inserted'`: the pool was inserted in this transaction.
 */
export async function rollUpEvent(
  ctx: AppContext,
  tx: Executor,
  pool: Pick<PoolRecord, 'id' | 'projectId' | 'name'>,
  before: readonly NodeTally[],
  poolIs: 'stored' | 'inserted' = 'stored',
): Promise<NodeTally[]> {
  const from = describeTallies(before);
  const tallies = await poolTallies(tx, pool.id);
  const to = describeTallies(tallies);
  if (from === to) return tallies;
  await noteNodeChange(ctx, tx, pool.id, tallies, poolIs === 'inserted');
  await followPoolOrdersLater(ctx, tx, { id: pool.id, projectId: pool.projectId, name: pool.name });
  const now = ctx.clock.now();
  await poolEvent(
    tx,
    pool,
    now,
    'Normal',
    'PoolResourcesStatusChange',
    `Pool resources status changed, available/abnormal/creating/deleting count from ${from} to ${to}, timestamp: ${Math.floor(now.getTime() / 1000)}.`,
  );
  return tallies;
}

/** Removes a pool and everything it holds or counts (its nodes go with the row). */
export async function removePool(ctx: AppContext, tx: Executor, pool: PoolRecord, why: string): Promise<boolean> {
  if (!(await deletePoolIf(tx, pool))) return false;
  await moveUsage(
    tx,
    usageCounter(ctx.database, 'pool', pool),
    { workspaceId: pool.workspaceId, phase: pool.phase },
    null,
  );
  await poolEvent(tx, pool, ctx.clock.now(), 'Normal', 'PoolDeleted', `Pool ${pool.name} removed: ${why}.`);
  return true;
}

/** Pool tags as the pool shows them (config-events-flavors §6.2): `metadata.annotations`, JSON text. */
export const POOL_TAGS_ANNOTATION = 'os.modelarts/tms.tags';

/**
 * Writes the pool's tags into its annotation, in the tag change's transaction, so the tag routes
 * and ShowPool agree; no tags: no annotation. Returns false when another writer changed the pool
 * first (the caller reruns its transaction).
 */
export async function annotatePoolTags(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  tags: readonly { key: string; value: string }[],
): Promise<boolean> {
  const { [POOL_TAGS_ANNOTATION]: before, ...others } = pool.annotations;
  const text = tags.length > 0 ? JSON.stringify(tags.map(({ key, value }) => ({ key, value }))) : undefined;
  if (text === before) return true;
  const annotations = text === undefined ? others : { ...others, [POOL_TAGS_ANNOTATION]: text };
  return (await movePool(ctx, tx, pool, pool.phase, { annotations })) !== undefined;
}
