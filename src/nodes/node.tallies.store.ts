/**
 * The node counts (node_counts): one row per pool, node pool, flavor and phase,
 * moved in the transaction that moves the nodes, so a pool's roll-up and a
 * flavor's total are read from a few rows, never from the nodes.
 */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { param, preparedByShape, preparedStatement, rowParam, rowValues } from '../db/prepared-read.js';
import type { DB } from '../db/schema.js';
import type { NodePhase } from './node.lifecycle.js';
import type { NodeTally } from './node.record.js';

const tallyKey = (t: Omit<NodeTally, 'count'>) => `${t.poolId}\u0000${t.nodePool}\u0000${t.flavor}\u0000${t.phase}`;

/** Adds the deltas to node_counts (an upsert per key); rows that reach zero go. */
export async function addToTallies(tx: Executor, deltas: readonly NodeTally[]): Promise<void> {
  const summed = new Map<string, NodeTally>();
  for (const d of deltas) {
    const key = tallyKey(d);
    const seen = summed.get(key);
    if (seen) seen.count += d.count;
    else summed.set(key, { ...d });
  }
  const moved = [...summed.values()].filter((d) => d.count !== 0);
  if (moved.length === 0) return;
  // One upsert for the keys (a move is a pair), in the order the caller gave them.
  for (let start = 0; start < moved.length; start += UPSERT_ROWS) {
    const rows = moved.slice(start, start + UPSERT_ROWS);
    if (rows.length === 1) await tallyUpsert(tx, { ...rows[0] });
    else await tallyUpserts(tx, String(rows.length), rows.length, rowValues(rows, keyOf));
  }
  for (const d of moved) {
    if (d.count < 0) await tallyDrop(tx, { poolId: d.poolId, nodePool: d.nodePool, flavor: d.flavor, phase: d.phase });
  }
}

/** Keys one upsert moves at most (a bound on the statements prepared, one per number of rows). */
const UPSERT_ROWS = 32;

/** The values of one row of tallyUpserts, by plain name (those of tallyUpsert; rowValues numbers them). */
const keyOf = (d: NodeTally): Record<string, unknown> => ({
  poolId: d.poolId,
  nodePool: d.nodePool,
  flavor: d.flavor,
  phase: d.phase,
  count: d.count,
});

type TallyKey = { poolId: number; nodePool: string; flavor: string; phase: string };

const tallyUpsert = preparedStatement<TallyKey & { count: number }>((db) =>
  db
    .insertInto('node_counts')
    .values({
      pool_id: param<number>('poolId'),
      node_pool: param('nodePool'),
      flavor: param('flavor'),
      phase: param('phase'),
      n: param<number>('count'),
    })
    .onConflict((oc) =>
      oc
        .columns(['pool_id', 'node_pool', 'flavor', 'phase'])
        .doUpdateSet({ n: sql<number>`node_counts.n + ${param<number>('count')}` }),
    ),
);

const tallyUpserts = preparedByShape<number>((db, rows) =>
  db
    .insertInto('node_counts')
    .values(
      Array.from({ length: rows }, (_, i) => ({
        pool_id: rowParam<number>('poolId', i),
        node_pool: rowParam('nodePool', i),
        flavor: rowParam('flavor', i),
        phase: rowParam('phase', i),
        n: rowParam<number>('count', i),
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['pool_id', 'node_pool', 'flavor', 'phase'])
        .doUpdateSet({ n: sql<number>`node_counts.n + excluded.n` }),
    ),
);

const tallyDrop = preparedStatement<TallyKey>((db) =>
  db
    .deleteFrom('node_counts')
    .where('pool_id', '=', param<number>('poolId'))
    .where('node_pool', '=', param('nodePool'))
    .where('flavor', '=', param('flavor'))
    .where('phase', '=', param('phase'))
    // Only an exact zero goes: a negative count is a bug, and it stays where the checks see it.
    .where('n', '=', 0),
);

const talliesOfPool = preparedStatement<{ poolId: number }, Selectable<DB['node_counts']>>((db) =>
  db.selectFrom('node_counts').selectAll().where('pool_id', '=', param<number>('poolId')),
);

/** The counts of these pools, in no particular order. */
export async function selectTallies(tx: Executor, poolIds: readonly number[]): Promise<NodeTally[]> {
  if (poolIds.length === 0) return [];
  const rows =
    poolIds.length === 1
      ? await talliesOfPool(tx, { poolId: poolIds[0] })
      : await tx
          .selectFrom('node_counts')
          .selectAll()
          .where('pool_id', 'in', [...poolIds])
          .execute();
  return rows.map((r) => ({
    poolId: Number(r.pool_id),
    nodePool: r.node_pool,
    flavor: r.flavor,
    phase: r.phase as NodePhase,
    count: Number(r.n),
  }));
}

/** Nodes of a flavor in the whole installation, whatever their phase, until gone (decision 10). */
export async function countFlavorNodes(tx: Executor, flavor: string): Promise<number> {
  const row = await tx
    .selectFrom('node_counts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('n'))
    .where('flavor', '=', flavor)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
