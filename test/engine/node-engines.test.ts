// Several engines on one database drive a 200-node pool to Running: each node
// comes up once, the roll-up events form one chain, node_counts equal the nodes.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { activeNetwork, displayName } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { createBody, createPool, pool } from '../pools/helpers.js';

const FLAVOR = 'modelarts.vm.cpu.8ud';

describe('several engines and a 200-node pool', () => {
  const h = useHarness({
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '10',
    ATELIER_NODE_CREATE_SECONDS: '5',
  });

  it('bring every node up exactly once', async () => {
    const net = await activeNetwork(h.client, h.settle);
    const created = await createPool(
      h.client,
      createBody(net, { name: displayName('wide'), resources: [{ flavor: FLAVOR, count: 200 }] }),
    );
    const name = created.metadata.name as string;
    const engines = [
      h.engine,
      ...[1, 2, 3].map(() => new LifecycleEngine(h.context, { error: () => {}, debug: () => {} } as never)),
    ];
    const runAll = async () => {
      for (let i = 0; i < 100; i += 1) {
        const found = await Promise.all(engines.map((e) => e.runOnce()));
        if (found.every((n) => n === 0)) return;
      }
      throw new Error('the engines kept finding due work');
    };
    h.clock.advance(10_000);
    await runAll();
    h.clock.advance(5_000);
    await runAll();

    const shown = (await h.client.get(pool(name))).body;
    expect(shown.status.phase).toBe('Running');
    expect(shown.status.resources).toEqual({ available: [expect.objectContaining({ flavor: FLAVOR, count: 200 })] });
    const db = h.context.database.db;
    const { id } = await db.selectFrom('pools').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    const byGroup = await db
      .selectFrom('nodes')
      .select(['phase', sql<number>`count(*)`.as('n'), sql<number>`max(version)`.as('maxVersion')])
      .where('pool_id', '=', id)
      .groupBy('phase')
      .execute();
    // Each node was written at creation and moved once: no second writer bumped its version.
    expect(byGroup.map((g) => ({ ...g, n: Number(g.n), maxVersion: Number(g.maxVersion) }))).toEqual([
      { phase: 'Available', n: 200, maxVersion: 1 },
    ]);
    const counts = await db.selectFrom('node_counts').select(['phase', 'n']).where('pool_id', '=', id).execute();
    expect(counts.filter((c) => Number(c.n) !== 0).map((c) => [c.phase, Number(c.n)])).toEqual([['Available', 200]]);

    const chain = (await listEventsOf(db, h.projectId, 'pools', name))
      .filter((e) => e.reason === 'PoolResourcesStatusChange')
      .map((e) => /count from (\S+) to (\S+),/.exec(e.message)!.slice(1));
    expect(chain[0][0]).toBe('0/0/0/0');
    for (let i = 1; i < chain.length; i += 1) expect(chain[i][0]).toBe(chain[i - 1][1]);
    expect(chain.at(-1)![1]).toBe('200/0/0/0');
    const changes = (await listEventsOf(db, h.projectId, 'pools', name))
      .filter((e) => e.reason === 'PoolStatusChange')
      .map((e) => e.message)
      .filter((m) => !m.includes('Waiting'));
    expect(changes).toEqual(['Pool status changed, from Creating to Running.']);
  });
});
