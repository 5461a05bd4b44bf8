import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { selectNodePage } from '../nodes/node.reads.js';
import { badRequest } from '../errors.js';
import {
  BILLING_ANNOTATIONS,
  billingOf,
  completeBillingSwitch,
  isPrepaid,
  ORDER_ID_ANNOTATION,
  orderNameFor,
  placeOrder,
  type Billing,
  type OrderRequest,
} from '../orders/order.reads.js';
import type { PoolRecord } from './pool.record.js';
import type { PoolResource } from './pool.schema.js';
import { nodePoolOf } from './pool.nodes.js';

/**
 * Where the pool room places its orders (decision 16): each asynchronous change
 * of a pool — its creation, a change of a node count, a workspace move —
 * writes an order in its own transaction and names it in the pool's label
 * os.modelarts/order.name. What an order then does is src/orders/'s.
 */

/** The create order a new pool gets: its billing terms, and whether it waits to be paid (decision 19). */
export interface CreateOrder {
  name: string;
  billing: Billing;
  unpaid: boolean;
}

/** Plans the create order of a pool before it is written; a 400 for bad billing annotations. */
export function planCreateOrder(poolName: string, annotations: Readonly<Record<string, string>>): CreateOrder {
  const billing = billingOf(annotations);
  return {
    name: orderNameFor(poolName, 'createPool'),
    billing,
    unpaid: billing.mode === 'prepaid' && !billing.autoPay,
  };
}

/** Writes the create order; the nodes join it as they are created (orders follow rollUpEvent). */
export async function placeCreateOrder(ctx: AppContext, tx: Executor, pool: PoolRecord, order: CreateOrder) {
  await placeOrder(ctx, tx, {
    orderName: order.name,
    kind: 'createPool',
    pool,
    billing: order.billing,
    paid: !order.unpaid,
    items: [{ resourceName: pool.name, action: 'createPool' }],
  });
}

const counts = (resources: readonly PoolResource[]) =>
  resources
    .map((r) => `${r.flavor}|${nodePoolOf(r)}|${r.count}`)
    .sort()
    .join(',');

/** A change that needs an order, planned before the nodes change: its name and the nodes as they were. */
export interface ChangeOrder {
  name: string;
  kind: 'scalePool' | 'moveWorkspace';
  before: ReadonlyMap<string, string>;
}

/**
 * The order a PATCH needs (§2.1): a change of a node count (by flavor and node
 * pool) or of the workspace; undefined for the synchronous changes.
 */
export async function planChangeOrder(
  tx: Executor,
  pool: PoolRecord,
  resources: readonly PoolResource[],
  movesWorkspace: boolean,
): Promise<ChangeOrder | undefined> {
  const scales = counts(pool.spec.resources) !== counts(resources);
  if (!scales && !movesWorkspace) return undefined;
  const kind = scales ? 'scalePool' : 'moveWorkspace';
  const nodes = scales ? await selectNodePage(tx, pool.id, {}) : [];
  return { name: orderNameFor(pool.name, kind), kind, before: new Map(nodes.map((n) => [n.name, n.phase])) };
}

/**
 * Writes the planned order once the nodes changed: a createNode item per new node, a deleteNode item per leaving one,
 * and a waiting createNode item per node this change added to a node pool's wait for capacity (decision 10), which
 * becomes the node's item when the node is created (settleWaitingItems).
 */
export async function placeChangeOrder(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  order: ChangeOrder,
  waiting: ReadonlyMap<string, number> = new Map(),
) {
  const after = order.kind === 'scalePool' ? await selectNodePage(tx, pool.id, {}) : [];
  const items = after.flatMap((n): OrderRequest['items'] => {
    const was = order.before.get(n.name);
    if (was === undefined) return [{ resourceName: n.name, action: 'createNode' }];
    if (was !== 'Deleting' && n.phase === 'Deleting') return [{ resourceName: n.name, action: 'deleteNode' }];
    return [];
  });
  for (const [nodePool, count] of waiting) {
    for (let i = 0; i < count; i += 1) items.push({ resourceName: nodePool, action: 'createNode', waiting: nodePool });
  }
  await placeOrder(ctx, tx, {
    orderName: order.name,
    kind: order.kind,
    pool,
    billing: billingOf(pool.annotations),
    paid: true,
    items,
    // D-O7: a workspace move has nothing to wait for.
    done: order.kind === 'moveWorkspace',
  });
}

/** Until when a new unpaid pool waits for its payment (ATELIER_ORDER_EXPIRY_SECONDS; 0: for ever). */
export function unpaidUntil(ctx: AppContext, now: Date): Date | null {
  return ctx.config.orderExpiryMs > 0 ? new Date(now.getTime() + ctx.config.orderExpiryMs) : null;
}

/**
 * A PATCH that touches the billing annotations: they must still hold (400
 * otherwise); a switch to yearly/monthly completes the createOrderId order it
 * names (§1.4); there is no way back to pay per use.
 */
export async function checkBillingChange(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  annotations: Readonly<Record<string, string>>,
): Promise<void> {
  if (BILLING_ANNOTATIONS.every((key) => pool.annotations[key] === annotations[key])) return;
  const billing = billingOf(annotations);
  const wasPrepaid = isPrepaid(pool.annotations);
  if (billing.mode === 'prepaid' && !wasPrepaid) {
    await completeBillingSwitch(ctx, tx, pool, annotations[ORDER_ID_ANNOTATION]);
  } else if (billing.mode === 'postpaid' && wasPrepaid) {
    throw badRequest(
      'metadata.annotations.os.modelarts/billing.mode: a yearly/monthly pool cannot go back to pay per use',
    );
  }
}
