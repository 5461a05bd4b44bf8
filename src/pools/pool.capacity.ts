import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { movePool } from './pool.move.js';
import type { PoolRecord } from './pool.record.js';
import { countFlavorNodes } from '../nodes/node.reads.js';
import { unpaidCreateOrder } from '../orders/order.reads.js';
import { anyWaitingPool, selectWaitingPools } from './pool.store.js';
import { nodesWanted } from './pool.view.js';

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
    // Every node of the flavor counts until it is gone, whatever its phase.
    const usedByOthers = (await countFlavorNodes(tx, flavor)) - (held.get(flavor) ?? 0);
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
    // A pool waiting to be paid queues for nothing yet (decision 19).
    if (await unpaidCreateOrder(tx, waiting.projectId, waiting.name)) continue;
    for (const f of finiteFlavors(ctx, nodesWanted(waiting.spec.resources))) queued.add(f);
  }
  return queued;
}

/** Waiting → Creating: movePool creates the pool's nodes; the provisioning timer starts. */
export async function startCreating(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<PoolRecord | undefined> {
  return movePool(ctx, tx, pool, 'Creating', {
    dueAt: ctx.lifecycle.dueAt('poolCreate', ctx.clock.now()),
    message: null,
  });
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
  for (const pool of waiting) {
    if (await unpaidCreateOrder(tx, pool.projectId, pool.name)) continue;
    const wanted = nodesWanted(pool.spec.resources);
    if (await capacityShortfall(ctx, tx, wanted, new Map(), blocked)) {
      for (const flavor of finiteFlavors(ctx, wanted)) blocked.add(flavor);
      continue;
    }
    if (await startCreating(ctx, tx, pool)) admitted += 1;
  }
  return admitted;
}
