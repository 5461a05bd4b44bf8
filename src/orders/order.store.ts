import type { Executor } from '../db/database.js';
import { flushDeferred, fromDbTime, toDbTime } from '../db/database.js';
import { afterUpdate, toDbTimeOrNull } from '../db/resource-store.js';
import { param, preparedByColumns, preparedStatement } from '../db/prepared-read.js';
import type { Insertable } from 'kysely';
import type { DB, OrderRow, OrderUpdate } from '../db/schema.js';
import type { Billing } from './order.billing.js';
import { ORDER_OPEN, type OrderKind, type OrderPhase } from './order.lifecycle.js';
import type { NewOrder, OrderChanges, OrderItem, OrderRecord } from './order.record.js';

/** The one place an order row becomes a record (STYLE §4). */
function toOrderRecord(row: OrderRow): OrderRecord {
  return {
    id: Number(row.id),
    orderName: row.order_name,
    orderId: row.order_id,
    projectId: row.project_id,
    poolName: row.pool_name,
    poolDisplayName: row.pool_display_name,
    kind: row.kind as OrderKind,
    phase: row.phase as OrderPhase,
    failReason: row.fail_reason,
    billing: JSON.parse(row.billing) as Billing,
    items: JSON.parse(row.items) as OrderItem[],
    createdAt: fromDbTime(row.created_at),
    begunAt: fromDbTime(row.begun_at),
    endedAt: fromDbTime(row.ended_at),
    expiresAt: fromDbTime(row.expires_at),
    version: Number(row.version),
  };
}

/** …and the one place a change becomes columns: only the fields given are written. */
function toOrderUpdate(changes: OrderChanges): OrderUpdate {
  const update: OrderUpdate = {};
  if (changes.phase !== undefined) update.phase = changes.phase;
  if (changes.failReason !== undefined) update.fail_reason = changes.failReason;
  if (changes.items !== undefined) update.items = JSON.stringify(changes.items);
  if (changes.begunAt !== undefined) update.begun_at = toDbTimeOrNull(changes.begunAt);
  if (changes.endedAt !== undefined) update.ended_at = toDbTimeOrNull(changes.endedAt);
  if (changes.expiresAt !== undefined) update.expires_at = toDbTimeOrNull(changes.expiresAt);
  return update;
}

const orderInsert = preparedByColumns<{ id: number }>((db, columns) =>
  db
    .insertInto('orders')
    .values(Object.fromEntries(columns.map((c) => [c, param(c)])) as unknown as Insertable<DB['orders']>)
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returning('id'),
);

/**
 * The key of the order follows a transaction left to its end (order.steps.ts
 * followPoolOrdersLater): every read and write of orders here runs them first, so
 * nothing in the transaction sees an order behind what it records.
 */
export const PENDING_FOLLOWS = {};

/**
 * Inserts a new order at version 0 and returns it as stored, or undefined when its
 * `orderId` is taken (random ids of one minute can meet): the caller draws another.
 * Skipped, not failed, so the caller's transaction goes on (on PostgreSQL a failed
 * statement would end it).
 */
export async function insertOrder(tx: Executor, order: NewOrder): Promise<OrderRecord | undefined> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const [inserted] = await orderInsert(tx, {
    order_name: order.orderName,
    order_id: order.orderId,
    project_id: order.projectId,
    pool_name: order.poolName,
    pool_display_name: order.poolDisplayName,
    kind: order.kind,
    phase: order.phase,
    fail_reason: order.failReason,
    billing: JSON.stringify(order.billing),
    items: JSON.stringify(order.items),
    created_at: toDbTime(order.createdAt),
    begun_at: toDbTimeOrNull(order.begunAt),
    ended_at: toDbTimeOrNull(order.endedAt),
    expires_at: toDbTimeOrNull(order.expiresAt),
    version: 0,
  });
  return inserted && { ...order, id: Number(inserted.id), version: 0 };
}

/** A project's order by its name. */
export async function findOrder(tx: Executor, projectId: string, orderName: string): Promise<OrderRecord | undefined> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const row = await tx
    .selectFrom('orders')
    .selectAll()
    .where('order_name', '=', orderName)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row && toOrderRecord(row);
}

/** An order of any project by its name (names are unique in the installation): the emulator's pay control. */
export async function findOrderByName(tx: Executor, orderName: string): Promise<OrderRecord | undefined> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const row = await tx.selectFrom('orders').selectAll().where('order_name', '=', orderName).executeTakeFirst();
  return row && toOrderRecord(row);
}

/** A project's order by its billing id (the `os.modelarts/order.id` a PATCH names). */
export async function findOrderById(
  tx: Executor,
  projectId: string,
  orderId: string,
): Promise<OrderRecord | undefined> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const row = await tx
    .selectFrom('orders')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row && toOrderRecord(row);
}

const openOrders = preparedStatement<{ projectId: string; poolName: string }, OrderRow>((db) =>
  db
    .selectFrom('orders')
    .selectAll()
    .where('project_id', '=', param('projectId'))
    .where('pool_name', '=', param('poolName'))
    .where('ended_at', 'is', null)
    .where('phase', 'in', ORDER_OPEN)
    .orderBy('created_at')
    .orderBy('id'),
);

/** The orders of a pool that still follow it (pending or running), oldest first. */
export async function selectOpenOrders(tx: Executor, projectId: string, poolName: string): Promise<OrderRecord[]> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const rows = await openOrders(tx, { projectId, poolName });
  return rows.map(toOrderRecord);
}

/** What ListOrders selects (§1.1): a project's orders created in [since, until], of a pool, in a phase. */
export interface OrderFilter {
  projectId: string;
  since?: Date;
  until?: Date;
  /** The pool's metadata.name or its display name (decision 18). */
  involvedName?: string;
  phase?: OrderPhase;
}

function filtered(tx: Executor, filter: OrderFilter) {
  let query = tx.selectFrom('orders').where('project_id', '=', filter.projectId);
  if (filter.since) query = query.where('created_at', '>=', toDbTime(filter.since));
  if (filter.until) query = query.where('created_at', '<=', toDbTime(filter.until));
  const involved = filter.involvedName;
  if (involved !== undefined) {
    query = query.where((eb) => eb.or([eb('pool_name', '=', involved), eb('pool_display_name', '=', involved)]));
  }
  if (filter.phase !== undefined) query = query.where('phase', '=', filter.phase);
  return query;
}

/** One page of the matching orders, newest first. */
export async function selectOrderPage(
  tx: Executor,
  filter: OrderFilter,
  limit: number,
  offset: number,
): Promise<OrderRecord[]> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  if (limit === 0) return [];
  const rows = await filtered(tx, filter)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(toOrderRecord);
}

/** How many orders match, before paging (ListOrders `count`). */
export async function countOrders(tx: Executor, filter: OrderFilter): Promise<number> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const row = await filtered(tx, filter)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// The columns are whatever the change sets, plus the two of the condition.
const orderUpdate = preparedByColumns<{ id: number }>((db, columns) =>
  db
    .updateTable('orders')
    .set(Object.fromEntries(columns.filter((c) => c !== 'id' && c !== 'expected').map((c) => [c, param(c)])))
    .where('id', '=', param<number>('id'))
    .where('version', '=', param<number>('expected'))
    .returning('id'),
);

/**
 * Applies `changes` if the order is still at the version the caller read, and
 * returns it as it now stands; undefined when another writer came first.
 */
export async function updateOrderIf(
  tx: Executor,
  order: OrderRecord,
  changes: OrderChanges,
): Promise<OrderRecord | undefined> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const updated = await orderUpdate(tx, {
    ...toOrderUpdate(changes),
    version: order.version + 1,
    id: order.id,
    expected: order.version,
  });
  if (updated.length === 0) return undefined;
  return afterUpdate<OrderRecord>(order, changes);
}

/** Removes up to `limit` orders that ended before `cutoff`, oldest first; returns how many. */
export async function deleteOrdersEndedBefore(tx: Executor, cutoff: Date, limit: number): Promise<number> {
  await flushDeferred(tx, PENDING_FOLLOWS);
  const ids = tx
    .selectFrom('orders')
    .select('id')
    .where('ended_at', '<', toDbTime(cutoff))
    .orderBy('ended_at')
    .limit(limit);
  const result = await tx.deleteFrom('orders').where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
