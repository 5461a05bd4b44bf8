import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.js';
import { fromDbTime, toDbTime } from './database.js';
import { param, preparedByColumns, preparedStatement } from './prepared-read.js';
import type { DB } from './schema.js';

/**
 * The queries every resource table needs, written once (STYLE §4, §5). A resource
 * table has an integer id (creation order, the list cursor), a project and a name
 * (the API's key), a version (the condition of every change), a due time (the
 * engine's next step) and a lease (db/claims.ts). A new resource's store is these
 * plus the few queries only it has, and a mapper between its row and its record.
 */
export type ResourceTable = 'pools' | 'networks' | 'pool_plugins';
export type ResourceRow<T extends VersionedTable> = Selectable<DB[T]>;
/**
 * Tables with a version, a due time and a lease but no name of the API (jobs are
 * found by their job id): the conditional change and the engine's queries apply.
 */
export type VersionedTable = ResourceTable | 'jobs' | 'scheduled_events';

// The resource tables share every column used here; Kysely cannot see that
// through a union of table names, so the queries are written against one of them.
type AnyResource = 'pools';

/** Finds a row by project and name, from the (project_id, name) index. */
export function findByName<T extends ResourceTable>(table: T) {
  const byName = preparedStatement<{ name: string; projectId: string }, ResourceRow<T>>(
    (db) =>
      db
        .selectFrom(table as AnyResource)
        .selectAll()
        .where('name', '=', param('name'))
        .where('project_id', '=', param('projectId')) as never,
  );
  return async (tx: Executor, projectId: string, name: string): Promise<ResourceRow<T> | undefined> => {
    const [row] = await byName(tx, { name, projectId });
    return row;
  };
}

/** Inserts a row and returns its id; the caller already holds everything else it wrote. */
export function insertReturningId<T extends ResourceTable>(table: T) {
  const insert = preparedByColumns<{ id: number }>((db, columns) =>
    db
      .insertInto(table as AnyResource)
      .values(Object.fromEntries(columns.map((c) => [c, param(c)])) as Insertable<DB[AnyResource]>)
      .returning('id'),
  );
  return async (tx: Executor, row: Insertable<DB[T]>): Promise<number> => {
    const [inserted] = await insert(tx, row as Record<string, unknown>);
    return Number(inserted.id);
  };
}

/**
 * The conditional update every transition goes through (STYLE §5): it applies
 * only if the row is still at the version the caller read, so two writers can
 * never both move it. It also hands back any engine's lease on the row: the
 * step the lease was for has been done, or lost to this change, so the row is
 * free for the next one. True when it applied.
 */
export function updateIfVersion<T extends VersionedTable>(table: T) {
  // The columns are whatever the transition sets, plus the two of the condition.
  const update = preparedByColumns<{ id: number }>((db, columns) =>
    db
      .updateTable(table as AnyResource)
      .set(Object.fromEntries(columns.filter((c) => c !== 'id' && c !== 'expected').map((c) => [c, param(c)])))
      .where('id', '=', param<number>('id'))
      .where('version', '=', param<number>('expected'))
      .returning('id'),
  );
  return async (tx: Executor, id: number, version: number, changes: Updateable<DB[T]>): Promise<boolean> => {
    const updated = await update(tx, {
      ...(changes as Record<string, unknown>),
      version: version + 1,
      lease_owner: null,
      lease_expires_at: null,
      id,
      expected: version,
    });
    return updated.length > 0;
  };
}

/** Deletes the row if it is still at `version`; what hangs off it goes with it (ON DELETE CASCADE). */
export function deleteIfVersion(table: VersionedTable) {
  const remove = preparedStatement<{ id: number; version: number }, { id: number }>((db) =>
    db
      .deleteFrom(table as AnyResource)
      .where('id', '=', param<number>('id'))
      .where('version', '=', param<number>('version'))
      .returning('id'),
  );
  return async (tx: Executor, id: number, version: number): Promise<boolean> =>
    (await remove(tx, { id, version })).length > 0;
}

/** Rows whose next step is due at `now`, earliest first, from the due_at index. */
export function selectDue<T extends VersionedTable>(table: T) {
  return async (tx: Executor, now: Date, limit: number): Promise<ResourceRow<T>[]> =>
    (await tx
      .selectFrom(table as AnyResource)
      .selectAll()
      .where('due_at', '<=', toDbTime(now))
      .orderBy('due_at')
      .limit(limit)
      .execute()) as ResourceRow<T>[];
}

export interface DueWork {
  /** Rows whose next step is due and not yet run. */
  depth: number;
  /** Due time of the oldest of them. */
  oldest: Date | undefined;
}

/** How much of a table's lifecycle work is due, read from its due_at index (the engine's metrics). */
export function dueWork(table: VersionedTable) {
  return async (tx: Executor, now: Date): Promise<DueWork> => {
    const row = await tx
      .selectFrom(table as AnyResource)
      .select((eb) => [eb.fn.countAll<number | string | bigint>().as('depth'), eb.fn.min('due_at').as('oldest')])
      .where('due_at', '<=', toDbTime(now))
      .executeTakeFirstOrThrow();
    const oldest = row.oldest as string | Date | null;
    return { depth: Number(row.depth), oldest: oldest === null ? undefined : fromDbTime(oldest) };
  };
}

/**
 * A project's rows (of one workspace, if given) after a `continue` position, in
 * creation order (the id index): what a paged list reads. The caller filters
 * them (label selectors) and cuts the page with shared/selection.ts pageOf,
 * which also counts what remains.
 */
export function selectPageAfter<T extends ResourceTable>(table: T) {
  return async (tx: Executor, projectId: string, afterId: number, workspaceId?: string): Promise<ResourceRow<T>[]> => {
    let query = tx
      .selectFrom(table as AnyResource)
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '>', afterId)
      .orderBy('id');
    if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
    return (await query.execute()) as ResourceRow<T>[];
  };
}

/** Fixed-width ISO text (SQLite) or timestamptz (PostgreSQL) for an optional time. */
export const toDbTimeOrNull = (date: Date | null): string | null => (date === null ? null : toDbTime(date));

/**
 * The record as a conditional update left it: what was read, the changes given
 * (undefined leaves a field), and the next version. The version condition is what
 * makes this the row as stored, without reading it back.
 */
export function afterUpdate<R extends { version: number }>(record: R, changes: Partial<R>): R {
  const updated: R = { ...record, version: record.version + 1 };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) Object.assign(updated, { [key]: value });
  return updated;
}
