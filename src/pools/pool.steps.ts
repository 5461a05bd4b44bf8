import type { AppContext } from '../context.js';
import { after, type Database, type Executor } from '../db/database.js';
import { claimDue } from '../db/claims.js';
import {
  faultMatches,
  markFaultedPool,
  takeFault,
  unmarkFaultedPool,
  type FaultRecord,
} from '../faults/fault.service.js';
import { admitWaitingPools } from './pool.capacity.js';
import { SCOPE_FAILED, SCOPE_SETTLES_TO } from './pool.lifecycle.js';
import {
  abnormalFailure,
  creationFailure,
  DELETION_FAILED,
  deletionFailure,
  failureOf,
  faultTargetOf,
  scalingFailure,
  scopeFailure,
  type Failure,
} from './pool.faults.js';
import { movePool, poolEvent, removePool, rollUpEvent } from './pool.move.js';
import { advanceDueNodes, bringUpNodes, bucketTotal, poolTallies, revertScaling } from './pool.nodes.js';
import type { PoolRecord } from './pool.record.js';
import type { PoolResource, ScopeStatus } from './pool.schema.js';
import { findPoolById, lockPoolById, selectSettledRunningPools, toPoolRecord } from './pool.store.js';
import { nodePoolOf } from './pool.nodes.js';
import { selectDueCreatingNodes, type NodeRecord, type NodeTally } from '../nodes/node.reads.js';
import {
  failingNodes,
  faultDrivers,
  healPoolNodes,
  nodesAbnormalMessage,
  nodesFaultsHold,
  poolFollowsNodes,
} from './pool.node-faults.js';
import { unpaidCreateOrder } from '../orders/order.reads.js';

/**
 * The engine's steps for a pool (STYLE §5): what runs when a pool's due time
 * comes, and the moves the emulator controls make. Each goes through movePool
 * or removePool, so each is one conditional update and running it twice does
 * nothing the second time.
 */

/**
 * A pool's scope states once the engine settled them (SCOPE_SETTLES_TO): Enabling → Enabled, or
 * EnableFailed with the reason when a `scope` fault matches; Disabling → Disabled. The states are
 * part of the pool's row, written by the same move as the rest of the step, so a step cut short
 * by a crash is simply run again.
 */
async function settledScopes(tx: Executor, pool: PoolRecord): Promise<ScopeStatus[]> {
  const settled: ScopeStatus[] = [];
  for (const scope of pool.scope) {
    const { scopeType } = scope;
    const to = SCOPE_SETTLES_TO[scope.state];
    const failure = to === 'Enabled' ? await scopeFailure(tx, pool) : undefined;
    if (failure) {
      settled.push({ scopeType, state: SCOPE_FAILED, message: failure.message });
    } else {
      settled.push(to ? { scopeType, state: to } : scope);
    }
  }
  return settled;
}

/** Creating → Running: the nodes are up and every job type enabled. */
export async function finishCreating(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<PoolRecord | undefined> {
  return movePool(ctx, tx, pool, 'Running', { scope: await settledScopes(tx, pool), dueAt: null });
}

/**
 * Creating → Running at once, its nodes brought up with it (the seed file's pools
 * that start Running): one roll-up change, then the phase change.
 */
export async function finishCreatingNow(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
): Promise<PoolRecord | undefined> {
  const before = await poolTallies(tx, pool.id);
  await bringUpNodes(tx, pool);
  await rollUpEvent(ctx, tx, pool, before);
  return finishCreating(ctx, tx, pool);
}

/**
 * The end of a pool's creation, once its own setup is done and none of its nodes
 * is still coming up: Running, then Abnormal at once if a fault asks for it.
 */
async function completeCreation(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<boolean> {
  const running = await finishCreating(ctx, tx, pool);
  if (!running) return false;
  const abnormal = await abnormalFailure(tx, running);
  if (abnormal) await makeAbnormal(ctx, tx, running, abnormal);
  return true;
}

/**
 * The engine's step for the due nodes of one pool, in one transaction: nodes
 * being created come up, nodes being removed go, the roll-up event is written,
 * and a pool whose setup is done becomes Running with its last node. The pool's
 * row is locked first, so pool steps and node steps of a pool take turns (and
 * always in the order pool, nodes, counts). Returns false when nothing moved.
 */
export async function advancePoolNodes(
  ctx: AppContext,
  tx: Executor,
  poolId: number,
  due: readonly NodeRecord[],
): Promise<boolean> {
  const pool = await lockPoolById(ctx.database, tx, poolId);
  if (!pool) return false;
  const before = await poolTallies(tx, pool.id);
  const after = await stepDueNodes(ctx, tx, pool, before, due);
  if (!after) return false;
  if (pool.phase === 'Creating' && pool.dueAt === null && bucketTotal(after, 'creating') === 0) {
    await completeCreation(ctx, tx, pool);
  }
  if (bucketTotal(after, 'abnormal') > 0) await poolFollowsNodes(ctx, tx, pool);
  // Nodes that went gave back capacity.
  if (bucketTotal(after, 'deleting') < bucketTotal(before, 'deleting')) await admitWaitingPools(ctx, tx);
  return true;
}

/**
 * Moves the due nodes of a pool whose row the transaction holds (`before`: its
 * counts now): nodes being created come up, unless a node fault fails them, and
 * nodes being removed go; the roll-up event is written. Returns the counts after,
 * or undefined when nothing moved.
 */
async function stepDueNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  before: readonly NodeTally[],
  due: readonly NodeRecord[],
): Promise<NodeTally[] | undefined> {
  // Node faults (pool.node-faults.ts): some of the due nodes may fail to come up.
  const stepping = pool.phase === 'Deleting' ? due : await failingNodes(tx, pool, due);
  const failed = due.length - stepping.length;
  if ((await advanceDueNodes(tx, pool, stepping)) + failed === 0) return undefined;
  if (pool.phase !== 'Deleting') await faultDrivers(tx, pool, stepping);
  return rollUpEvent(ctx, tx, pool, before);
}

/**
 * Pools with at most this many nodes coming up bring them up in their own
 * creation step; larger ones leave them to the node steps, a batch at a time.
 */
const NODES_WITH_THE_POOL = 1000;

/**
 * A Creating pool's own step, its row held: the nodes due with it come up in this
 * transaction (with every timing 0 they fall due together, and a node step of
 * their own would lock the pool and read its counts again right after), then the
 * pool is Running if none is left coming up, or waits for them with nothing due.
 */
async function creationStep(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<boolean> {
  const before = await poolTallies(tx, pool.id);
  const coming = bucketTotal(before, 'creating');
  let after: readonly NodeTally[] = before;
  if (coming > 0 && coming <= NODES_WITH_THE_POOL) {
    const due = await selectDueCreatingNodes(tx, pool.id, ctx.clock.now());
    if (due.length > 0) after = (await stepDueNodes(ctx, tx, pool, before, due)) ?? before;
  }
  const done =
    bucketTotal(after, 'creating') > 0
      ? (await movePool(ctx, tx, pool, 'Creating', { dueAt: null })) !== undefined
      : await completeCreation(ctx, tx, pool);
  if (after !== before && bucketTotal(after, 'abnormal') > 0) await poolFollowsNodes(ctx, tx, pool);
  return done || after !== before;
}

/** Running, ScalingFailed or Error with a change pending: job types settle; a scaling may fail here. */
async function settle(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<boolean> {
  const { phase } = pool;
  const tallies = await poolTallies(tx, pool.id);
  const scaling = bucketTotal(tallies, 'creating') + bucketTotal(tallies, 'deleting') > 0;
  if (phase === 'Running' && scaling) {
    const failure = await scalingFailure(tx, pool);
    if (failure) return failScaling(ctx, tx, pool, failure);
  }
  const scope = await settledScopes(tx, pool);
  return (await movePool(ctx, tx, pool, phase, { scope, dueAt: null })) !== undefined;
}

/**
 * One engine step for a pool whose due time has come: finish creating, settle a
 * scaling, remove a deleted pool or an expired failure record. Returns false
 * when another writer moved the pool first.
 */
export async function advancePool(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<boolean> {
  switch (pool.phase) {
    case 'Creating': {
      // A simulated failure (label or fault) is decided, and a fault consumed, in this step's transaction.
      const failure = await creationFailure(tx, pool);
      if (failure) return failCreation(ctx, tx, pool, failure);
      // The pool's own setup is done: its nodes due now come up with it (creationStep); one due
      // later, or held by another engine, completes it in its node step (advancePoolNodes).
      const locked = await lockPoolById(ctx.database, tx, pool.id);
      if (!locked || locked.version !== pool.version) return false;
      return creationStep(ctx, tx, locked);
    }
    case 'Abnormal':
      // Nothing else makes an Abnormal pool due (it cannot be scaled): its recovery time has come.
      return healAbnormal(ctx, tx, pool);
    case 'Running':
    case 'ScalingFailed':
    case 'Error':
      return settle(ctx, tx, pool);
    case 'Deleting':
    case 'CreationFailed': {
      if (pool.phase === 'Deleting') {
        const failure = await deletionFailure(tx, pool);
        if (failure) return failDeletion(ctx, tx, pool, failure);
      }
      const why = pool.phase === 'Deleting' ? 'teardown finished' : 'failure record expired';
      if (!(await removePool(ctx, tx, pool, why))) return false;
      await admitWaitingPools(ctx, tx);
      return true;
    }
    case 'Waiting':
      return advanceWaiting(ctx, tx, pool);
  }
}

/**
 * A Waiting pool's due time: an unpaid order past its expiry fails the pool
 * (decision 19, ATELIER_ORDER_EXPIRY_SECONDS), an unpaid one not yet past it
 * keeps that due time, and a paid one queues for capacity with nothing due.
 */
async function advanceWaiting(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<boolean> {
  const unpaid = await unpaidCreateOrder(tx, pool.projectId, pool.name);
  if (unpaid?.expiresAt && unpaid.expiresAt <= ctx.clock.now()) {
    const message = `Order ${unpaid.orderName} was not paid in time.`;
    return failCreation(ctx, tx, pool, { message, details: message, faultId: null, recoverAfterSeconds: null });
  }
  if (!unpaid && (await admitWaitingPools(ctx, tx)) > 0) return true;
  const dueAt = unpaid?.expiresAt ?? null;
  return (await movePool(ctx, tx, pool, 'Waiting', { dueAt })) !== undefined;
}

/** Creating → CreationFailed: movePool releases the nodes; the record is kept for the retention time. */
export async function failCreation(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  failure: Failure,
): Promise<boolean> {
  const now = ctx.clock.now();
  const changes = {
    failedAt: now,
    dueAt: new Date(now.getTime() + ctx.config.failedRetentionMs),
    message: failure.message,
    scope: [],
  };
  if (!(await movePool(ctx, tx, pool, 'CreationFailed', changes, failure.details))) return false;
  await admitWaitingPools(ctx, tx);
  return true;
}

/**
 * Running → ScalingFailed: the pool keeps the nodes it had; spec.resources goes
 * back to them, so the pool does not claim a size it never reached.
 */
export async function failScaling(ctx: AppContext, tx: Executor, pool: PoolRecord, failure: Failure): Promise<boolean> {
  const { spec } = pool;
  const before = await poolTallies(tx, pool.id);
  const kept = await revertScaling(tx, pool);
  const resources: PoolResource[] = spec.resources.flatMap((wanted) => {
    const count = kept.get(nodePoolOf(wanted)) ?? 0;
    if (count === 0) return [];
    const { azs, ...rest } = wanted;
    // A Dedicate pool's maxCount equals its count (pools.md §3.3); others keep their ceiling.
    const maxCount = spec.type === 'Dedicate' ? count : Math.max(count, wanted.maxCount ?? count);
    return [{ ...rest, count, maxCount, ...(azs && wanted.count === count ? { azs } : {}) }];
  });
  const changes = {
    spec: { ...spec, resources },
    scope: await settledScopes(tx, pool),
    message: failure.message,
    dueAt: null,
  };
  if (!(await movePool(ctx, tx, pool, 'ScalingFailed', changes, failure.details))) return false;
  await rollUpEvent(ctx, tx, pool, before);
  await admitWaitingPools(ctx, tx);
  return true;
}

/**
 * Deleting → Error (decision of docs/emulator.md): the pool keeps its nodes and
 * its deletionTimestamp is cleared; a second DELETE starts the teardown again.
 */
export async function failDeletion(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  failure: Failure,
): Promise<boolean> {
  const changes = { deletingAt: null, dueAt: null, message: failure.message };
  if (!(await movePool(ctx, tx, pool, 'Error', changes, failure.details))) return false;
  const message = `Pool ${pool.name} could not be deleted: ${failure.message}`;
  await poolEvent(tx, pool, ctx.clock.now(), 'Warning', DELETION_FAILED, message);
  return true;
}

/**
 * Running → Abnormal, back to Running after the fault's recovery time (none: until
 * the fault is cleared), or, asked for by the label, after one pool-creation step
 * of the lifecycle policy (so manual mode holds it until an advance).
 */
export async function makeAbnormal(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  failure: Failure,
): Promise<PoolRecord | undefined> {
  const now = ctx.clock.now();
  const recover = failure.recoverAfterSeconds;
  const dueAt =
    failure.faultId === null ? ctx.lifecycle.dueAt('poolCreate', now) : recover === null ? null : after(now, recover);
  const moved = await movePool(ctx, tx, pool, 'Abnormal', { message: failure.message, dueAt }, failure.details);
  if (moved) await markFaultedPool(tx, pool.id, failure.faultId);
  return moved;
}

/**
 * Abnormal → Running: the recovery timer ran out, or the fault was cleared. Nodes
 * a node fault of their own holds Abnormal stay so, and keep the pool Abnormal
 * (poolFollowsNodes' state: its nodes are the cause now, not the pool fault).
 */
export async function healAbnormal(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<boolean> {
  const hold = await nodesFaultsHold(tx, pool.id);
  const before = await poolTallies(tx, pool.id);
  const moved =
    hold.held.length === 0
      ? await movePool(ctx, tx, pool, 'Running', { message: null, dueAt: null }, 'recovered', 'stay')
      : await movePool(
          ctx,
          tx,
          pool,
          'Abnormal',
          { message: nodesAbnormalMessage(hold.held.length), dueAt: null },
          undefined,
          'stay',
        );
  if (!moved) return false;
  await healPoolNodes(tx, pool.id, hold);
  await rollUpEvent(ctx, tx, moved, before);
  if (hold.held.length === 0) await unmarkFaultedPool(tx, pool.id);
  else await markFaultedPool(tx, pool.id, null);
  return true;
}

// --- what the engine and the emulator controls call ------------------------------

/** Claims up to `limit` due pools for the engine `owner` (db/claims.ts). */
export async function claimDuePools(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<PoolRecord[]> {
  return (await claimDue(database, 'pools', owner, now, leaseMs, limit, onTakeover)).map(toPoolRecord);
}

/**
 * An `abnormal` fault applied at once: matching Running pools with nothing
 * pending turn Abnormal, oldest first, as many as the fault has uses. Returns
 * the names of the pools it hit.
 */
export async function applyAbnormalFault(ctx: AppContext, tx: Executor, fault: FaultRecord): Promise<string[]> {
  const applied: string[] = [];
  for (const pool of await selectSettledRunningPools(tx, fault.projectId)) {
    if (!faultMatches(fault, faultTargetOf(pool))) continue;
    await ctx.database.lockProject(tx, pool.projectId);
    const taken = await takeFault(tx, 'abnormal', faultTargetOf(pool));
    if (!taken) break;
    if (await makeAbnormal(ctx, tx, pool, failureOf(taken))) applied.push(pool.name);
  }
  return applied;
}

/** Heals a pool a cleared fault had made Abnormal; returns its name if it was healed. */
export async function healFaultedPool(ctx: AppContext, tx: Executor, poolId: number): Promise<string | undefined> {
  const pool = await findPoolById(tx, poolId);
  if (pool?.phase !== 'Abnormal' || !(await healAbnormal(ctx, tx, pool))) return undefined;
  // Nodes of its own faults may keep it Abnormal: then it is not healed.
  return (await findPoolById(tx, poolId))?.phase === 'Running' ? pool.name : undefined;
}

/** Due pools (the emulator's clock runs them itself) and pools made due now (its advance). */
export { makePoolsDue, selectDuePools, selectPoolsMatching } from './pool.store.js';
