import type { Executor } from '../db/database.js';

/**
 * The capacity queue's rows (decision 10, migration 0012): one ticket per
 * waiting pool (`nodePool` '') and per node pool whose scale-out waits; the id
 * is the place in the queue. Only the pool room reads them (pool.capacity.ts).
 */

/** The ticket of a whole pool that waits in Waiting. */
export const WHOLE_POOL = '';

export interface QueueTicket {
  id: number;
  poolId: number;
  nodePool: string;
}

/** Every ticket, first come first.  */
export async function selectQueue(tx: Executor): Promise<QueueTicket[]> {
  const rows = await tx.selectFrom('capacity_queue').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), poolId: Number(r.pool_id), nodePool: r.node_pool }));
}

export async function anyTicket(tx: Executor): Promise<boolean> {
  return (await tx.selectFrom('capacity_queue').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** The node pools of a pool that hold a ticket. */
export async function selectPoolTickets(tx: Executor, poolId: number): Promise<QueueTicket[]> {
  const rows = await tx.selectFrom('capacity_queue').selectAll().where('pool_id', '=', poolId).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), poolId: Number(r.pool_id), nodePool: r.node_pool }));
}

/** Takes a ticket at the back of the queue (a ticket the node pool held is given up first). */
export async function insertTicket(tx: Executor, poolId: number, nodePool: string): Promise<void> {
  await deleteTicket(tx, poolId, nodePool);
  await tx.insertInto('capacity_queue').values({ pool_id: poolId, node_pool: nodePool }).execute();
}

export async function deleteTicket(tx: Executor, poolId: number, nodePool: string): Promise<void> {
  await tx.deleteFrom('capacity_queue').where('pool_id', '=', poolId).where('node_pool', '=', nodePool).execute();
}

/** Waiting pools without a ticket (left by a seed file or an import) join the back, oldest first. */
export async function ticketUnqueuedWaitingPools(tx: Executor): Promise<void> {
  const rows = await tx
    .selectFrom('pools')
    .select('id')
    .where('phase', '=', 'Waiting')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('capacity_queue')
            .select('capacity_queue.id')
            .whereRef('capacity_queue.pool_id', '=', 'pools.id')
            .where('capacity_queue.node_pool', '=', WHOLE_POOL),
        ),
      ),
    )
    .orderBy('id')
    .execute();
  for (const row of rows) await insertTicket(tx, Number(row.id), WHOLE_POOL);
}
