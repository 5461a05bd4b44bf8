import type { AppContext } from '../context.js';
import { AtelierError, badRequest } from '../errors.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { admitEveryWaitingPool } from '../pools/pool.capacity.js';
import { lockPool } from '../pools/pool.reads.js';
import { isPrepaid, POSTPAID } from './order.billing.js';
import { ORDER_PAGE_DEFAULT } from './order.lifecycle.js';
import { moveOrder, orderNameFor, placeOrder } from './order.move.js';
import type { OrderRecord } from './order.record.js';
import type { CreatedOrderId, ListOrdersQuery, Order, OrderDetail, OrderList } from './order.schema.js';
import { countOrders, findOrder, findOrderByName, selectOrderPage } from './order.store.js';
import { toOrder, toOrderDetail } from './order.view.js';

/** The order operations of the API (orders-billing-terraform.md §1) and the emulator's pay control. */

/** ListOrders: newest first, `count` before paging (decision 18); every workspace (D-O1). */
export async function listOrders(ctx: AppContext, projectId: string, query: ListOrdersQuery): Promise<OrderList> {
  await requireProject(ctx, projectId);
  if (query.since !== undefined && query.until !== undefined && query.since > query.until) {
    throw badRequest(`since (${query.since}) is after until (${query.until}).`);
  }
  const filter = {
    projectId,
    since: query.since === undefined ? undefined : new Date(query.since),
    until: query.until === undefined ? undefined : new Date(query.until),
    involvedName: query.involvedName,
    phase: query.phase,
  };
  const db = ctx.database.db;
  // §1.1: absent or 0 means the default page.
  const limit = query.limit || ORDER_PAGE_DEFAULT;
  const [count, page] = await Promise.all([
    countOrders(db, filter),
    selectOrderPage(db, filter, limit, query.offset ?? 0),
  ]);
  return { count, items: page.map(toOrder) };
}

async function requireOrder(ctx: AppContext, projectId: string, orderName: string): Promise<OrderRecord> {
  const order = await findOrder(ctx.database.db, projectId, orderName);
  // Another project's order reads exactly like one that does not exist.
  if (!order) throw new AtelierError('orderNotFound', { name: orderName });
  return order;
}

export async function showOrder(ctx: AppContext, projectId: string, orderName: string): Promise<OrderDetail> {
  await requireProject(ctx, projectId);
  return toOrderDetail(await requireOrder(ctx, projectId, orderName));
}

/** One order as the list shows it (tests and the CLI). */
export async function showOrderSummary(ctx: AppContext, projectId: string, orderName: string): Promise<Order> {
  return toOrder(await requireOrder(ctx, projectId, orderName));
}

/**
 * createOrderId (§1.4): the order of a switch of a Running pay-per-use pool to
 * yearly/monthly, pending until paid; a PATCH naming its id in
 * `os.modelarts/order.id` with `billing.mode: "1"` completes it.
 */
export async function createOrderId(ctx: AppContext, projectId: string, poolName: string): Promise<CreatedOrderId> {
  const order = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const pool = await lockPool(ctx.database, tx, projectId, poolName);
    if (!pool) throw new AtelierError('poolNotFound', { name: poolName });
    if (isPrepaid(pool.annotations)) throw badRequest(`pool ${poolName} is already billed yearly/monthly`);
    if (pool.phase !== 'Running')
      throw badRequest(`pool ${poolName} is ${pool.phase}; a billing change needs a Running pool`);
    return placeOrder(ctx, tx, {
      orderName: orderNameFor(pool.name, 'toPeriodic'),
      kind: 'toPeriodic',
      pool,
      billing: POSTPAID,
      paid: false,
      items: [{ resourceName: pool.name, action: 'toPeriodic' }],
    });
  });
  return { id: order.orderId };
}

/**
 * The emulator's pay control (decision 19, D-O6): a pending order is paid, its
 * items begin, and a pool that waited for it starts (or queues for capacity,
 * decision 10), in one transaction. Paying twice, or an order that already
 * failed, is a 400.
 */
export async function payOrder(ctx: AppContext, orderName: string): Promise<Order> {
  const paid = await ctx.database.transaction(async (tx) => {
    const found = await findOrderByName(tx, orderName);
    if (!found) throw new AtelierError('orderNotFound', { name: orderName });
    await lockedProject(ctx, tx, found.projectId);
    // Read again under the project's lock: a pay racing an expiry sees the winner.
    const order = await findOrderByName(tx, orderName);
    if (!order) throw new AtelierError('orderNotFound', { name: orderName });
    if (order.phase !== 'pending')
      throw badRequest(`order ${orderName} is ${order.phase}, not pending: nothing to pay`);
    const now = ctx.clock.now();
    const at = now.getTime();
    const items = order.items.map((i) => ({ ...i, beginTimestamp: at, updateTimestamp: at }));
    const moved = await moveOrder(tx, order, 'running', now, { items, begunAt: now, expiresAt: null });
    if (!moved) throw new Error(`Order ${orderName} changed under its payment`);
    if (order.kind === 'createPool') await admitEveryWaitingPool(ctx, tx);
    return moved;
  });
  ctx.wakeEngine();
  return toOrder(paid);
}
