import { existsSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';
import { PARENTS_FIRST } from './tables.js';

/**
 * `atelier copy --from URL --to URL`: moves an installation between databases —
 * SQLite to PostgreSQL when it outgrows one machine (docs/deployment.md), or back.
 * Both sides are migrated to the latest schema first, so they have the same
 * tables and columns; then every table is copied in dependency order, each in one
 * transaction of the target, in batches. Stop every server on the source first:
 * rows written during the copy may be missed.
 */

const BATCH = 200;

export interface CopyOptions {
  from: string;
  to: string;
  /** Replace whatever the target holds instead of refusing a non-empty target. */
  force?: boolean;
  /** Progress lines, one per table. */
  log?: (line: string) => void;
  /**
   * Secret keys are sealed with the installation's key (identity/secret-box.ts).
   * When the target uses another key — a SQLite installation's key file, a
   * PostgreSQL one's ATELIER_SECRET_KEY — each secret is opened with the source's
   * box and sealed again with the target's.
   */
  reseal?: { from: Resealer; to: Resealer };
}

/** What resealing needs of a SecretBox. */
export interface Resealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** Columns holding sealed secrets, by table. */
const SEALED_COLUMNS: Record<string, string[]> = { credentials: ['secret_sealed'] };

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
}

export class CopyRefused extends Error {}

/** Tables known only by name at run time. */
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/** The tables to copy, parents first; Kysely's own migration tables stay where they are. */
async function tablesOf(db: AnyDb): Promise<Array<{ name: string; columns: string[] }>> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: false });
  const known = new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  // Parents before children (db/tables.ts); a table it does not name (a newer
  // installation's) comes last.
  const rank = (name: string) => {
    const i = (PARENTS_FIRST as readonly string[]).indexOf(name);
    return i === -1 ? PARENTS_FIRST.length : i;
  };
  return [...known.keys()]
    .filter((name) => !name.startsWith('sqlite_'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, columns: known.get(name)! }));
}

async function hasRows(db: AnyDb, table: string): Promise<boolean> {
  return (
    (
      await db
        .selectFrom(table)
        .select(sql<number>`1`.as('one'))
        .limit(1)
        .execute()
    ).length > 0
  );
}

async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** PostgreSQL hands timestamps back as Date; both dialects take the ISO text (db/schema.ts). */
function portable(
  row: Record<string, unknown>,
  columns: string[],
  sealed: string[],
  reseal: CopyOptions['reseal'],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column];
    out[column] = value instanceof Date ? value.toISOString() : value;
    if (reseal && sealed.includes(column) && typeof value === 'string')
      out[column] = reseal.to.seal(reseal.from.open(value));
  }
  return out;
}

export async function copyInstallation(options: CopyOptions): Promise<CopyReport> {
  const log = options.log ?? (() => {});
  // Opening a SQLite path that does not exist would create an empty database and copy nothing.
  const sourceFile = options.from.startsWith('sqlite:') ? options.from.slice('sqlite:'.length) : undefined;
  if (sourceFile !== undefined && (sourceFile === ':memory:' || !existsSync(sourceFile))) {
    throw new CopyRefused(`no SQLite database at ${sourceFile}`);
  }
  const source = openDatabase(options.from);
  const target = openDatabase(options.to);
  try {
    await migrateToLatest(source);
    await migrateToLatest(target);
    const sourceDb = source.db as unknown as AnyDb;
    const targetDb = target.db as unknown as AnyDb;
    const tables = await tablesOf(sourceDb);
    const targetTables = new Map((await tablesOf(targetDb)).map((t) => [t.name, t.columns]));
    for (const table of tables) {
      if (!targetTables.has(table.name))
        throw new CopyRefused(`the target has no table ${table.name}: is it an Atelier database?`);
    }
    const occupied: string[] = [];
    for (const table of tables) if (await hasRows(targetDb, table.name)) occupied.push(table.name);
    if (occupied.length > 0 && !options.force) {
      throw new CopyRefused(
        `the target is not empty (${occupied.join(', ')} hold rows); pass --force to replace its contents`,
      );
    }
    if (occupied.length > 0) {
      // Children first, so no foreign key is left dangling while emptying.
      await target.transaction(async (tx) => {
        for (const table of [...tables].reverse()) await (tx as unknown as AnyDb).deleteFrom(table.name).execute();
      });
    }

    const report: CopyReport = { tables: [] };
    for (const table of tables) {
      const columns = table.columns.filter((c) => targetTables.get(table.name)!.includes(c));
      // A stable order for paging: the id where there is one, else every column.
      const order = columns.includes('id') ? ['id'] : columns;
      let copied = 0;
      await target.transaction(async (tx) => {
        const into = tx as unknown as AnyDb;
        for (let offset = 0; ; offset += BATCH) {
          let query = sourceDb.selectFrom(table.name).select(columns);
          for (const column of order) query = query.orderBy(column);
          const rows = (await query.limit(BATCH).offset(offset).execute()) as Array<Record<string, unknown>>;
          if (rows.length === 0) break;
          const sealed = SEALED_COLUMNS[table.name] ?? [];
          await into
            .insertInto(table.name)
            .values(rows.map((r) => portable(r, columns, sealed, options.reseal)))
            .execute();
          copied += rows.length;
          if (rows.length < BATCH) break;
        }
      });
      // Ids keep their values; the target's id generator must then continue after them.
      if (columns.includes('id')) await target.continueIds(table.name);
      const expected = await countRows(sourceDb, table.name);
      if (expected !== copied)
        throw new Error(
          `${table.name}: copied ${copied} rows but the source now has ${expected}; was a server still writing?`,
        );
      report.tables.push({ table: table.name, rows: copied });
      log(`${table.name}: ${copied} rows`);
    }
    return report;
  } finally {
    await source.close();
    await target.close();
  }
}
