import type { Billing } from './order.billing.js';
import type { OrderItemAction, OrderItemStatus, OrderKind, OrderPhase } from './order.lifecycle.js';

/** One resource an order touches, and how it fared (ShowOrder items[]). */
export interface OrderItem {
  /** The pool's metadata.name for pool items, the node's name for node items. */
  resourceName: string;
  action: OrderItemAction;
  status: OrderItemStatus;
  /** When the work on the item began and last changed, ms since the epoch; 0 while unpaid. */
  beginTimestamp: number;
  updateTimestamp: number;
  /** Why the item failed; empty otherwise. */
  message: string;
  /** A resizeNode item: the flavor the node changes to (not on the wire). */
  flavor?: string;
  /**
   * A createNode item of a scale-out that waits for capacity (decision 10): the
   * node pool whose node it will be; resourceName is the node pool's name until
   * the node exists (not on the wire).
   */
  waiting?: string;
}

/**
 * An order as the store hands it out and takes it back (STYLE §4): JSON columns
 * parsed, the phase typed, times as Date. Only order.store.ts sees the row.
 */
export interface OrderRecord {
  id: number;
  orderName: string;
  orderId: string;
  projectId: string;
  /** The pool's metadata.name (ListOrders resourceName). */
  poolName: string;
  /** The pool's os.modelarts/name: involvedName matches either (decision 18). */
  poolDisplayName: string;
  kind: OrderKind;
  phase: OrderPhase;
  failReason: string;
  billing: Billing;
  items: OrderItem[];
  createdAt: Date;
  /** When processing began (it was paid); null while pending. */
  begunAt: Date | null;
  endedAt: Date | null;
  /** An unpaid order fails at this time; null: it never expires. */
  expiresAt: Date | null;
  version: number;
}

export type NewOrder = Omit<OrderRecord, 'id' | 'version'>;

/** What a move may change. */
export type OrderChanges = Partial<
  Pick<OrderRecord, 'phase' | 'failReason' | 'items' | 'begunAt' | 'endedAt' | 'expiresAt'>
>;
