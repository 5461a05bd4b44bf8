import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { recordEvent, type EventType } from '../events/event.recorder.js';
import { moveUsage, usageCounter } from '../quotas/quota.service.js';
import { canMove, POOL_ACQUIRES_CAPACITY, POOL_HOLDS_CAPACITY, type PoolPhase } from './pool.lifecycle.js';
import type { PoolChanges, PoolRecord } from './pool.record.js';
import { deletePoolIf, setHeldNodes, updatePoolIf } from './pool.store.js';
import { nodesWanted } from './pool.view.js';

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
 * fields. Returns undefined when another writer changed the pool first.
 */
export async function movePool(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  to: PoolPhase,
  changes: PoolChanges = {},
  details?: string,
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
  const held = POOL_HOLDS_CAPACITY.has(from);
  if (!held && POOL_ACQUIRES_CAPACITY.has(to)) await setHeldNodes(tx, pool.id, nodesWanted(updated.spec.resources));
  if (held && !POOL_HOLDS_CAPACITY.has(to)) await setHeldNodes(tx, pool.id, new Map());
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
  return updated;
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
