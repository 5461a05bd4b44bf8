// Order ids (`CS`, the UTC minute, 5 random characters) can meet within a minute: a few thousand
// creations a minute did, and the unique index turned the create into a 500. An id already given
// is drawn again in the same transaction, which goes on (on PostgreSQL a failed statement would end it).
import { describe, expect, it, vi } from 'vitest';
import { POSTPAID } from '../../src/orders/order.billing.js';
import { placeOrder, type OrderRequest } from '../../src/orders/order.move.js';
import { findOrder } from '../../src/orders/order.store.js';
import type * as RandomText from '../../src/shared/random-text.js';
import { useHarness } from '../helpers/harness.js';

/** The next 5-character draws of randomNameChars (an order id's suffix); empty: the real ones. */
const forcedDraws = vi.hoisted(() => [] as string[]);

vi.mock('../../src/shared/random-text.js', async (importOriginal) => {
  const random = await importOriginal<typeof RandomText>();
  const randomNameChars = (n: number) =>
    n === 5 && forcedDraws.length > 0 ? forcedDraws.shift()! : random.randomNameChars(n);
  return { ...random, randomNameChars };
});

const request = (projectId: string, poolName: string): OrderRequest => ({
  orderName: `${poolName}-createPool-abcde`,
  kind: 'createPool',
  pool: { projectId, name: poolName, displayName: poolName },
  billing: POSTPAID,
  paid: true,
  items: [{ resourceName: poolName, action: 'createPool', flavor: '' }],
});

describe('order ids', () => {
  const h = useHarness();

  it('draws a taken id again in the same transaction, which commits both orders', async () => {
    forcedDraws.push('hhhhh', 'hhhhh');
    const [first, second] = await h.context.database.transaction(async (tx) => {
      const a = await placeOrder(h.context, tx, request(h.projectId, 'pool-a'));
      const b = await placeOrder(h.context, tx, request(h.projectId, 'pool-b'));
      return [a, b];
    });
    expect(forcedDraws).toHaveLength(0);
    expect(first.orderId).toMatch(/^CS\d{10}HHHHH$/);
    expect(second.orderId).toMatch(/^CS\d{10}[A-Z0-9]{5}$/);
    expect(second.orderId).not.toBe(first.orderId);
    const stored = await h.context.database.transaction(async (tx) => [
      await findOrder(tx, h.projectId, first.orderName),
      await findOrder(tx, h.projectId, second.orderName),
    ]);
    expect(stored.map((o) => o?.orderId)).toEqual([first.orderId, second.orderId]);
  });
});
