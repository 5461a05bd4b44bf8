// Helpers of the order tests: the order calls, the pool label they follow, prepaid annotations.
import { expect } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import type { Harness } from '../helpers/harness.js';
import { admin } from '../admin/helpers.js';

export const ORDER_LABEL = 'os.modelarts/order.name';
export const ORDERS = '/v1/{project_id}/orders';
export const order = (name: string) => `${ORDERS}/${name}`;

/** Yearly/monthly billing: one month, paid at once or not. */
export const prepaid = (autoPay: boolean): Record<string, string> => ({
  'os.modelarts/billing.mode': '1',
  'os.modelarts/period.type': '2',
  'os.modelarts/period.num': '1',
  ...(autoPay ? { 'os.modelarts/auto.pay': '1' } : {}),
});

/** The order a pool answer names. */
export const orderOf = (pool: any): string => {
  const name = pool.metadata.labels[ORDER_LABEL];
  expect(name, JSON.stringify(pool.metadata.labels)).toMatch(/^[a-z0-9.-]+-[a-zA-Z]+-[a-z0-9]{5}$/);
  return name as string;
};

/** ListOrders, expecting 200; `query` as the Terraform provider sends it by default. */
export async function listOrders(client: ApiClient, query: Record<string, string | number> = {}): Promise<any> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await client.get(`${ORDERS}${qs ? `?${qs}` : ''}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The list entry of one order, found as Terraform finds it (by the pool, then the name). */
export async function listed(client: ApiClient, pool: string, name: string): Promise<any> {
  const list = await listOrders(client, { involvedName: pool, limit: 500, offset: 0 });
  return list.items.find((o: any) => o.orderName === name);
}

export async function showOrder(client: ApiClient, name: string): Promise<any> {
  const res = await client.get(order(name));
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The emulator's pay control. */
export function pay(h: Harness, name: string) {
  return admin(h, 'POST', `/_atelier/orders/${name}/pay`);
}
