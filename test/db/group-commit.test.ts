// SQLite commits concurrent transactions together (src/db/sqlite.ts): each still stands or
// falls alone, and none is acknowledged before the commit that makes it durable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { findAccount, insertAccount, insertUser } from '../../src/identity/identity.store.js';

describe('group commit on SQLite', () => {
  let dir: string;
  let database: Database;
  let outside: SQLite.Database;
  const committed = (name: string) => outside.prepare('select 1 from accounts where name = ?').get(name) !== undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atelier-group-'));
    database = openDatabase(`sqlite:${join(dir, 'atelier.db')}`);
    await migrateToLatest(database);
    // Another connection, as another process would read: it sees committed data only.
    outside = new SQLite(join(dir, 'atelier.db'), { readonly: true });
  });
  afterAll(async () => {
    outside.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const account = (name: string) => ({ id: `id-${name}`, name, at: new Date() });

  it('a transaction that fails in a group is undone alone; the others commit', async () => {
    const results = await Promise.allSettled([
      database.transaction((tx) => insertAccount(tx, account('g1-a'))),
      database.transaction(async (tx) => {
        await insertAccount(tx, account('g1-b'));
        throw new Error('refused');
      }),
      database.transaction((tx) => insertAccount(tx, account('g1-a'))), // a unique violation
      database.transaction((tx) => insertAccount(tx, account('g1-c'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused');
    expect(['g1-a', 'g1-b', 'g1-c'].map(committed)).toEqual([true, false, true]);
    expect(await findAccount(database.db, 'g1-b')).toBeUndefined();
  });

  it('resolves only once its writes are committed, and sees earlier writes of its group', async () => {
    const first = database.transaction(async (tx) => {
      await insertAccount(tx, account('g2-a'));
    });
    const second = database.transaction(async (tx) => (await findAccount(tx, 'g2-a'))?.name);
    expect(committed('g2-a')).toBe(false);
    await first;
    expect(committed('g2-a')).toBe(true);
    expect(await second).toBe('g2-a');
  });

  it('many concurrent transactions all commit, each exactly once', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `g3-${i}`);
    await Promise.all(names.map((name) => database.transaction((tx) => insertAccount(tx, account(name)))));
    const count = outside.prepare("select count(*) as n from accounts where name like 'g3-%'").get() as { n: number };
    expect(count.n).toBe(200);
  });

  it('a COMMIT that fails rejects every transaction of its group and acknowledges none', async () => {
    const results = await Promise.allSettled([
      database.transaction((tx) => insertAccount(tx, account('g4-a'))),
      database.transaction((tx) => insertAccount(tx, account('g4-b'))),
      // Checked only at COMMIT: a user of an account that does not exist, with the foreign keys deferred.
      database.transaction(async (tx) => {
        await sql`pragma defer_foreign_keys = on`.execute(tx);
        await insertUser(tx, {
          id: 'g4-u',
          account_id: 'no-such-account',
          name: 'g4-u',
          password_hash: 'x',
          at: new Date(),
        });
      }),
      database.transaction((tx) => insertAccount(tx, account('g4-c'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of results)
      expect((r as PromiseRejectedResult).reason.message).toMatch(/FOREIGN KEY constraint failed/);
    expect(['g4-a', 'g4-b', 'g4-c'].map(committed)).toEqual([false, false, false]);
    expect(outside.prepare("select 1 from users where id = 'g4-u'").get()).toBeUndefined();
    // The connection is usable again: the next group commits.
    await database.transaction((tx) => insertAccount(tx, account('g4-d')));
    expect(committed('g4-d')).toBe(true);
  });
});
