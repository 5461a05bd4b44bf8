import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, type Transaction } from 'kysely';
import type { Database, DatabaseOptions, DialectErrors } from './database.js';
import { param, preparedStatement } from './prepared-read.js';
import type { DB, ProjectRow } from './schema.js';
import { retryingConflicts, throwingRefusals, withDeferredWork, WriteCounter } from './transactions.js';

/**
 * The SQLite dialect (STYLE §4): WAL, a busy timeout, foreign keys on, and every
 * write transaction in BEGIN IMMEDIATE, committed in groups. One machine, one
 * writer at a time: the locks the PostgreSQL dialect takes are already held.
 */
export function openSqlite(path: string, options: DatabaseOptions): Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    // It holds sealed secret keys and password hashes. SQLite gives the WAL and shared-memory files
    // the database file's mode, so creating that one private is enough.
    closeSync(openSync(path, 'a', 0o600));
  }
  const native = new SQLite(path);
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('busy_timeout = 5000');
  native.pragma('foreign_keys = ON');
  const writes = new WriteCounter();
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: withStatementCache(native) }),
    plugins: [writes],
  });
  const groups = new GroupCommit(db);
  // Opened on the first prepared read (the command line never needs it); an
  // in-memory database has no second connection, so its reads queue behind Kysely's.
  let reader: SQLite.Database | undefined;
  const readerConnection = () => {
    if (!reader) {
      reader = new SQLite(path, { readonly: true, fileMustExist: true });
      reader.pragma('busy_timeout = 5000');
    }
    return reader;
  };
  return {
    kind: 'sqlite',
    db,
    transaction: (fn) =>
      writes.around(() =>
        throwingRefusals(() => retryingConflicts(() => groups.run((tx) => withDeferredWork(tx, fn)))),
      ),
    groupsCommits: true,
    usageShards: 1,
    // BEGIN IMMEDIATE already holds the database-wide write lock.
    lockProject: async (tx, projectId) => (await projectRow(tx, { projectId }))[0],
    async lockCapacity() {
      // Likewise: one writer at a time already.
    },
    exclusive: (_name, fn) => fn(),
    // Likewise: no other transaction can hold a row the claim picks.
    forClaim: (query) => query,
    claimsInOneStatement: false,
    forUpdate: (query) => query,
    forShare: (query) => query,
    outside: (tx) => tx,
    // An INTEGER PRIMARY KEY continues after the largest id the table holds.
    async continueIds() {},
    prepareRead<R>(query: CompiledQuery<R>) {
      if (path === ':memory:') {
        return async (parameters) => (await db.executeQuery(CompiledQuery.raw(query.sql, [...parameters]))).rows as R[];
      }
      let statement: SQLite.Statement | undefined;
      return async (parameters) => {
        statement ??= readerConnection().prepare(query.sql);
        return statement.all(...parameters) as R[];
      };
    },
    writeGeneration: () => writes.generation,
    readCacheMs: options.readCacheMs ?? 0,
    close: async () => {
      reader?.close();
      await db.destroy();
    },
  };
}

/** better-sqlite3's extended result codes for the failures the stores tell apart. */
export const SQLITE_ERRORS: DialectErrors = {
  uniqueViolation: ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
  foreignKeyViolation: ['SQLITE_CONSTRAINT_FOREIGNKEY'],
};

const projectRow = preparedStatement<{ projectId: string }, ProjectRow>((db) =>
  db.selectFrom('projects').selectAll().where('id', '=', param('projectId')),
);

/** More distinct statements than the code can produce means something is wrong; start over. */
const STATEMENT_CACHE_LIMIT = 1_000;

/**
 * Kysely's SQLite driver prepares every query anew, which costs as much as running
 * it. The driver runs one statement at a time (it holds a connection mutex), so a
 * prepared statement can be reused for every query with the same text.
 */
function withStatementCache(native: SQLite.Database): Pick<SQLite.Database, 'prepare' | 'close'> {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(source: string) {
      let statement = cache.get(source);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
        statement = native.prepare(source);
        cache.set(source, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      return native.close();
    },
  } as Pick<SQLite.Database, 'prepare' | 'close'>;
}

interface Job {
  fn: (tx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Built once: they run for every transaction.
const BEGIN = CompiledQuery.raw('begin immediate');
const SAVEPOINT = CompiledQuery.raw('savepoint grouped');
const RELEASE = CompiledQuery.raw('release grouped');
const ROLLBACK_TO = CompiledQuery.raw('rollback to grouped');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/** Transactions committed together at most; a bound on how long the first one waits for its commit. */
const GROUP_LIMIT = 64;

/**
 * Write transactions on SQLite's single connection, committed in groups. SQLite
 * runs one writer at a time, so concurrent requests queue for the connection
 * anyway; what each would pay on its own is the commit (the WAL write and the
 * lock traffic around it), a large share of a small transaction. A group opens
 * one BEGIN IMMEDIATE, runs each queued transaction inside a savepoint — one
 * that fails is rolled back to its savepoint and rejected alone, as if it had
 * never run — and commits once. Nothing is acknowledged before that commit:
 * every transaction of the group resolves only after it, or fails with it.
 * A group starts on the event loop's next check phase (setImmediate), so every
 * request that reached its transaction during this turn's I/O joins it; those
 * that arrive while it runs join it too, up to GROUP_LIMIT.
 */
export class GroupCommit {
  private readonly queue: Job[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly db: Kysely<DB>) {}

  run<T>(fn: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.running || this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) await this.commitGroup();
    } finally {
      this.running = false;
    }
  }

  private async commitGroup(): Promise<void> {
    const ran: Array<{ job: Job; value: unknown }> = [];
    try {
      // Kysely's SQLite driver has one connection behind a mutex; pinning it keeps
      // every statement of the group inside this BEGIN IMMEDIATE.
      await this.db.connection().execute(async (conn) => {
        await conn.executeQuery(BEGIN);
        try {
          for (let n = 0; n < GROUP_LIMIT && this.queue.length > 0; n += 1) {
            const job = this.queue.shift()!;
            await conn.executeQuery(SAVEPOINT);
            try {
              const value = await job.fn(conn as Transaction<DB>);
              await conn.executeQuery(RELEASE);
              ran.push({ job, value });
            } catch (error) {
              job.reject(error);
              // Some failures (a full disk, an I/O error) end the whole transaction: then
              // this throws, and the group below is rolled back and refused.
              await conn.executeQuery(ROLLBACK_TO);
              await conn.executeQuery(RELEASE);
            }
          }
          await conn.executeQuery(COMMIT);
        } catch (error) {
          // SQLite may have rolled the transaction back already; the error that matters is the first.
          await conn.executeQuery(ROLLBACK).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      for (const { job } of ran) job.reject(error);
      return;
    }
    for (const { job, value } of ran) job.resolve(value);
  }
}
