// db/tables.ts lists every table with its room, its project scope and the order
// a reset deletes in; the migrations are what the database really holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { PARENTS_FIRST, TABLES } from '../../src/db/tables.js';
import { freshDatabase, type TestDatabase } from '../helpers/databases.js';

/** The tables the migrations made, without Kysely's own. */
async function migratedTables(database: Database): Promise<string[]> {
  const rows =
    database.kind === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(database.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(database.db);
  return rows.rows
    .map((r) => r.name)
    .filter((name) => !name.startsWith('sqlite_') && !name.startsWith('kysely_'))
    .sort();
}

/** Every foreign key the migrations made, as child table → parent table. */
async function foreignKeys(database: Database, tables: string[]): Promise<Array<{ child: string; parent: string }>> {
  if (database.kind === 'postgres') {
    const rows = await sql<{ child: string; parent: string }>`
      select distinct child.relname as child, parent.relname as parent
      from pg_constraint c
        join pg_class child on child.oid = c.conrelid
        join pg_class parent on parent.oid = c.confrelid
        join pg_namespace n on n.oid = child.relnamespace
      where c.contype = 'f' and n.nspname = current_schema()`.execute(database.db);
    return rows.rows;
  }
  const keys: Array<{ child: string; parent: string }> = [];
  for (const child of tables) {
    const rows = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${child})`.execute(
      database.db,
    );
    for (const row of rows.rows) keys.push({ child, parent: row.table });
  }
  return keys;
}

describe('the table list', () => {
  let dir: string;
  let target: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-tables-'));
    target = await freshDatabase(dir);
    database = openDatabase(target.url);
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names every table the migrations create, and nothing else, once each', async () => {
    const listed = TABLES.map((t) => t.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(await migratedTables(database));
  });

  it('puts every child before the table it refers to, so a reset deletes children first', async () => {
    const keys = await foreignKeys(database, await migratedTables(database));
    expect(keys.length).toBeGreaterThan(0);
    const position = (name: string) => TABLES.findIndex((t) => t.name === name);
    for (const { child, parent } of keys) {
      expect({ child, parent, before: position(child) < position(parent) }).toEqual({ child, parent, before: true });
    }
    expect(PARENTS_FIRST).toEqual([...TABLES.map((t) => t.name)].reverse());
  });

  it('scopes each table by a column it has, or through a parent scoped by one', async () => {
    const columns = new Map(
      (await database.db.introspection.getTables()).map((t) => [t.name, t.columns.map((c) => c.name)]),
    );
    for (const table of TABLES) {
      const scope = table.scope;
      if (scope.by === 'installation') continue;
      expect(columns.get(table.name), table.name).toContain(scope.column);
      if (scope.by === 'parent') {
        const parent = TABLES.find((t) => t.name === scope.parent);
        expect(parent?.scope.by, `${table.name} → ${scope.parent}`).toBe('column');
        expect(columns.get(scope.parent)).toContain(scope.parentKey);
      }
    }
  });
});
