import { toDbTime, fromDbTime, type Executor } from '../db/database.js';

/**
 * Resources per phase over the whole installation, from the usage counters (a
 * few rows per project), never from the pools or networks themselves.
 */
export async function sumUsageByPhase(tx: Executor, kind: 'pool' | 'network'): Promise<Map<string, number>> {
  const rows = await tx
    .selectFrom('usage_counts')
    .select((eb) => ['phase', eb.fn.sum<number | string | bigint>('n').as('n')])
    .where('kind', '=', kind)
    .groupBy('phase')
    .execute();
  return new Map(rows.map((row) => [row.phase, Number(row.n)]));
}

export interface DueWork {
  /** Rows whose next step is due and not yet run. */
  depth: number;
  /** Due time of the oldest of them. */
  oldest: Date | undefined;
}

/** Due rows of a table, read from its due_at index: what the engine has yet to do. */
export async function selectDueWork(tx: Executor, table: 'pools' | 'networks', now: Date): Promise<DueWork> {
  const row = await tx
    .selectFrom(table)
    .select((eb) => [eb.fn.countAll<number | string | bigint>().as('depth'), eb.fn.min('due_at').as('oldest')])
    .where('due_at', '<=', toDbTime(now))
    .executeTakeFirstOrThrow();
  const oldest = row.oldest as string | Date | null;
  return { depth: Number(row.depth), oldest: oldest === null ? undefined : fromDbTime(oldest) };
}
