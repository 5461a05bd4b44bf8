import { randomNameChars } from '../shared/random-text.js';
import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { badRequest } from '../errors.js';
import type { Billing } from './order.billing.js';
import { canMoveOrder, ORDER_FINISHED, type OrderKind, type OrderPhase } from './order.lifecycle.js';
import type { NewOrder, OrderChanges, OrderItem, OrderRecord } from './order.record.js';
import { findOrderById, insertOrder, updateOrderIf } from './order.store.js';

/**
 * The one way an order changes (STYLE §5): the move checked against
 * ORDER_TRANSITIONS and a conditional update on the version read, in the
 * caller's transaction (the pool's or the node step's). A move into a finished
 * phase sets the end time. Returns undefined when another writer came first.
 */
export async function moveOrder(
  tx: Executor,
  order: OrderRecord,
  to: OrderPhase,
  now: Date,
  changes: Omit<OrderChanges, 'phase' | 'endedAt'> = {},
): Promise<OrderRecord | undefined> {
  if (!canMoveOrder(order.phase, to))
    throw new Error(`Order ${order.orderName} cannot move from ${order.phase} to ${to}`);
  const finished = ORDER_FINISHED.has(to) && !ORDER_FINISHED.has(order.phase) ? { endedAt: now } : {};
  return updateOrderIf(tx, order, { ...changes, phase: to, ...finished });
}

/** What an order is placed on: the pool, as the pool room hands it over. */
export interface OrderedPool {
  projectId: string;
  /** metadata.name */
  name: string;
  /** os.modelarts/name */
  displayName: string;
}

/** D-O5: `<pool id>-<kind>-<5 random [a-z0-9]>`; the pool's label is set from it before the order is written. */
export const orderNameFor = (poolName: string, kind: OrderKind): string => `${poolName}-${kind}-${randomNameChars(5)}`;

/**
 * The billing side's id: `CS`, the UTC minute, 5 random characters (the shape of the cloud's ids).
 * 36^5 ids a minute: a few thousand orders in one minute meet an id already given now and then
 * (3,000 in a minute: about one chance in 13), so placeOrder draws again when the id is taken.
 */
const orderIdAt = (now: Date) =>
  `CS${now
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(2, 12)}${randomNameChars(5).toUpperCase()}`;

/** What a change asks for when it places its order. */
export interface OrderRequest {
  orderName: string;
  kind: OrderKind;
  pool: OrderedPool;
  billing: Billing;
  /** Unpaid orders start pending (and expire); paid ones start running. */
  paid: boolean;
  /** The resources touched, each `processing`, or `succeed` for an order with nothing to wait for. */
  items: ReadonlyArray<Pick<OrderItem, 'resourceName' | 'action' | 'flavor' | 'waiting'>>;
  /** An order with nothing asynchronous (a workspace move) is finished when placed (D-O7). */
  done?: boolean;
}

/**
 * Writes an order in the caller's transaction, the one of the change it records
 * (decision 16: listable before the answer is sent). Returns it as stored.
 */
export async function placeOrder(ctx: AppContext, tx: Executor, request: OrderRequest): Promise<OrderRecord> {
  const now = ctx.clock.now();
  const at = request.paid ? now.getTime() : 0;
  const status = request.done ? ('succeed' as const) : ('processing' as const);
  const phase: OrderPhase = request.done ? 'successed' : request.paid ? 'running' : 'pending';
  const expiry = ctx.config.orderExpiryMs;
  const order: Omit<NewOrder, 'orderId'> = {
    orderName: request.orderName,
    projectId: request.pool.projectId,
    poolName: request.pool.name,
    poolDisplayName: request.pool.displayName,
    kind: request.kind,
    phase,
    failReason: '',
    billing: request.billing,
    items: request.items.map((i) => ({ ...i, status, beginTimestamp: at, updateTimestamp: at, message: '' })),
    createdAt: now,
    begunAt: request.paid ? now : null,
    endedAt: request.done ? now : null,
    expiresAt: phase === 'pending' && expiry > 0 ? new Date(now.getTime() + expiry) : null,
  };
  for (let attempt = 1; ; attempt += 1) {
    const placed = await insertOrder(tx, { ...order, orderId: orderIdAt(now) });
    if (placed) return placed;
    if (attempt === ORDER_ID_ATTEMPTS) throw new Error(`No free order id in ${attempt} draws at ${now.toISOString()}`);
  }
}

/** Draws of an order id before giving up: at 3,000 orders in a minute each is taken about once in 20,000. */
const ORDER_ID_ATTEMPTS = 8;

/**
 * The PATCH that switches a pool to yearly/monthly (§1.4): it names, in
 * `os.modelarts/order.id`, the order createOrderId gave for this pool, which
 * completes here. A 400 when it names no such open order.
 */
export async function completeBillingSwitch(
  ctx: AppContext,
  tx: Executor,
  pool: Pick<OrderedPool, 'projectId' | 'name'>,
  orderId: string | undefined,
): Promise<void> {
  const order = orderId ? await findOrderById(tx, pool.projectId, orderId) : undefined;
  if (!order || order.kind !== 'toPeriodic' || order.poolName !== pool.name || ORDER_FINISHED.has(order.phase)) {
    throw badRequest(
      `metadata.annotations.os.modelarts/order.id: a switch to yearly/monthly needs the open order createOrderId gave for pool ${pool.name}`,
    );
  }
  const now = ctx.clock.now();
  const at = now.getTime();
  const items = order.items.map((i) => ({
    ...i,
    status: 'succeed' as const,
    beginTimestamp: i.beginTimestamp || at,
    updateTimestamp: at,
  }));
  const begunAt = order.begunAt ?? now;
  if (!(await moveOrder(tx, order, 'successed', now, { items, begunAt, expiresAt: null }))) {
    throw new Error(`Order ${order.orderName} changed under its completion`);
  }
}
