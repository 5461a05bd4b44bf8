/**
 * The node counts (node_counts): one row per pool, node pool, flavor and phase,
 * moved in the transaction that moves the nodes, so a pool's roll-up and a
 * flavor's total are read from a few rows, never from the nodes.
 */
import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { soleWriterMemo, type Executor } from '../db/database.js';
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
  const known = knownTallies(tx);
  try {
    await upsertTallies(tx, moved);
  } catch (error) {
    // Some of the rows may have moved: what was known of these pools is no longer.
    for (const d of moved) known?.delete(d.poolId);
    throw error;
  }
  for (const d of moved) {
    const kept = known?.get(d.poolId);
    if (!kept) continue;
    const key = tallyKey(d);
    const count = (kept.get(key)?.count ?? 0) + d.count;
    if (count === 0) kept.delete(key);
    else kept.set(key, { ...d, count });
  }
}

async function upsertTallies(tx: Executor, moved: readonly NodeTally[]): Promise<void> {
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

/**
 * A pool's counts as the transaction read them, kept up to date by its own moves
 * (addToTallies), by pool id: where no other writer can move them meanwhile
 * (soleWriterMemo), they are what reading the rows again would answer. A roll-up
 * reads a pool's counts before and after its nodes move (pools/pool.move.ts
 * rollUpEvent): the second read is the first plus the moves.
 */
const KNOWN_TALLIES = {};
const knownTallies = (tx: Executor) =>
  soleWriterMemo(tx, KNOWN_TALLIES, () => new Map<number, Map<string, NodeTally>>());

/** A pool inserted in this transaction has no counts yet: known without reading them. */
export function startTallies(tx: Executor, poolId: number): void {
  knownTallies(tx)?.set(poolId, new Map());
}

/** Forgets what the transaction knew of a pool's counts (rows changed other than by addToTallies). */
export function forgetTallies(tx: Executor, poolId: number): void {
  knownTallies(tx)?.delete(poolId);
}

/** The counts of these pools, in no particular order. */
export async function selectTallies(tx: Executor, poolIds: readonly number[]): Promise<NodeTally[]> {
  if (poolIds.length === 0) return [];
  if (poolIds.length > 1) {
    const rows = await tx
      .selectFrom('node_counts')
      .selectAll()
      .where('pool_id', 'in', [...poolIds])
      .execute();
    return rows.map(toTally);
  }
  const poolId = poolIds[0];
  const known = knownTallies(tx);
  const kept = known?.get(poolId);
  // Copies: a caller may change what it is given.
  if (kept) return [...kept.values()].map((t) => ({ ...t }));
  const tallies = (await talliesOfPool(tx, { poolId })).map(toTally);
  known?.set(poolId, new Map(tallies.map((t) => [tallyKey(t), { ...t }])));
  return tallies;
}

const toTally = (r: Selectable<DB['node_counts']>): NodeTally => ({
  poolId: Number(r.pool_id),
  nodePool: r.node_pool,
  flavor: r.flavor,
  phase: r.phase as NodePhase,
  count: Number(r.n),
});

/** Nodes of a flavor in the whole installation, whatever their phase, until gone (decision 10). */
export async function countFlavorNodes(tx: Executor, flavor: string): Promise<number> {
  const row = await tx
    .selectFrom('node_counts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('n'))
    .where('flavor', '=', flavor)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
