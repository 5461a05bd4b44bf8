// Orders are rows: a second process on the same database (a restart) sees them exactly as the first
// left them, pays the unpaid one and drives both to their end.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { openContext } from '../../src/server.js';
import { ADMIN_TOKEN, useAdminHarness } from '../admin/helpers.js';
import { ApiClient } from '../helpers/client.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { createBody, createPool, phaseOf } from '../pools/helpers.js';
import { listed, listOrders, orderOf, prepaid, showOrder } from './helpers.js';

describe('orders across a restart', () => {
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '60', ATELIER_ORDER_EXPIRY_SECONDS: '3600' });

  it('a running and a pending order survive; the new process pays one and finishes both', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const running = await createPool(h.client, createBody(network));
    const unpaid = await createPool(h.client, createBody(network, { annotations: prepaid(false) }));
    await h.settle();
    const before = await listOrders(h.client);
    const details = await Promise.all([running, unpaid].map((p) => showOrder(h.client, orderOf(p))));

    // The first process stops here (its engine never runs again); a second one opens the database.
    const clock = new ManualClock(h.clock.now());
    const second = await openContext(h.config, clock);
    const app = await buildApp(second.context, { engine: () => engine });
    const engine = new LifecycleEngine(second.context, { error: console.error, debug: () => {} } as never);
    try {
      const client = ApiClient.inject(app, h.projectId, h.credentials);
      expect(await listOrders(client)).toEqual(before);
      expect(await Promise.all([running, unpaid].map((p) => showOrder(client, orderOf(p))))).toEqual(details);
      expect(before.items.map((o: any) => o.phase).sort()).toEqual(['pending', 'running']);

      const paid = await app.inject({
        method: 'POST',
        url: `/_atelier/orders/${orderOf(unpaid)}/pay`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(paid.statusCode, paid.body).toBe(200);
      clock.advance(60_000);
      for (let i = 0; i < 100 && (await engine.runOnce()) > 0; i += 1);
      for (const pool of [running, unpaid]) {
        expect(await phaseOf(client, pool.metadata.name)).toBe('Running');
        expect((await listed(client, pool.metadata.name, orderOf(pool))).phase).toBe('successed');
      }
    } finally {
      await app.close();
      await second.database.close();
    }
  });
});
