/**
 * What other rooms may use of orders (the pool room places them and makes them
 * follow its pool); they never import the store.
 */
export {
  BILLING_ANNOTATIONS,
  billingOf,
  isPrepaid,
  ORDER_ID_ANNOTATION,
  ORDER_NAME_LABEL,
  type Billing,
} from './order.billing.js';
export { completeBillingSwitch, orderNameFor, placeOrder, type OrderedPool, type OrderRequest } from './order.move.js';
export {
  followPoolOrders,
  followPoolOrdersLater,
  removeExpiredOrders,
  settleWaitingItems,
  type FollowedPool,
} from './order.steps.js';
export type { OrderRecord } from './order.record.js';
import type { Executor } from '../db/database.js';
import type { OrderRecord } from './order.record.js';
import { selectOpenOrders } from './order.store.js';

/** The pool's create order while it waits to be paid (decision 19); undefined when paid or postpaid. */
export async function unpaidCreateOrder(
  tx: Executor,
  projectId: string,
  poolName: string,
): Promise<OrderRecord | undefined> {
  return (await selectOpenOrders(tx, projectId, poolName)).find(
    (o) => o.kind === 'createPool' && o.phase === 'pending',
  );
}
