import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { movePool, poolEvent, rollUpEvent } from './pool.move.js';
import type { PoolRecord } from './pool.record.js';
import type { PoolSpec } from './pool.schema.js';
import { countFlavorNodes, type NodeTally } from '../nodes/node.reads.js';
import { settleWaitingItems, unpaidCreateOrder } from '../orders/order.reads.js';
import { anyWaitingPool, findPoolById, lockPoolById } from './pool.store.js';
import { growNodePool, liveNodes, nodePoolOf, poolTallies } from './pool.nodes.js';
import { nodesWanted } from './pool.view.js';
import {
  anyTicket,
  deleteTicket,
  insertTicket,
  selectPoolTickets,
  selectQueue,
  ticketUnqueuedWaitingPools,
  WHOLE_POOL,
  type QueueTicket,
} from './queue.store.js';

/**
 * Capacity counted in nodes (decision 10): a flavor's finite capacity is the
 * number of its nodes that exist and are not gone, whatever their phase. Who
 * cannot have nodes now queues for them in one queue per flavor, first come
 * first served (queue.store.ts): pools in Waiting, and scale-outs of running
 * pools (a PATCH of a count, a new node pool), whose missing nodes are simply
 * not created yet. Every release of capacity admits from the queue in its own
 * transaction, under the capacity lock, so no crash loses a place or a node.
 */

/** Pool phases whose waiting scale-outs are admitted; in others a ticket waits (Abnormal) or is stale. */
const ADMITS_SCALE_OUT: ReadonlySet<PoolRecord['phase']> = new Set<PoolRecord['phase']>(['Running', 'Abnormal']);

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

/** What a ticket waits for, read with its pool: flavor → nodes; empty when it waits for nothing (stale). */
async function ticketWants(
  ctx: AppContext,
  tx: Executor,
  ticket: QueueTicket,
  pool: PoolRecord | undefined,
): Promise<{ wanted: Map<string, number>; stale: boolean; waits: boolean }> {
  if (!pool) return { wanted: new Map(), stale: true, waits: false };
  if (ticket.nodePool === WHOLE_POOL) {
    if (pool.phase !== 'Waiting') return { wanted: new Map(), stale: true, waits: false };
    // A pool waiting to be paid queues for nothing yet (decision 19), but keeps its place.
    const unpaid = (await unpaidCreateOrder(tx, pool.projectId, pool.name)) !== undefined;
    return { wanted: nodesWanted(pool.spec.resources), stale: false, waits: !unpaid };
  }
  const entry = pool.spec.resources.find((r) => nodePoolOf(r) === ticket.nodePool);
  const have = liveNodes(await poolTallies(tx, pool.id)).get(ticket.nodePool) ?? 0;
  if (!entry || entry.count <= have || !POOL_KEEPS_TICKET.has(pool.phase)) {
    return { wanted: new Map(), stale: true, waits: false };
  }
  return { wanted: new Map([[entry.flavor, entry.count - have]]), stale: false, waits: true };
}

/** Pool phases in which a waiting scale-out stays queued (ScalingFailed and later went back to the nodes they had). */
const POOL_KEEPS_TICKET: ReadonlySet<PoolRecord['phase']> = new Set<PoolRecord['phase']>([
  'Running',
  'Abnormal',
  'Error',
]);

/** Finite-capacity flavors that somebody is queued for: nobody may overtake them. */
export async function queuedFlavors(ctx: AppContext, tx: Executor): Promise<Set<string>> {
  const queued = new Set<string>();
  if (!ctx.flavors.anyFinite) return queued;
  await ctx.database.lockCapacity(tx);
  await ticketUnqueuedWaitingPools(tx);
  for (const ticket of await selectQueue(tx)) {
    const wants = await ticketWants(ctx, tx, ticket, await findPoolById(tx, ticket.poolId));
    if (!wants.waits) continue;
    for (const f of finiteFlavors(ctx, wants.wanted)) queued.add(f);
  }
  return queued;
}

/** Waiting → Creating: movePool creates the pool's nodes; the provisioning timer starts. */
export async function startCreating(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<PoolRecord | undefined> {
  const started = await movePool(ctx, tx, pool, 'Creating', {
    dueAt: ctx.lifecycle.dueAt('poolCreate', ctx.clock.now()),
    message: null,
  });
  if (started) await deleteTicket(tx, pool.id, WHOLE_POOL);
  return started;
}

/** A new pool that waits for capacity takes its place in the queue. */
export async function queuePool(tx: Executor, pool: PoolRecord): Promise<void> {
  await insertTicket(tx, pool.id, WHOLE_POOL);
}

/**
 * What a release of capacity calls: admits, from the front of the queue, what
 * now fits. Without a finite flavor nobody ever queues (admitEveryWaitingPool
 * is the safety net for pools left waiting by an earlier flavors file).
 */
export async function admitWaitingPools(ctx: AppContext, tx: Executor): Promise<number> {
  return ctx.flavors.anyFinite ? admitEveryWaitingPool(ctx, tx) : 0;
}

/** Anybody in the queue, or a Waiting pool not in it yet. */
export async function anyQueued(tx: Executor): Promise<boolean> {
  return (await anyTicket(tx)) || (await anyWaitingPool(tx));
}

/**
 * Admits, in queue order, every waiting pool and waiting scale-out whose nodes
 * are free. One that does not fit blocks its flavors for those behind it, so
 * nobody is overtaken; tickets that wait for nothing any more are dropped.
 */
export async function admitEveryWaitingPool(ctx: AppContext, tx: Executor): Promise<number> {
  if (!(await anyQueued(tx))) return 0;
  await ctx.database.lockCapacity(tx);
  await ticketUnqueuedWaitingPools(tx);
  const blocked = new Set<string>();
  let admitted = 0;
  for (const ticket of await selectQueue(tx)) {
    const pool = await lockPoolById(ctx.database, tx, ticket.poolId);
    const wants = await ticketWants(ctx, tx, ticket, pool);
    if (wants.stale || !pool) {
      await dropTicket(ctx, tx, ticket, pool);
      continue;
    }
    if (!wants.waits) continue;
    const admits = ticket.nodePool === WHOLE_POOL || ADMITS_SCALE_OUT.has(pool.phase);
    if (!admits || (await capacityShortfall(ctx, tx, wants.wanted, new Map(), blocked))) {
      for (const flavor of finiteFlavors(ctx, wants.wanted)) blocked.add(flavor);
      continue;
    }
    const done =
      ticket.nodePool === WHOLE_POOL
        ? (await startCreating(ctx, tx, pool)) !== undefined
        : await admitScaleOut(ctx, tx, pool, ticket.nodePool);
    if (done) admitted += 1;
  }
  return admitted;
}

/** A ticket that waits for nothing any more goes, and so do the order items that waited with it. */
async function dropTicket(ctx: AppContext, tx: Executor, ticket: QueueTicket, pool: PoolRecord | undefined) {
  await deleteTicket(tx, ticket.poolId, ticket.nodePool);
  if (pool && ticket.nodePool !== WHOLE_POOL) await settleWaitingItems(ctx, tx, pool, ticket.nodePool, [], 0);
}

/** The waiting nodes of one node pool are created: they come up like any scale-out's. */
async function admitScaleOut(ctx: AppContext, tx: Executor, pool: PoolRecord, nodePool: string): Promise<boolean> {
  const entry = pool.spec.resources.find((r) => nodePoolOf(r) === nodePool);
  if (!entry) return false;
  const before = await poolTallies(tx, pool.id);
  const have = liveNodes(before).get(nodePool) ?? 0;
  const names = await growNodePool(ctx, tx, pool, entry, have, entry.count - have);
  await deleteTicket(tx, pool.id, nodePool);
  const now = ctx.clock.now();
  const moved = await movePool(ctx, tx, pool, pool.phase, {
    message: await waitingMessage(tx, pool, pool.spec),
    dueAt: ctx.lifecycle.dueAt('poolScale', now),
  });
  if (!moved) return false;
  await settleWaitingItems(ctx, tx, pool, nodePool, names, 0);
  await poolEvent(
    tx,
    pool,
    now,
    'Normal',
    'PoolScaling',
    `Capacity freed: ${names.length} nodes of flavor ${entry.flavor} join node pool ${nodePool}.`,
  );
  await rollUpEvent(ctx, tx, moved, before);
  return true;
}

/** A scale-out as planned against the capacity: what is created now, and what waits, per node pool. */
export interface ScalePlan {
  /** The spec to bring the nodes to now: waiting node pools keep the nodes they have. */
  now: PoolSpec;
  /** Nodes that wait, per node pool, after the change. */
  waiting: Map<string, number>;
  /** Nodes that waited, per node pool, before the change. */
  waitedBefore: Map<string, number>;
}

/**
 * Plans a change of a pool's spec.resources against the capacity (decision 10):
 * a node pool that grows gets its new nodes now if they are free and nobody
 * queued for the flavor before, else it takes a place at the back of the queue
 * and its nodes wait (a waiting node pool asked for more goes to the back with
 * all it waits for: it never overtakes). A node pool asked for fewer keeps its
 * place with what still waits; one that waits for nothing any more leaves it.
 */
export async function planScale(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  spec: PoolSpec,
  tallies: readonly NodeTally[],
): Promise<ScalePlan> {
  const live = liveNodes(tallies);
  const tickets = new Set((await selectPoolTickets(tx, pool.id)).map((t) => t.nodePool));
  const was = new Map(pool.spec.resources.map((r) => [nodePoolOf(r), r.count]));
  const waitedBefore = new Map<string, number>();
  for (const np of tickets) waitedBefore.set(np, Math.max(0, (was.get(np) ?? 0) - (live.get(np) ?? 0)));
  const finite = spec.resources.some((r) => ctx.flavors.capacity(r.flavor) !== undefined);
  if (finite) await ctx.database.lockCapacity(tx);
  const blocked = finite ? await queuedFlavors(ctx, tx) : new Set<string>();
  const taking = new Map<string, number>();
  const waiting = new Map<string, number>();
  const resources = [];
  for (const r of spec.resources) {
    const np = nodePoolOf(r);
    const have = live.get(np) ?? 0;
    const add = r.count - have;
    const capacity = ctx.flavors.capacity(r.flavor);
    const queue = async () => {
      waiting.set(np, add);
      blocked.add(r.flavor);
      resources.push({ ...r, count: have });
    };
    if (add <= 0 || capacity === undefined) {
      if (tickets.has(np)) await deleteTicket(tx, pool.id, np);
      resources.push(r);
    } else if (tickets.has(np) && r.count <= (was.get(np) ?? 0)) {
      await queue();
    } else {
      const used = (await countFlavorNodes(tx, r.flavor)) + (taking.get(r.flavor) ?? 0);
      if (!blocked.has(r.flavor) && used + add <= capacity) {
        if (tickets.has(np)) await deleteTicket(tx, pool.id, np);
        taking.set(r.flavor, (taking.get(r.flavor) ?? 0) + add);
        resources.push(r);
      } else {
        await insertTicket(tx, pool.id, np);
        await queue();
      }
    }
  }
  for (const np of tickets) if (!spec.resources.some((r) => nodePoolOf(r) === np)) await deleteTicket(tx, pool.id, np);
  return { now: { ...spec, resources }, waiting, waitedBefore };
}

/** status.message of a running pool whose scale-outs wait: what waits, per node pool; null when nothing does. */
export async function waitingMessage(tx: Executor, pool: PoolRecord, spec: PoolSpec): Promise<string | null> {
  const tickets = (await selectPoolTickets(tx, pool.id)).filter((t) => t.nodePool !== WHOLE_POOL);
  if (tickets.length === 0) return null;
  const live = liveNodes(await poolTallies(tx, pool.id));
  const parts = tickets.flatMap((t) => {
    const entry = spec.resources.find((r) => nodePoolOf(r) === t.nodePool);
    const n = entry ? entry.count - (live.get(t.nodePool) ?? 0) : 0;
    return n > 0 && entry ? [`${n} nodes of flavor ${entry.flavor} for node pool ${t.nodePool}`] : [];
  });
  return parts.length > 0 ? `Waiting for capacity: ${parts.join('; ')}.` : null;
}
