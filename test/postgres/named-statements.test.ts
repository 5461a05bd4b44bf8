// PostgreSQL parses and plans a named statement once per connection: the ones
// the program sends again and again get a name (src/db/postgres.ts).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { StatementNames } from '../../src/db/postgres.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';

describe('statement names', () => {
  it('names a text the second time it is seen, and always the same way', () => {
    const names = new StatementNames();
    expect(names.nameOf('select 1')).toBeUndefined();
    const name = names.nameOf('select 1');
    expect(name).toMatch(/^atelier_\d+$/);
    expect(names.nameOf('select 1')).toBe(name);
    expect(names.nameOf('select 2')).toBeUndefined();
    expect(names.nameOf('select 2')).not.toBe(name);
  });

  it('stops naming new texts at its limit, keeping the names it gave', () => {
    const names = new StatementNames();
    const first = (names.nameOf('select 0'), names.nameOf('select 0'));
    for (let i = 1; i < 2_000; i += 1) {
      names.nameOf(`select ${i}`);
      names.nameOf(`select ${i}`);
    }
    expect(names.nameOf('select 0')).toBe(first);
    names.nameOf('select -1');
    expect(names.nameOf('select -1')).toBeUndefined();
  });
});

describe('named statements on a PostgreSQL connection', () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await freshPostgresDatabase();
    database = openDatabase(testDb.url);
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('prepares a repeated query on the connection, which answers as before', async () => {
    const prepared = await database.transaction(async (tx) => {
      const answers = [];
      for (let i = 0; i < 3; i += 1) {
        answers.push(await tx.selectFrom('projects').select('id').where('id', '=', `missing-${i}`).execute());
      }
      expect(answers).toEqual([[], [], []]);
      return sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(tx);
    });
    expect(prepared.rows).toContainEqual({
      name: expect.stringMatching(/^atelier_\d+$/),
      statement: 'select "id" from "projects" where "id" = $1',
    });
  });

  it('sends BEGIN and COMMIT unnamed: they are never prepared', async () => {
    for (let i = 0; i < 3; i += 1) await database.transaction((tx) => tx.selectFrom('projects').select('id').execute());
    const prepared = await database.transaction(
      async (tx) => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(tx)).rows,
    );
    expect(prepared.map((p) => p.statement.toLowerCase())).not.toContain('begin');
    expect(prepared.map((p) => p.statement.toLowerCase())).not.toContain('commit');
    expect(prepared.map((p) => p.statement)).toContain('select "id" from "projects"');
  });
});
