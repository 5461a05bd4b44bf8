// Yearly/monthly pools (decision 19): without auto-pay the order stays pending and the pool Waiting
// (statistics `pending`) until an administrator pays it; an unpaid order expires and fails its pool.
import { describe, expect, it } from 'vitest';
import { activeNetwork } from '../helpers/fixtures.js';
import { useAdminHarness } from '../admin/helpers.js';
import {
  CPU_8,
  createBody,
  mergePatch,
  createPool,
  listNames,
  phaseOf,
  poolQuotaUsed,
  show,
  statistics,
  POOLS,
} from '../pools/helpers.js';
import { listed, listOrders, orderOf, pay, prepaid, showOrder } from './helpers.js';

describe('yearly/monthly billing', () => {
  const h = useAdminHarness({ ATELIER_ORDER_EXPIRY_SECONDS: '600' });

  it('an unpaid pool waits (statistics pending) until paid; then it is created; paying twice is a 400', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network, { annotations: prepaid(false) }));
    const id = created.metadata.name as string;
    const name = orderOf(created);
    expect(created.status.phase).toBe('Waiting');
    expect(created.metadata.annotations['os.modelarts/billing.mode']).toBe('1');
    await h.settle();
    expect(await phaseOf(h.client, id)).toBe('Waiting');
    expect((await statistics(h.client)).pending).toBe(1);
    expect(await listed(h.client, id, name)).toMatchObject({ phase: 'pending', beginTimestamp: 0 });
    expect((await showOrder(h.client, name)).items).toMatchObject([
      { action: 'createPool', status: 'processing', beginTimestamp: '0' },
    ]);
    // Still waiting, however often the engine looks, until before the expiry.
    await h.advance(300_000);
    expect(await phaseOf(h.client, id)).toBe('Waiting');

    const paid = await pay(h, name);
    expect(paid.status, paid.text).toBe(200);
    expect(paid.body).toMatchObject({ orderName: name, phase: 'running' });
    expect(await phaseOf(h.client, id)).toBe('Creating');
    expect((await statistics(h.client)).pending).toBe(0);
    await h.settle();
    expect(await phaseOf(h.client, id)).toBe('Running');
    expect((await listed(h.client, id, name)).phase).toBe('successed');
    expect((await showOrder(h.client, name)).count).toBe(3);

    const again = await pay(h, name);
    expect([again.status, again.body.error_code]).toEqual([400, 'ModelArts.50004000']);
    expect((await listed(h.client, id, name)).phase).toBe('successed');
    // The pay control names no order that does not exist.
    const unknown = await pay(h, `${id}-createPool-zzzzz`);
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'ModelArts.50005101']);
    // Past the expiry nothing happens to a paid pool.
    await h.advance(600_000);
    expect(await phaseOf(h.client, id)).toBe('Running');
  });

  it('auto.pay "1" pays at once: the pool is created and its order runs', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network, { annotations: prepaid(true) }));
    expect(created.status.phase).toBe('Creating');
    expect((await listed(h.client, created.metadata.name, orderOf(created))).phase).toBe('running');
    await h.settle();
    expect((await listed(h.client, created.metadata.name, orderOf(created))).phase).toBe('successed');
  });

  it('nodes of a yearly/monthly pool are marked so; batch-delete refuses them, a scale-in is an order', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(
      h.client,
      createBody(network, { annotations: prepaid(true), resources: [{ flavor: CPU_8, count: 2 }] }),
    );
    const id = created.metadata.name as string;
    await h.settle();
    const nodes = (await h.client.get(`${POOLS}/${id}/nodes`)).body.items;
    expect(nodes.map((n: any) => n.metadata.annotations['os.modelarts/billing.mode'])).toEqual(['1', '1']);
    const refused = await h.client.post(`${POOLS}/${id}/nodes/batch-delete`, {
      deleteNodeNames: [nodes[0].metadata.name],
    });
    expect([refused.status, refused.body.error_code]).toEqual([400, 'ModelArts.50004000']);
    expect(refused.body.error_msg).toContain('yearly/monthly');
    expect((await h.client.get(`${POOLS}/${id}/nodes`)).body.items).toHaveLength(2);
    const down = await mergePatch(h.client, id, { spec: { resources: [{ flavor: CPU_8, count: 1 }] } });
    expect(down.status, down.text).toBe(200);
    expect((await showOrder(h.client, orderOf(down.body))).items.map((i: any) => i.action)).toEqual(['deleteNode']);
    await h.settle();
    expect((await listed(h.client, id, orderOf(down.body))).phase).toBe('successed');
  });

  it('an unpaid order expires: it fails with its reason, the pool ends as a failure record, quota given back', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const usedBefore = await poolQuotaUsed(h.client);
    const failedBefore = (await statistics(h.client)).failed;
    const created = await createPool(h.client, createBody(network, { annotations: prepaid(false) }));
    const id = created.metadata.name as string;
    expect(await poolQuotaUsed(h.client)).toBe(usedBefore + 1);
    await h.advance(600_000);
    expect(await phaseOf(h.client, id)).toBe('CreationFailed');
    expect((await show(h.client, id)).status.message).toContain('not paid in time');
    expect(await listNames(h.client, '?status=failed')).toContain(id);
    expect(await statistics(h.client)).toMatchObject({ pending: 0, failed: failedBefore + 1 });
    expect(await poolQuotaUsed(h.client)).toBe(usedBefore);
    const order = await listed(h.client, id, orderOf(created));
    expect(order.phase).toBe('failed');
    expect(order.failReason).toContain('not paid in time');
    expect((await showOrder(h.client, orderOf(created))).items[0].status).toBe('failed');
    const late = await pay(h, orderOf(created));
    expect(late.status).toBe(400);
  });

  it('refuses bad billing annotations with a 400 naming them, and creates nothing', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const before = (await listOrders(h.client)).count;
    const used = await poolQuotaUsed(h.client);
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'os.modelarts/billing.mode': '2' }, 'billing.mode'],
      [{ 'os.modelarts/billing.mode': '1' }, 'period.type'],
      [{ ...prepaid(false), 'os.modelarts/period.num': '0' }, 'period.num'],
      [{ ...prepaid(false), 'os.modelarts/period.num': '10' }, 'period.num'],
      [{ ...prepaid(false), 'os.modelarts/period.num': '1.5' }, 'period.num'],
      [{ ...prepaid(false), 'os.modelarts/period.type': '3', 'os.modelarts/period.num': '4' }, 'period.num'],
      [{ ...prepaid(false), 'os.modelarts/period.type': '7' }, 'period.type'],
      [{ ...prepaid(false), 'os.modelarts/auto.pay': 'maybe' }, 'auto.pay'],
    ];
    for (const [annotations, named] of cases) {
      const res = await h.client.post(POOLS, createBody(network, { annotations }));
      expect([res.status, res.body.error_code], JSON.stringify(annotations)).toEqual([400, 'ModelArts.50004000']);
      expect(res.body.error_msg).toContain(named);
    }
    expect((await listOrders(h.client)).count).toBe(before);
    expect(await poolQuotaUsed(h.client)).toBe(used);
  });
});
