/**
 * The order lifecycle as data (orders-billing-terraform.md §1, decisions 16, 17
 * and 19): what an order records, its phases and the moves between them, and
 * the states of its items.
 */

/** What change an order records; the middle part of its name (D-O5). */
export const ORDER_KINDS = ['createPool', 'scalePool', 'moveWorkspace', 'resizeNodes', 'toPeriodic'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

/** `successed` is the wire's spelling (HW, TF). */
export const ORDER_PHASES = ['pending', 'running', 'successed', 'partialSuccessed', 'failed'] as const;
export type OrderPhase = (typeof ORDER_PHASES)[number];

export const ORDER_TRANSITIONS: Readonly<Record<OrderPhase, readonly OrderPhase[]>> = Object.freeze({
  // An unpaid order is paid (running), or fails: not paid in time, or its pool went first.
  pending: ['running', 'failed', 'successed'],
  running: ['successed', 'partialSuccessed', 'failed'],
  successed: [],
  partialSuccessed: [],
  failed: [],
});

/** Phases an order ends in: it has an end time and follows nothing any more. */
export const ORDER_FINISHED: ReadonlySet<OrderPhase> = new Set<OrderPhase>(['successed', 'partialSuccessed', 'failed']);

/** Phases in which an order still follows its pool. */
export const ORDER_OPEN: readonly OrderPhase[] = ['pending', 'running'];

export function canMoveOrder(from: OrderPhase, to: OrderPhase): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

/** items[].action (§1.3). */
export const ORDER_ITEM_ACTIONS = [
  'createPool',
  'deletePool',
  'createNode',
  'deleteNode',
  'resizeNode',
  'renew',
  'toPeriodic',
] as const;
export type OrderItemAction = (typeof ORDER_ITEM_ACTIONS)[number];

/** items[].status (§1.3). */
export const ORDER_ITEM_STATUSES = ['processing', 'succeed', 'failed'] as const;
export type OrderItemStatus = (typeof ORDER_ITEM_STATUSES)[number];

/** ListOrders: its default page, and the most one page and its offset may be (§1.1). */
export const ORDER_PAGE_DEFAULT = 100;
export const ORDER_PAGE_MAX = 500;

/** D-O5: finished orders are kept this long (the service lists the last month). */
export const ORDER_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** The only resource ListOrders knows (§1.1 `resource`). */
export const ORDER_RESOURCES = ['pools'] as const;

/** createOrderId's only action: postpaid → yearly/monthly (§1.4). */
export const ORDER_ID_ACTIONS = ['toPeriod'] as const;
