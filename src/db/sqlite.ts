import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, type Transaction } from 'kysely';
import type { Database, DatabaseOptions, DialectErrors } from './database.js';
import { param, pinStatements, preparedStatement, unpinStatements, type PinnedRun } from './prepared-read.js';
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
  const statements = withStatementCache(native);
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: statements }),
    plugins: [writes],
  });
  const groups = new GroupCommit(db, pinnedRun(statements, writes));
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
        throwingRefusals(() =>
          retryingConflicts(() => groups.run((tx) => withDeferredWork(tx, fn, { soleWriter: true }))),
        ),
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
function withStatementCache(native: SQLite.Database): StatementCache {
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
  } as StatementCache;
}

type StatementCache = Pick<SQLite.Database, 'prepare' | 'close'>;

/**
 * A statement run as Kysely's SQLite driver runs it (the same cached statement,
 * `all` for one that returns rows, `run` otherwise), counted as the write counter
 * counts it: not a SELECT, nor a statement that changed no row.
 */
function pinnedRun(statements: StatementCache, writes: WriteCounter): PinnedRun {
  return (query, parameters) => {
    const statement = statements.prepare(query.sql);
    if (statement.reader) {
      const rows = statement.all(parameters) as unknown[];
      if (query.query.kind !== 'SelectQueryNode') writes.noteWrite();
      return rows;
    }
    if (statement.run(parameters).changes !== 0) writes.noteWrite();
    return [];
  };
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

  constructor(
    private readonly db: Kysely<DB>,
    private readonly runPinned: PinnedRun,
  ) {}

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
      // every statement of the group inside this BEGIN IMMEDIATE. The group holds it
      // throughout, so its prepared statements go straight to it (pinStatements).
      await this.db.connection().execute(async (conn) => {
        const control = (query: CompiledQuery) => this.runPinned(query, []);
        control(BEGIN);
        pinStatements(conn, this.runPinned);
        try {
          for (let n = 0; n < GROUP_LIMIT && this.queue.length > 0; n += 1) {
            const job = this.queue.shift()!;
            control(SAVEPOINT);
            try {
              const value = await job.fn(conn as Transaction<DB>);
              control(RELEASE);
              ran.push({ job, value });
            } catch (error) {
              job.reject(error);
              // Some failures (a full disk, an I/O error) end the whole transaction: then
              // this throws, and the group below is rolled back and refused.
              control(ROLLBACK_TO);
              control(RELEASE);
            }
          }
          control(COMMIT);
        } catch (error) {
          // SQLite may have rolled the transaction back already; the error that matters is the first.
          try {
            control(ROLLBACK);
          } catch {
            // Nothing to roll back.
          }
          throw error;
        } finally {
          unpinStatements(conn);
        }
      });
    } catch (error) {
      for (const { job } of ran) job.reject(error);
      return;
    }
    for (const { job, value } of ran) job.resolve(value);
  }
}
