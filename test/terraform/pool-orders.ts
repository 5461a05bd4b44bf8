/**
 * ORDERS — the provider's wait-order and order-nodes steps (orders-billing-terraform.md §3.2:
 * getResourcePoolOrdersByResourcePoolId, refreshResourcePoolOrderStatus,
 * getResourcePoolNodeNamesByOrderName), kept in this one place because orders are built on another
 * branch.
 *
 * While the server does not answer `GET /v1/{project_id}/orders` with 200, nothing of orders is
 * checked: the node names the driver wait needs come from the pool's node list instead (every node of
 * the pool, a superset of the order's), through calls of the test's own that are left out of the
 * provider's call list. Once orders are served, every rule of the provider applies: the order name in
 * the answer, the order listable at once (a missing order fails at once), its phase, the names of its
 * succeeded items. ORDERS_STRICT makes the orders required whatever the server answers.
 */
import { asArray, asString, pathSearch, ProviderHttpError, type Provider } from './provider.js';

export const ORDERS_STRICT = true;

const PAGE = 500;
const HOUR_MS = 3_600_000;

/** Whether the server serves orders: one unrecorded list call. */
async function ordersServed(provider: Provider): Promise<boolean> {
  try {
    await provider.request('GET', '/v1/{project_id}/orders?limit=1', { record: false });
    return true;
  } catch (error) {
    if (error instanceof ProviderHttpError) return false;
    throw error;
  }
}

/** getResourcePoolOrdersByResourcePoolId: the pool's orders of the last hour, 500 a page. */
async function poolOrders(provider: Provider, poolId: string): Promise<unknown[]> {
  const since = provider.now().getTime() - HOUR_MS;
  const base = `/v1/{project_id}/orders?limit=${PAGE}&involvedName=${poolId}&since=${since}`;
  const all: unknown[] = [];
  for (let offset = 0; ;) {
    const body = await provider.request('GET', `${base}&offset=${offset}`);
    const items = asArray(pathSearch('items', body, []), 'orders items');
    all.push(...items);
    if (items.length < PAGE) return all;
    offset += items.length;
  }
}

/** refreshResourcePoolOrderStatus: missing = an error at once, failed = an error, successed/partialSuccessed = done. */
async function orderCompleted(provider: Provider, poolId: string, orderName: string): Promise<boolean> {
  const order = (await poolOrders(provider, poolId)).find((o) => pathSearch('orderName', o, null) === orderName);
  if (order === undefined) throw new Error(`unable to find any orders under the resource pool (${poolId})`);
  const phase = asString(pathSearch('phase', order, ''), 'order phase');
  if (phase === 'failed') {
    throw new Error(`the order (${orderName}) failed: ${asString(pathSearch('failReason', order, ''), 'failReason')}`);
  }
  return phase === 'successed' || phase === 'partialSuccessed';
}

/** getResourcePoolNodeNamesByOrderName: the resourceName of every succeeded item. */
async function orderNodeNames(provider: Provider, orderName: string): Promise<unknown[]> {
  const body = await provider.request('GET', `/v1/{project_id}/orders/${orderName}`);
  const items = asArray(pathSearch('items', body, []), 'order items');
  for (const item of items) asString(pathSearch('status', item, ''), 'order item status');
  return items.filter((i) => pathSearch('status', i, '') === 'succeed').map((i) => pathSearch('resourceName', i, null));
}

/**
 * The order steps after a create or a count change: wait for the order (delay 20 s, poll 30 s), then,
 * when `nodes` is set, the names of the nodes it added (on creation the pool's own id is among them).
 */
export async function orderSteps(
  provider: Provider,
  poolId: string,
  orderName: string,
  nodes: boolean,
): Promise<unknown[]> {
  if (!ORDERS_STRICT && !(await ordersServed(provider))) {
    // The provider's first look at the order comes after 20 s: the flow keeps that time.
    await provider.waitFor('the order (not served)', async () => true, { delayMs: 20_000, pollMs: 0, timeoutMs: 0 });
    if (!nodes) return [];
    const body = await provider.request('GET', `/v2/{project_id}/pools/${poolId}/nodes`, { record: false });
    return asArray(pathSearch('items', body, []), 'nodes items').map((n) => pathSearch('metadata.name', n, null));
  }
  if (orderName === '') throw new Error(`unable to find order name of resource pool (${poolId}) in API response`);
  await provider.waitFor('the order', () => orderCompleted(provider, poolId, orderName), {
    delayMs: 20_000,
    pollMs: 30_000,
    timeoutMs: 90 * 60_000,
  });
  return nodes ? orderNodeNames(provider, orderName) : [];
}
