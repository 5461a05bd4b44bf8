import { sql, type Kysely } from 'kysely';
import type { Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { toDbTimeOrNull } from '../db/resource-store.js';
import { listValues, param, paramList, preparedByShape, preparedStatement } from '../db/prepared-read.js';
import type { DB, NewNodeRow, NodeRow } from '../db/schema.js';
import type { DriverPhase, NodePhase } from './node.lifecycle.js';
import type { NewNode, NodeChanges, NodeRecord } from './node.record.js';
import { forgetTallies } from './node.tallies.store.js';

/** The one place a node row becomes a record (STYLE §4). */
export function toNodeRecord(row: NodeRow): NodeRecord {
  return {
    id: Number(row.id),
    poolId: Number(row.pool_id),
    projectId: row.project_id,
    name: row.name,
    nodePool: row.node_pool,
    flavor: row.flavor,
    az: row.az,
    networkKey: row.network_key,
    privateIp: row.private_ip,
    phase: row.phase as NodePhase,
    driverPhase: row.driver_phase as DriverPhase | null,
    labels: JSON.parse(row.labels) as NodeRecord['labels'],
    annotations: JSON.parse(row.annotations) as NodeRecord['annotations'],
    spec: JSON.parse(row.spec) as NodeRecord['spec'],
    taints: JSON.parse(row.taints) as NodeRecord['taints'],
    createdAt: fromDbTime(row.created_at),
    deletingAt: fromDbTime(row.deleting_at),
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

function toNodeRow(node: NewNode): NewNodeRow {
  return {
    pool_id: node.poolId,
    project_id: node.projectId,
    name: node.name,
    node_pool: node.nodePool,
    flavor: node.flavor,
    az: node.az,
    network_key: node.networkKey,
    private_ip: node.privateIp,
    phase: node.phase,
    driver_phase: node.driverPhase,
    labels: JSON.stringify(node.labels),
    annotations: JSON.stringify(node.annotations),
    spec: JSON.stringify(node.spec),
    taints: JSON.stringify(node.taints),
    created_at: toDbTime(node.createdAt),
    deleting_at: toDbTimeOrNull(node.deletingAt),
    due_at: toDbTimeOrNull(node.dueAt),
    version: 0,
  };
}

function toNodeUpdate(changes: NodeChanges) {
  const update: Partial<NewNodeRow> = {};
  if (changes.phase !== undefined) update.phase = changes.phase;
  if (changes.driverPhase !== undefined) update.driver_phase = changes.driverPhase;
  if (changes.labels !== undefined) update.labels = JSON.stringify(changes.labels);
  if (changes.annotations !== undefined) update.annotations = JSON.stringify(changes.annotations);
  if (changes.taints !== undefined) update.taints = JSON.stringify(changes.taints);
  if (changes.spec !== undefined) update.spec = JSON.stringify(changes.spec);
  if (changes.deletingAt !== undefined) update.deleting_at = toDbTimeOrNull(changes.deletingAt);
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

/** Rows per INSERT: well inside both dialects' bound-parameter limits. */
const INSERT_CHUNK = 400;

/**
 * Inserts nodes and returns those stored. A node whose name or IP is already
 * taken in its pool or network is skipped (ON CONFLICT DO NOTHING), so the
 * caller can plan it again; nothing else fails the transaction.
 */
// One statement per chunk size (and set of columns, the same for every node: toNodeRow).
const nodesInsert = preparedByShape<{ columns: readonly string[]; rows: number }, { id: number; name: string }>(
  (db, shape) =>
    db
      .insertInto('nodes')
      .values(
        Array.from(
          { length: shape.rows },
          (_, i) => Object.fromEntries(shape.columns.map((c) => [c, param(`${c}${i}`)])) as unknown as NewNodeRow,
        ),
      )
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'name']),
);

export async function insertNodes(tx: Executor, nodes: readonly NewNode[]): Promise<NodeRecord[]> {
  const stored: NodeRecord[] = [];
  for (let i = 0; i < nodes.length; i += INSERT_CHUNK) {
    const chunk = nodes.slice(i, i + INSERT_CHUNK);
    const values: Record<string, unknown> = {};
    let columns: string[] = [];
    chunk.forEach((node, n) => {
      const row = toNodeRow(node) as Record<string, unknown>;
      columns = Object.keys(row);
      for (const c of columns) values[`${c}${n}`] = row[c];
    });
    const shape = { columns, rows: chunk.length };
    const rows = await nodesInsert(tx, `${columns.join(',')}/${chunk.length}`, shape, values);
    const ids = new Map(rows.map((r) => [r.name, Number(r.id)]));
    for (const node of chunk) {
      const id = ids.get(node.name);
      if (id !== undefined) stored.push({ ...node, id, version: 0 });
    }
  }
  return stored;
}

export async function findNode(tx: Executor, poolId: number, name: string): Promise<NodeRecord | undefined> {
  const row = await tx
    .selectFrom('nodes')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && toNodeRecord(row);
}

const nodesByName = preparedByShape<number, NodeRow>((db, n) =>
  db
    .selectFrom('nodes')
    .selectAll()
    .where('pool_id', '=', param<number>('poolId'))
    .where('name', 'in', paramList('name', n)),
);

export async function selectNodesByName(tx: Executor, poolId: number, names: readonly string[]): Promise<NodeRecord[]> {
  if (names.length === 0) return [];
  const rows = await nodesByName(tx, String(names.length), names.length, { poolId, ...listValues('name', names) });
  return rows.map(toNodeRecord);
}

/**
 * A page of a pool's nodes (of one node pool, if given) after `afterName`, in
 * name order, from the (pool_id, name) and (pool_id, node_pool, name) indexes.
 * `limit` rows at most; undefined reads them all (decision 27).
 */
// A pool's every node, by name: what an order reads when its pool's nodes were just made.
const allPoolNodes = preparedStatement<{ poolId: number }, NodeRow>((db) =>
  db.selectFrom('nodes').selectAll().where('pool_id', '=', param<number>('poolId')).orderBy('name'),
);

export async function selectNodePage(
  tx: Executor,
  poolId: number,
  options: { afterName?: string; limit?: number; nodePool?: string },
): Promise<NodeRecord[]> {
  if (options.afterName === undefined && options.limit === undefined && options.nodePool === undefined) {
    return (await allPoolNodes(tx, { poolId })).map(toNodeRecord);
  }
  let query = tx.selectFrom('nodes').selectAll().where('pool_id', '=', poolId).orderBy('name');
  if (options.nodePool !== undefined) query = query.where('node_pool', '=', options.nodePool);
  if (options.afterName) query = query.where('name', '>', options.afterName);
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map(toNodeRecord);
}

/** Nodes of a pool in a phase, newest first: what a scale-in chooses from. */
export async function selectNodesInPhase(
  tx: Executor,
  poolId: number,
  nodePool: string,
  phases: readonly NodePhase[],
  limit: number,
): Promise<NodeRecord[]> {
  const rows = await tx
    .selectFrom('nodes')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('node_pool', '=', nodePool)
    .where('phase', 'in', [...phases])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toNodeRecord);
}

/**
 * Moves the given nodes if each is still in phase `from`, handing back any lease,
 * and returns those moved: the phase is the condition, so a node moves once
 * however many writers try.
 */
export async function updateNodesInPhase(
  tx: Executor,
  ids: readonly number[],
  from: NodePhase,
  changes: NodeChanges,
): Promise<NodeRecord[]> {
  if (ids.length === 0) return [];
  const update = toNodeUpdate(changes) as Record<string, unknown>;
  const columns = Object.keys(update);
  const moved: NodeRecord[] = [];
  for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
    const chunk = ids.slice(i, i + INSERT_CHUNK);
    const rows = await nodesInPhaseUpdate(
      tx,
      `${columns.join(',')}/${chunk.length}`,
      { columns, ids: chunk.length },
      { ...update, ...listValues('ids', chunk), fromPhase: from },
    );
    moved.push(...rows.map(toNodeRecord));
  }
  return moved;
}

/** An update of the given columns (each a named parameter) that moves the version and hands the lease back. */
function nodeChangesUpdate(db: Kysely<DB>, columns: readonly string[]) {
  return db.updateTable('nodes').set({
    ...Object.fromEntries(columns.map((c) => [c, param(c)])),
    version: sql<number>`version + 1`,
    lease_owner: null,
    lease_expires_at: null,
  });
}

// One statement per set of columns changed and number of nodes moved (a step's due nodes).
const nodesInPhaseUpdate = preparedByShape<{ columns: readonly string[]; ids: number }, NodeRow>((db, shape) =>
  nodeChangesUpdate(db, shape.columns)
    .where('id', 'in', paramList<number>('ids', shape.ids))
    .where('phase', '=', param<NodePhase>('fromPhase'))
    .returningAll(),
);

/** A change of one node at the version read; undefined when another writer came first. */
export async function updateNodeIf(
  tx: Executor,
  node: NodeRecord,
  changes: NodeChanges,
): Promise<NodeRecord | undefined> {
  const row = await tx
    .updateTable('nodes')
    .set({ ...toNodeUpdate(changes), version: node.version + 1, lease_owner: null, lease_expires_at: null })
    .where('id', '=', node.id)
    .where('version', '=', node.version)
    .returningAll()
    .executeTakeFirst();
  return row && toNodeRecord(row);
}

/** Removes the given nodes if they are still Deleting; returns those removed. */
export async function deleteDeletingNodes(tx: Executor, ids: readonly number[]): Promise<NodeRecord[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .deleteFrom('nodes')
    .where('id', 'in', [...ids])
    .where('phase', '=', 'Deleting')
    .returningAll()
    .execute();
  return rows.map(toNodeRecord);
}

/** Removes nodes outright, in any phase (a failed creation takes back what it made). */
export async function deleteNodesById(tx: Executor, ids: readonly number[]): Promise<NodeRecord[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .deleteFrom('nodes')
    .where('id', 'in', [...ids])
    .returningAll()
    .execute();
  return rows.map(toNodeRecord);
}

// One statement per set of columns changed and number of phases moved from.
const poolNodesUpdate = preparedByShape<{ columns: readonly string[]; from: number }, NodeRow>((db, shape) =>
  nodeChangesUpdate(db, shape.columns)
    .where('pool_id', '=', param<number>('poolId'))
    .where('phase', 'in', paramList<NodePhase>('from', shape.from))
    .returningAll(),
);

/** Moves every node of a pool that is in one of `from` (but those in `except`) into `changes.phase`; returns those moved. */
export async function updatePoolNodes(
  tx: Executor,
  poolId: number,
  from: readonly NodePhase[],
  changes: NodeChanges,
  except: readonly number[] = [],
): Promise<NodeRecord[]> {
  if (except.length > 0) {
    const rows = await tx
      .updateTable('nodes')
      .set({ ...toNodeUpdate(changes), version: sql<number>`version + 1`, lease_owner: null, lease_expires_at: null })
      .where('pool_id', '=', poolId)
      .where('phase', 'in', [...from])
      .where('id', 'not in', [...except])
      .returningAll()
      .execute();
    return rows.map(toNodeRecord);
  }
  const update = toNodeUpdate(changes) as Record<string, unknown>;
  const columns = Object.keys(update);
  const rows = await poolNodesUpdate(
    tx,
    `${columns.join(',')}/${from.length}`,
    { columns, from: from.length },
    {
      ...update,
      poolId,
      ...listValues('from', from),
    },
  );
  return rows.map(toNodeRecord);
}

// --- the counts (node.tallies.store.ts) ------------------------------------------

export { addToTallies, countFlavorNodes, selectTallies, startTallies } from './node.tallies.store.js';

// --- private IPs --------------------------------------------------------------

/** The key a network's nodes take their private IPs under (unique per key). */
export const networkKeyOf = (networkName: string): string => `network:${networkName}`;

/**
 * The nodes holding an IP of a network, whatever their phase, until their row is gone: an index
 * range of nodes_ip_unique (network_key leads it), never a scan of the table.
 */
export async function countNetworkNodes(tx: Executor, networkName: string): Promise<number> {
  const row = await tx
    .selectFrom('nodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('network_key', '=', networkKeyOf(networkName))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const ipCursorTake = preparedStatement<{ networkKey: string; count: number }, { next_offset: number }>((db) =>
  db
    .insertInto('ip_cursors')
    .values({ network_key: param('networkKey'), next_offset: param<number>('count') })
    .onConflict((oc) =>
      oc
        .column('network_key')
        .doUpdateSet({ next_offset: sql<number>`ip_cursors.next_offset + ${param<number>('count')}` }),
    )
    .returning('next_offset'),
);

/** Reserves `count` consecutive offsets of a network and returns the first (cursors start at 0). */
export async function takeIpOffsets(tx: Executor, networkKey: string, count: number): Promise<number> {
  const [row] = await ipCursorTake(tx, { networkKey, count });
  return Number(row.next_offset) - count;
}

// --- the engine ---------------------------------------------------------------

/** Makes the pending steps of these pools' nodes due at `now` (the emulator's advance); returns the nodes. */
export async function makePoolNodesDue(tx: Executor, poolIds: readonly number[], now: Date): Promise<NodeRecord[]> {
  if (poolIds.length === 0) return [];
  const rows = await tx
    .updateTable('nodes')
    .set({ due_at: toDbTime(now) })
    .where('pool_id', 'in', [...poolIds])
    .where('due_at', 'is not', null)
    .returningAll()
    .execute();
  return rows.map(toNodeRecord);
}

/** Removes every node of a pool and its counts (a failed creation gives everything back). */
export async function deleteAllPoolNodes(tx: Executor, poolId: number): Promise<void> {
  await tx.deleteFrom('nodes').where('pool_id', '=', poolId).execute();
  await tx.deleteFrom('node_counts').where('pool_id', '=', poolId).execute();
  forgetTallies(tx, poolId);
}

/** Nodes whose next step is due at `now`, earliest first (the emulator's clock runs them itself). */
export async function selectDueNodes(tx: Executor, now: Date, limit: number): Promise<NodeRecord[]> {
  const rows = await tx
    .selectFrom('nodes')
    .selectAll()
    .where('due_at', '<=', toDbTime(now))
    .orderBy('due_at')
    .limit(limit)
    .execute();
  return rows.map(toNodeRecord);
}

/**
 * Nodes carrying annotation `key` with one of `values` (what the emulator's node
 * faults mark): a scan, for the emulator controls only, never a request path.
 */
export async function selectNodesAnnotated(
  tx: Executor,
  key: string,
  values: readonly string[],
): Promise<NodeRecord[]> {
  if (values.length === 0) return [];
  const rows = await tx
    .selectFrom('nodes')
    .selectAll()
    .where((eb) =>
      eb.or(values.map((v) => eb('annotations', 'like', `%${JSON.stringify({ [key]: v }).slice(1, -1)}%`))),
    )
    .orderBy('id')
    .execute();
  return rows.map(toNodeRecord).filter((n) => values.includes(n.annotations[key] ?? ''));
}

/** The nodes of a pool in one of `phases`, in name order: where workloads may be placed (src/workloads/). */
export async function selectPoolNodesInPhases(
  tx: Executor,
  poolId: number,
  phases: readonly NodePhase[],
): Promise<NodeRecord[]> {
  const rows = await tx
    .selectFrom('nodes')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where('phase', 'in', [...phases])
    .orderBy('name')
    .execute();
  return rows.map(toNodeRecord);
}

/**
 * Moves a Checking node to another pool (batch-migrate), under a new node pool
 * and labels, if it is still Checking in the pool it was read in; returns it as
 * it now stands, or undefined when another writer moved it first.
 */
export async function transferNode(
  tx: Executor,
  node: NodeRecord,
  to: { poolId: number; nodePool: string; labels: Record<string, string>; dueAt: Date | null },
): Promise<NodeRecord | undefined> {
  const row = await tx
    .updateTable('nodes')
    .set({
      pool_id: to.poolId,
      node_pool: to.nodePool,
      labels: JSON.stringify(to.labels),
      due_at: toDbTimeOrNull(to.dueAt),
      version: sql<number>`version + 1`,
      lease_owner: null,
      lease_expires_at: null,
    })
    .where('id', '=', node.id)
    .where('pool_id', '=', node.poolId)
    .where('phase', '=', 'Checking')
    .returningAll()
    .executeTakeFirst();
  return row && toNodeRecord(row);
}

/**
 * Changes an Available node's flavor and node pool (batch-resize) and moves it
 * Checking, if it is still Available at the version read; returns it as it now
 * stands, or undefined when another writer came first.
 */
export async function reflavorNode(
  tx: Executor,
  node: NodeRecord,
  to: { flavor: string; nodePool: string; changes: NodeChanges },
): Promise<NodeRecord | undefined> {
  const row = await tx
    .updateTable('nodes')
    .set({
      ...toNodeUpdate({ ...to.changes, phase: 'Checking' }),
      flavor: to.flavor,
      node_pool: to.nodePool,
      version: node.version + 1,
      lease_owner: null,
      lease_expires_at: null,
    })
    .where('id', '=', node.id)
    .where('version', '=', node.version)
    .where('phase', '=', 'Available')
    .returningAll()
    .executeTakeFirst();
  return row && toNodeRecord(row);
}
