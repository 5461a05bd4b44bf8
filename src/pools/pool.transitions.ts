import type { AppContext } from '../context.js';
import { toDbTime, type Executor } from '../db/database.js';
import type { PoolRow, PoolUpdate } from '../db/schema.js';
import { insertEvent, type EventType } from '../events/event.store.js';
import { moveUsage, usageCounter } from '../quotas/usage.store.js';
import { canMove, type PoolPhase } from './pool.lifecycle.js';
import type { PoolSpec } from './pool.schema.js';
import { nodesWanted } from './pool.view.js';
import { anyWaitingPool, selectWaitingPools, setHeldNodes, sumHeldNodes, updatePoolIf } from './pool.store.js';

/** config-events-flavors §4: a status change is Normal when it reaches Running, a Warning otherwise. */
const eventTypeFor = (to: PoolPhase) => (to === 'Running' ? 'Normal' : 'Warning');

export async function poolEvent(
  tx: Executor,
  row: Pick<PoolRow, 'project_id' | 'name'>,
  at: Date,
  type: EventType,
  reason: string,
  message: string,
): Promise<void> {
  await insertEvent(tx, {
    projectId: row.project_id,
    resourceKind: 'pools',
    resourceName: row.name,
    type,
    reason,
    message,
    at,
  });
}

/**
 * The one way a pool changes phase: a conditional update on the version the
 * caller read, the usage counters moved and the event written, all in `tx`.
 * Returns undefined when another writer changed the pool first.
 */
export async function movePool(
  ctx: AppContext,
  tx: Executor,
  row: PoolRow,
  to: PoolPhase,
  changes: PoolUpdate = {},
  details?: string,
): Promise<PoolRow | undefined> {
  const from = row.phase as PoolPhase;
  if (from !== to && !canMove(from, to)) throw new Error(`Pool ${row.name} cannot move from ${from} to ${to}`);
  const updated = await updatePoolIf(tx, row.id, row.version, { ...changes, phase: to });
  if (!updated) return undefined;
  await moveUsage(
    tx,
    usageCounter(ctx.database, 'pool', row),
    { workspaceId: row.workspace_id, phase: from },
    { workspaceId: updated.workspace_id, phase: to },
  );
  if (from !== to) {
    const suffix = details ? `, details: ${details}` : '';
    await poolEvent(
      tx,
      row,
      ctx.clock.now(),
      eventTypeFor(to),
      'PoolStatusChange',
      `Pool status changed, from ${from} to ${to}${suffix}.`,
    );
  }
  return updated;
}

/**
 * Why these nodes cannot be had now, or undefined when they can (decision 10).
 * `held` is what the pool already holds; `blocked` are flavors an earlier waiting
 * pool is queued for, which a later pool may not overtake.
 */
export async function capacityShortfall(
  ctx: AppContext,
  tx: Executor,
  wanted: ReadonlyMap<string, number>,
  held: ReadonlyMap<string, number> = new Map(),
  blocked: ReadonlySet<string> = new Set(),
): Promise<string | undefined> {
  if (finiteFlavors(ctx, wanted).length > 0) await ctx.database.lockCapacity(tx);
  for (const [flavor, nodes] of wanted) {
    const capacity = ctx.flavors.capacity(flavor);
    // Nodes already held are the pool's own: keeping or giving back needs no check.
    if (capacity === undefined || nodes <= (held.get(flavor) ?? 0)) continue;
    if (blocked.has(flavor)) return `earlier pools are waiting for flavor ${flavor}`;
    const usedByOthers = (await sumHeldNodes(tx, flavor)) - (held.get(flavor) ?? 0);
    if (usedByOthers + nodes > capacity) {
      return `flavor ${flavor} needs ${nodes} nodes, ${Math.max(0, capacity - usedByOthers)} of ${capacity} are free`;
    }
  }
  return undefined;
}

/** Flavors of this list whose capacity is finite: the ones a waiting pool queues for. */
export function finiteFlavors(ctx: AppContext, wanted: ReadonlyMap<string, number>): string[] {
  return [...wanted.keys()].filter((f) => ctx.flavors.capacity(f) !== undefined);
}

/** Finite-capacity flavors that waiting pools are queued for: nobody may overtake them. */
export async function queuedFlavors(ctx: AppContext, tx: Executor): Promise<Set<string>> {
  const queued = new Set<string>();
  for (const waiting of await selectWaitingPools(tx)) {
    for (const f of finiteFlavors(ctx, nodesWanted((JSON.parse(waiting.spec) as PoolSpec).resources))) queued.add(f);
  }
  return queued;
}

/** Moves a pool into Creating: takes its nodes and starts the provisioning timer. */
export async function startCreating(ctx: AppContext, tx: Executor, row: PoolRow): Promise<PoolRow | undefined> {
  const spec = JSON.parse(row.spec) as PoolSpec;
  const now = ctx.clock.now();
  const moved = await movePool(ctx, tx, row, 'Creating', {
    due_at: toDbTime(ctx.lifecycle.dueAt('poolCreate', now)),
    message: null,
  });
  if (moved) await setHeldNodes(tx, moved.id, nodesWanted(spec.resources));
  return moved;
}

/**
 * What a release of capacity calls: starts the waiting pools that now fit.
 * Pools wait only for flavors of finite capacity, so without any there is
 * nothing to look for (admitEveryWaitingPool is the safety net for pools left
 * waiting by an earlier flavors file).
 */
export async function admitWaitingPools(ctx: AppContext, tx: Executor): Promise<number> {
  return ctx.flavors.anyFinite ? admitEveryWaitingPool(ctx, tx) : 0;
}

/**
 * Starts every waiting pool whose nodes are free, oldest first. A pool that does
 * not fit blocks its flavors for the pools behind it, so nobody is overtaken.
 */
export async function admitEveryWaitingPool(ctx: AppContext, tx: Executor): Promise<number> {
  if (!(await anyWaitingPool(tx))) return 0;
  await ctx.database.lockCapacity(tx);
  const waiting = await selectWaitingPools(tx);
  const blocked = new Set<string>();
  let admitted = 0;
  for (const row of waiting) {
    const wanted = nodesWanted((JSON.parse(row.spec) as PoolSpec).resources);
    if (await capacityShortfall(ctx, tx, wanted, new Map(), blocked)) {
      for (const flavor of finiteFlavors(ctx, wanted)) blocked.add(flavor);
      continue;
    }
    if (await startCreating(ctx, tx, row)) admitted += 1;
  }
  return admitted;
}
