import type { DeleteQueryBuilder, DeleteResult, Kysely } from 'kysely';
import type { Executor } from './database.js';
import { TABLES, type TableName, type TableScope } from './tables.js';

/** Tables addressed by name at run time (db/tables.ts), whose columns Kysely cannot know. */
type ByName = Kysely<Record<string, Record<string, unknown>>>;
type Delete = DeleteQueryBuilder<Record<string, Record<string, unknown>>, string, DeleteResult>;

export interface ResetScope {
  /** Only this project's rows; absent: the whole installation's. */
  projectId?: string;
  /** Keep accounts, projects, users, credentials, grants and tokens. */
  keepIdentities: boolean;
}

/**
 * Deletes the rows a reset removes (docs/emulator.md), table by table in the
 * order of db/tables.ts, inside the caller's transaction. Answers how many rows
 * each table lost (tables it left alone are absent).
 */
export async function deleteState(tx: Executor, scope: ResetScope): Promise<Partial<Record<TableName, number>>> {
  const db = tx as unknown as ByName;
  const removed: Partial<Record<TableName, number>> = {};
  for (const table of TABLES) {
    if (table.holds === 'identity' && scope.keepIdentities) continue;
    if (scope.projectId !== undefined && table.scope.by === 'installation') continue;
    const all = db.deleteFrom(table.name);
    const statement = scope.projectId === undefined ? all : onlyProject(db, all, table.scope, scope.projectId);
    const result = await statement.executeTakeFirst();
    removed[table.name] = Number(result.numDeletedRows);
  }
  return removed;
}

/** Narrows a delete of `scope`'s table to one project's rows. */
function onlyProject(db: ByName, statement: Delete, scope: TableScope, projectId: string): Delete {
  if (scope.by === 'column') return statement.where(scope.column, '=', projectId);
  if (scope.by === 'installation') throw new Error('installation-wide rows are of no project');
  const parent = TABLES.find((t) => t.name === scope.parent)?.scope;
  if (parent?.by !== 'column') throw new Error(`the parent table ${scope.parent} is not scoped by a column`);
  const parentRows = db.selectFrom(scope.parent).select(scope.parentKey).where(parent.column, '=', projectId);
  return statement.where(scope.column, 'in', parentRows);
}
