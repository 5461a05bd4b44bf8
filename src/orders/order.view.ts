import type { OrderKind } from './order.lifecycle.js';
import type { OrderRecord } from './order.record.js';
import type { Order, OrderDetail } from './order.schema.js';

/** The list's `action` (D-O2): what the order mostly does, in the items' words. */
function actionOf(order: OrderRecord): string {
  const actions: Record<OrderKind, string> = {
    createPool: 'createPool',
    scalePool: order.items.some((i) => i.action === 'createNode') ? 'createNode' : 'deleteNode',
    moveWorkspace: 'updateWorkspace',
    resizeNodes: 'resizeNode',
    toPeriodic: 'toPeriodic',
  };
  return actions[order.kind];
}

/** Record → ListOrders item. */
export function toOrder(order: OrderRecord): Order {
  return {
    orderName: order.orderName,
    orderId: order.orderId,
    resourceName: order.poolName,
    resourceType: 'pools',
    action: actionOf(order),
    phase: order.phase,
    failReason: order.failReason,
    creationTimestamp: order.createdAt.getTime(),
    beginTimestamp: order.begunAt?.getTime() ?? 0,
    endTimestamp: order.endedAt?.getTime() ?? 0,
  };
}

/** Record → ShowOrder: the items, their times as strings of digits (SDK, HW; §4 discrepancy 4). */
export function toOrderDetail(order: OrderRecord): OrderDetail {
  return {
    count: order.items.length,
    items: order.items.map((i) => ({
      resourceName: i.resourceName,
      action: i.action,
      status: i.status,
      beginTimestamp: String(i.beginTimestamp),
      updateTimestamp: String(i.updateTimestamp),
      message: i.message,
    })),
  };
}
