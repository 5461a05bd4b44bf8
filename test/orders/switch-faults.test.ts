// createOrderId and the switch to yearly/monthly (§1.4), orders that a fault fails in whole or in
// part (docs/emulator.md), and the 404 of an order that is not the caller's.
import { describe, expect, it } from 'vitest';
import { activeNetwork } from '../helpers/fixtures.js';
import { adminOk, useAdminHarness } from '../admin/helpers.js';
import { CPU_8, createBody, createPool, mergePatch, phaseOf, show, statistics } from '../pools/helpers.js';
import { listed, listOrders, order, orderOf, showOrder } from './helpers.js';

const orderId = (pool: string) => `/v2/{project_id}/pools/${pool}/orderid`;

describe('order ids, faults and foreign orders', () => {
  const h = useAdminHarness();

  it('createOrderId gives the id of a pending switch; the PATCH naming it completes it', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network));
    const id = created.metadata.name as string;
    const early = await h.client.post(orderId(id), {});
    expect([early.status, early.body.error_code]).toEqual([400, 'ModelArts.50004000']);
    await h.settle();
    const missing = await h.client.post(orderId('no-such-pool'), {});
    expect([missing.status, missing.body.error_code]).toEqual([404, 'ModelArts.50015001']);
    const badAction = await h.client.post(`${orderId(id)}?actionType=toPostpaid`, {});
    expect(badAction.status).toBe(400);

    const res = await h.client.post(orderId(id), { actionType: 'toPeriod' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(/^CS[0-9]{10}[A-Z0-9]{5}$/) });
    const switches = (await listOrders(h.client, { involvedName: id, phase: 'pending' })).items;
    expect(switches).toMatchObject([{ orderId: res.body.id, action: 'toPeriodic' }]);

    // A switch without the id, or with another one, is refused and changes nothing.
    const annotations = {
      'os.modelarts/billing.mode': '1',
      'os.modelarts/period.type': '3',
      'os.modelarts/period.num': '1',
    };
    const without = await mergePatch(h.client, id, { metadata: { annotations } });
    expect([without.status, without.body.error_code]).toEqual([400, 'ModelArts.50004000']);
    expect((await show(h.client, id)).metadata.annotations['os.modelarts/billing.mode']).not.toBe('1');
    const done = await mergePatch(h.client, id, {
      metadata: { annotations: { ...annotations, 'os.modelarts/order.id': res.body.id } },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body.metadata.annotations['os.modelarts/billing.mode']).toBe('1');
    expect((await listed(h.client, id, switches[0].orderName)).phase).toBe('successed');
    const twice = await h.client.post(orderId(id), {});
    expect([twice.status, twice.body.error_code]).toEqual([400, 'ModelArts.50004000']);
    const back = await mergePatch(h.client, id, { metadata: { annotations: { 'os.modelarts/billing.mode': '0' } } });
    expect(back.status).toBe(400);
  });

  it('a creation fault fails the order with the reason the pool shows', async () => {
    const network = await activeNetwork(h.client, h.settle);
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'create', name: 'orderfail*', reason: 'no stock' }, 201);
    const created = await createPool(h.client, createBody(network, { name: 'orderfail-a' }));
    await h.settle();
    expect(await phaseOf(h.client, created.metadata.name)).toBe('CreationFailed');
    const shown = await listed(h.client, created.metadata.name, orderOf(created));
    expect(shown).toMatchObject({ phase: 'failed', failReason: 'no stock' });
    expect((await showOrder(h.client, orderOf(created))).items.every((i: any) => i.status === 'failed')).toBe(true);
  });

  it('a node that fails to come up fails its item: the order is partialSuccessed, the pool Abnormal', async () => {
    const network = await activeNetwork(h.client, h.settle);
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'nodeCreate', name: 'orderpart*', count: 1 }, 201);
    const created = await createPool(
      h.client,
      createBody(network, { name: 'orderpart-a', resources: [{ flavor: CPU_8, count: 2 }] }),
    );
    await h.settle();
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Abnormal');
    expect((await listed(h.client, created.metadata.name, orderOf(created))).phase).toBe('partialSuccessed');
    const items = (await showOrder(h.client, orderOf(created))).items;
    expect(items.map((i: any) => i.status).sort()).toEqual(['failed', 'succeed', 'succeed']);
    expect(items.find((i: any) => i.status === 'failed')).toMatchObject({ action: 'createNode' });
    expect((await statistics(h.client)).created).toBeGreaterThan(0);
  });

  it('a scaling fault fails the scale order; the pool shows ScalingFailed at its old size', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(
      h.client,
      createBody(network, { name: 'orderscale-a', resources: [{ flavor: CPU_8, count: 1 }] }),
    );
    await h.settle();
    await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'scale', name: 'orderscale*', reason: 'quota of ECS' },
      201,
    );
    const up = await mergePatch(h.client, created.metadata.name, {
      spec: { resources: [{ flavor: CPU_8, count: 3 }] },
    });
    expect(up.status, up.text).toBe(200);
    await h.settle();
    expect(await phaseOf(h.client, created.metadata.name)).toBe('ScalingFailed');
    expect((await show(h.client, created.metadata.name)).spec.resources[0].count).toBe(1);
    expect(await listed(h.client, created.metadata.name, orderOf(up.body))).toMatchObject({
      phase: 'failed',
      failReason: 'quota of ECS',
    });
  });

  it("another project's order, an unknown one and a malformed name: 404 twice alike, then 400", async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await createPool(h.client, createBody(network));
    const name = orderOf(created);
    const other = await h.newProject();
    const foreign = await other.get(order(name));
    const unknown = await other.get(order(`${name}x`));
    expect([foreign.status, foreign.body.error_code]).toEqual([404, 'ModelArts.50005101']);
    expect(foreign.body.error_msg).toBe(`Order ${name} not found.`);
    expect(unknown.body.error_msg).toBe(`Order ${name}x not found.`);
    expect((await other.get('/v1/{project_id}/orders')).body).toEqual({ count: 0, items: [] });
    const malformed = await h.client.get(order('bad%20name!'));
    expect([malformed.status, malformed.body.error_code]).toEqual([400, 'ModelArts.50004000']);
    const badLimit = await h.client.get('/v1/{project_id}/orders?limit=501');
    expect(badLimit.status).toBe(400);
    const badPhase = await h.client.get('/v1/{project_id}/orders?phase=done');
    expect(badPhase.status).toBe(400);
  });
});
