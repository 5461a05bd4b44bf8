import type { AppContext } from '../context.js';
import { deferredIn, type Database, type Deferred, type Executor } from '../db/database.js';
import type { NodePhase } from '../nodes/node.lifecycle.js';
import { selectNodePage, selectNodesByName, type NodeRecord } from '../nodes/node.reads.js';
import type { PoolPhase } from '../pools/pool.lifecycle.js';
import { ORDER_RETENTION_MS, type OrderItemStatus } from './order.lifecycle.js';
import { moveOrder } from './order.move.js';
import type { OrderItem, OrderRecord } from './order.record.js';
import { deleteOrdersEndedBefore, PENDING_FOLLOWS, selectOpenOrders } from './order.store.js';

/**
 * How orders follow their pool (decision 17): the pool and node steps call
 * followPoolOrders in their own transaction after the pool moved or its nodes
 * changed, so an order is never ahead of or behind what it records, whatever
 * crashes in between. Each item is read off its node: a node coming up is
 * `processing`, one that came up `succeed`, one that failed or went `failed`.
 */

/** The pool as the pool room hands it over; phase and message only when the pool itself moved. */
export interface FollowedPool {
  id: number;
  projectId: string;
  name: string;
  phase?: PoolPhase;
  message?: string | null;
}

/** Pool phases after which a create order's pool item is done. */
const POOL_SETTLED: ReadonlySet<PoolPhase> = new Set<PoolPhase>(['Running', 'Abnormal', 'ScalingFailed', 'Error']);
/** Pool phases that end whatever the pool's open orders still wait for. */
const POOL_GIVES_UP: ReadonlySet<PoolPhase> = new Set<PoolPhase>(['CreationFailed', 'Deleting', 'ScalingFailed']);

type Verdict = { status: OrderItemStatus; message?: string };

/** A createNode item: its node up, coming up, or failed (gone, or Abnormal before it ever served). */
function createdNode(node: NodeRecord | undefined): Verdict {
  if (!node) return { status: 'failed', message: 'the node was not created' };
  const verdicts: Record<NodePhase, Verdict> = {
    Creating: { status: 'processing' },
    Available: { status: 'succeed' },
    // Only a node that came up is rebooted or reset (batch actions, scheduled events).
    Checking: { status: 'succeed' },
    Abnormal: { status: 'failed', message: `node ${node.name} failed to come up` },
    Deleting: { status: 'failed', message: `node ${node.name} is being removed` },
  };
  return verdicts[node.phase];
}

/** A deleteNode item: its node gone, going, or kept (a failed scale-in). */
function deletedNode(node: NodeRecord | undefined): Verdict {
  if (!node) return { status: 'succeed' };
  if (node.phase === 'Deleting') return { status: 'processing' };
  return { status: 'failed', message: `node ${node.name} was not removed` };
}

/** A resizeNode item: done once the node is back up with its new flavor. */
function resizedNode(node: NodeRecord | undefined, flavor: string | undefined): Verdict {
  if (!node) return { status: 'failed', message: 'the node is gone' };
  if (node.phase === 'Abnormal') return { status: 'failed', message: `node ${node.name} failed to resize` };
  if (node.phase === 'Available' && (flavor === undefined || node.flavor === flavor)) return { status: 'succeed' };
  return { status: 'processing' };
}

function verdictOf(item: OrderItem, pool: FollowedPool, nodes: Map<string, NodeRecord>): Verdict {
  const node = nodes.get(item.resourceName);
  switch (item.action) {
    case 'createNode':
      return createdNode(node);
    case 'deleteNode':
      return deletedNode(node);
    case 'resizeNode':
      return resizedNode(node, item.flavor);
    case 'createPool': {
      if (pool.phase === undefined) return { status: item.status };
      if (POOL_SETTLED.has(pool.phase)) return { status: 'succeed' };
      return { status: 'processing' };
    }
    default:
      return { status: item.status };
  }
}

const giveUpMessage = (pool: FollowedPool): string =>
  pool.message ?? (pool.phase === 'Deleting' ? 'the pool is being deleted' : `the pool is ${pool.phase}`);

/** The items of an order as the pool and its nodes now stand; `now` stamps what changed. */
function resolveItems(order: OrderRecord, pool: FollowedPool, nodes: Map<string, NodeRecord>, now: number) {
  const givesUp = pool.phase !== undefined && POOL_GIVES_UP.has(pool.phase);
  return order.items.map((item): OrderItem => {
    if (item.status !== 'processing') return item;
    // A node still waiting for capacity is not there to read: only its pool's end ends it.
    if (item.waiting !== undefined && !givesUp) return item;
    const verdict = givesUp
      ? { status: 'failed' as const, message: giveUpMessage(pool) }
      : verdictOf(item, pool, nodes);
    if (verdict.status === item.status) return item;
    return { ...item, status: verdict.status, updateTimestamp: now, message: verdict.message ?? '' };
  });
}

/**
 * A create order placed while its pool waited gets one item per node once the nodes exist.
 * Returns the items, and the pool's nodes when it read them: then they are all the nodes
 * the items name, as they stand in this transaction.
 */
async function withNewNodes(
  tx: Executor,
  order: OrderRecord,
  pool: FollowedPool,
  now: number,
): Promise<{ items: OrderItem[]; nodes?: NodeRecord[] }> {
  if (order.kind !== 'createPool' || order.items.some((i) => i.action === 'createNode')) return { items: order.items };
  const nodes = await selectNodePage(tx, pool.id, {});
  if (nodes.length === 0) return { items: order.items };
  const fresh = nodes.map((n): OrderItem => ({
    resourceName: n.name,
    action: 'createNode',
    status: 'processing',
    beginTimestamp: now,
    updateTimestamp: now,
    message: '',
  }));
  return { items: [...order.items, ...fresh], nodes };
}

/** The order's end once no item is processing: all succeed, all failed (or the pool itself), or some of each. */
function outcome(items: readonly OrderItem[]) {
  if (items.some((i) => i.status === 'processing')) return undefined;
  const failed = items.filter((i) => i.status === 'failed');
  const poolFailed = failed.some((i) => i.action === 'createPool');
  if (failed.length === 0) return { phase: 'successed' as const, failReason: '' };
  const failReason = failed[0].message || 'the order failed';
  if (poolFailed || failed.length === items.length) return { phase: 'failed' as const, failReason };
  return { phase: 'partialSuccessed' as const, failReason: '' };
}

/** Brings one order up to date with its pool; returns it as stored. */
async function followOrder(tx: Executor, order: OrderRecord, pool: FollowedPool, now: Date): Promise<void> {
  const givesUp = pool.phase !== undefined && POOL_GIVES_UP.has(pool.phase);
  // An unpaid order waits for its payment; only its pool's end ends it.
  if (order.phase === 'pending') {
    if (!givesUp || pool.phase === 'ScalingFailed') return;
    const failReason = giveUpMessage(pool);
    const items = order.items.map((i) => ({ ...i, status: 'failed' as const, message: failReason }));
    await moveOrder(tx, order, 'failed', now, { items, failReason });
    return;
  }
  const at = now.getTime();
  const added = await withNewNodes(tx, order, pool, at);
  const current = { ...order, items: added.items };
  const names = current.items.filter(
    (i) => i.status === 'processing' && i.action !== 'createPool' && i.waiting === undefined,
  );
  const nodes =
    added.nodes ??
    (await selectNodesByName(
      tx,
      pool.id,
      names.map((i) => i.resourceName),
    ));
  const items = resolveItems(current, pool, new Map(nodes.map((n) => [n.name, n])), at);
  const end = outcome(items);
  const changed = items.some((item, i) => item !== order.items[i]) || items.length !== order.items.length;
  if (!end && !changed) return;
  await moveOrder(tx, order, end?.phase ?? 'running', now, { items, ...(end ? { failReason: end.failReason } : {}) });
}

/**
 * What the pool room calls after its pool moved or its nodes changed, in that
 * transaction: each open order of the pool catches up. Cheap when there is none
 * (one indexed read).
 */
export async function followPoolOrders(ctx: AppContext, tx: Executor, pool: FollowedPool): Promise<void> {
  // A follow of this pool left to the transaction's end is this one: the nodes are read now.
  deferredIn<PendingFollows>(tx, PENDING_FOLLOWS)?.pools.delete(pool.id);
  const open = await selectOpenOrders(tx, pool.projectId, pool.name);
  const now = ctx.clock.now();
  for (const order of open) {
    if (order.kind === 'toPeriodic') continue;
    await followOrder(tx, order, pool, now);
  }
}

interface PendingFollows extends Deferred {
  pools: Map<number, FollowedPool>;
}

function pendingFollows(ctx: AppContext, tx: Executor): PendingFollows {
  const pools = new Map<number, FollowedPool>();
  return {
    pools,
    async flush() {
      for (const pool of pools.values()) await followPoolOrders(ctx, tx, pool);
    },
  };
}

/**
 * followPoolOrders for a change of the pool's nodes (a roll-up), left to the end of
 * the transaction: a step whose nodes and pool both move follows the pool's orders
 * once, when the pool moves (followPoolOrders, which takes this one over), instead of
 * twice. Every read or write of orders in the transaction runs it first
 * (order.store.ts PENDING_FOLLOWS), and it runs before the commit, so no order is
 * ever committed behind its pool. On a bare executor it runs at once.
 */
export async function followPoolOrdersLater(ctx: AppContext, tx: Executor, pool: FollowedPool): Promise<void> {
  const pending = deferredIn<PendingFollows>(tx, PENDING_FOLLOWS, () => pendingFollows(ctx, tx));
  if (pending) pending.pools.set(pool.id, pool);
  else await followPoolOrders(ctx, tx, pool);
}

/**
 * Nodes of a node pool that waited for capacity were created (decision 10):
 * the open orders' waiting items of that node pool, oldest first, become the
 * createNode items of these nodes and follow them from now on. Then only
 * `stillWaiting` waiting items of the node pool stay; any beyond them (a
 * scale-in or a deletion of the node pool cancelled them) fail.
 */
export async function settleWaitingItems(
  ctx: AppContext,
  tx: Executor,
  pool: FollowedPool,
  nodePool: string,
  created: readonly string[],
  stillWaiting: number,
): Promise<void> {
  const now = ctx.clock.now();
  const at = now.getTime();
  const names = [...created];
  let kept = 0;
  for (const order of await selectOpenOrders(tx, pool.projectId, pool.name)) {
    if (order.phase !== 'running' || !order.items.some((i) => i.waiting === nodePool && i.status === 'processing')) {
      continue;
    }
    const items = order.items.map((item): OrderItem => {
      if (item.waiting !== nodePool || item.status !== 'processing') return item;
      const name = names.shift();
      const { waiting: _waiting, ...rest } = item;
      if (name !== undefined) return { ...rest, resourceName: name, beginTimestamp: at, updateTimestamp: at };
      if (kept < stillWaiting) {
        kept += 1;
        return item;
      }
      return {
        ...item,
        status: 'failed',
        updateTimestamp: at,
        message: `the scale-out of node pool ${nodePool} was cancelled before capacity freed`,
      };
    });
    const end = outcome(items);
    await moveOrder(tx, order, end?.phase ?? 'running', now, { items, ...(end ? { failReason: end.failReason } : {}) });
  }
}

/** How many finished orders one sweep removes at most. */
const SWEEP_BATCH = 1_000;

/** D-O5: removes orders that finished more than the retention ago; returns how many. */
export async function removeExpiredOrders(database: Database, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ORDER_RETENTION_MS);
  return database.transaction((tx) => deleteOrdersEndedBefore(tx, cutoff, SWEEP_BATCH));
}
