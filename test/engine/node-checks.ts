import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../src/db/schema.js';
import { listEventsOf } from '../../src/events/event.store.js';
import type { ApiClient } from '../helpers/client.js';

/** `available/abnormal/creating/deleting` of a PoolResourcesStatusChange message: [from, to]. */
export const rollUp = (message: string): [string, string] => {
  const m = /count from (\S+) to (\S+),/.exec(message);
  if (!m) throw new Error(`not a roll-up message: ${message}`);
  return [m[1], m[2]];
};

/**
 * A pool of `total` Available nodes after a crash: Running, status.resources
 * equal to the nodes, node_counts equal to a GROUP BY over the nodes, each node
 * once, and the roll-up events one chain from nothing to the nodes.
 */
export async function expectNodesConsistent(
  db: Kysely<DB>,
  projectId: string,
  client: ApiClient,
  pool: string,
  total: number,
): Promise<void> {
  const shown = await client.get(`/v2/{project_id}/pools/${pool}`);
  expect(shown.body.status.phase).toBe('Running');
  expect(shown.body.status.resources).toEqual({
    available: [expect.objectContaining({ count: total })],
  });
  const poolRow = await db.selectFrom('pools').select('id').where('name', '=', pool).executeTakeFirstOrThrow();
  const byGroup = await expectCountsExact(db, poolRow.id);
  expect(byGroup.map((g) => [g.phase, g.n])).toEqual([['Available', total]]);
  const names = await db.selectFrom('nodes').select('name').where('pool_id', '=', poolRow.id).execute();
  expect(new Set(names.map((n) => n.name)).size).toBe(total);

  const chain = (await listEventsOf(db, projectId, 'pools', pool))
    .filter((e) => e.reason === 'PoolResourcesStatusChange')
    .map((e) => rollUp(e.message));
  expect(chain.length).toBeGreaterThan(0);
  expect(chain[0][0]).toBe('0/0/0/0');
  for (let i = 1; i < chain.length; i += 1) expect(chain[i][0]).toBe(chain[i - 1][1]);
  expect(chain.at(-1)![1]).toBe(`${total}/0/0/0`);
}

/** node_counts equal a GROUP BY over the pool's nodes; returns the groups. */
export async function expectCountsExact(db: Kysely<DB>, poolId: number) {
  const byGroup = await db
    .selectFrom('nodes')
    .select(['node_pool', 'flavor', 'phase', sql<number>`count(*)`.as('n')])
    .where('pool_id', '=', poolId)
    .groupBy(['node_pool', 'flavor', 'phase'])
    .orderBy('phase')
    .orderBy('node_pool')
    .execute();
  const counts = await db
    .selectFrom('node_counts')
    .select(['node_pool', 'flavor', 'phase', 'n'])
    .where('pool_id', '=', poolId)
    .where('n', '!=', 0)
    .orderBy('phase')
    .orderBy('node_pool')
    .execute();
  const groups = byGroup.map((g) => ({ ...g, n: Number(g.n) }));
  expect(counts.map((c) => ({ ...c, n: Number(c.n) }))).toEqual(groups);
  return groups;
}
