import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import { GroupCommit } from './group-commit.js';
import { namingPool, StatementNames } from './pg-statements.js';
import { param, preparedStatement } from './prepared-read.js';
import type { DB, ProjectRow } from './schema.js';

/** A query handle: the database itself or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * The dialect seam: everything engine-specific lives behind this interface, so
 * services and stores stay dialect-free (STYLE §4).
 */
export interface Database {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<DB>;
  /**
   * Runs fn in a write transaction. SQLite takes the write lock up front
   * (BEGIN IMMEDIATE) so a read-then-write transaction can never fail to upgrade
   * its lock; PostgreSQL uses an ordinary transaction plus row locks.
   */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * Serialises writers of one project for the rest of the transaction, so a quota
   * check and the insert it guards cannot interleave with another request's.
   * Returns the project's row as it is once the lock is held (undefined: no such
   * project). On PostgreSQL the lock does not block inserts that merely refer to
   * the project (a foreign key), so work that needs no lock runs beside it.
   */
  lockProject(tx: Executor, projectId: string): Promise<ProjectRow | undefined>;
  /**
   * Serialises, for the rest of the transaction, everyone who counts or takes
   * nodes of finite-capacity flavors, across projects and replicas (decision 10).
   * Always taken after the transaction's project lock, never before, so the two
   * cannot deadlock. Reentrant within a transaction.
   */
  lockCapacity(tx: Executor): Promise<void>;
  /**
   * Runs fn while holding an installation-wide lock named `name`, so replicas
   * starting together on one PostgreSQL database (an advisory lock) do one-time
   * work such as the bootstrap one after another. SQLite serves one machine: fn
   * simply runs.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * True when transactions started together are committed together (SQLite's
   * group commit): then independent work, such as the engine's steps, is best
   * issued at once rather than one transaction after another.
   */
  readonly groupsCommits: boolean;
  /**
   * How many rows each usage counter is spread over (see quotas/usage.store.ts):
   * one where writers take turns anyway (SQLite), several where concurrent
   * transactions would otherwise queue on one row's lock (PostgreSQL).
   */
  readonly usageShards: number;
  /**
   * A read the polling paths run on every request, compiled by Kysely once and
   * then run from a prepared statement with new parameter values (in the order of
   * `query.parameters`), without building or compiling it again. It reads only
   * committed state: on SQLite through a second, read-only connection (WAL lets it
   * read beside the writer), so it can never see a transaction that is still open;
   * on PostgreSQL as a named prepared statement on any pooled connection.
   */
  prepareRead<R>(query: CompiledQuery<R>): (parameters: readonly unknown[]) => Promise<R[]>;
  /**
   * How many writes this process has made: it moves after every statement that
   * is not a SELECT and after every transaction ends (committed or not). A value
   * read while it stood at n reflects every write of this process while it still
   * stands at n; writes of other processes are not counted (see readCacheMs).
   */
  writeGeneration(): number;
  /**
   * How long a polling read may be reused while this process writes nothing
   * (ATELIER_READ_CACHE_MS): the bound on how late another process's write shows.
   */
  readonly readCacheMs: number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** See Database.readCacheMs; 0 (the default) reuses nothing. */
  readCacheMs?: number;
}

/**
 * Counts writes as they finish (Database.writeGeneration). Counting after a
 * statement inside a transaction as well as after its end is what makes the
 * count safe: a read taken before the commit is stored under a count that the
 * commit then moves on. Only queries known to be SELECTs are not counted; a
 * statement compiled earlier and run again (src/db/prepared-read.ts) counts as a
 * write, which at worst makes a reused read be read again.
 */
class WriteCounter implements KyselyPlugin {
  generation = 0;
  private readonly reads = new WeakSet<QueryId>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode') this.reads.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.reads.has(args.queryId)) this.generation += 1;
    return args.result;
  }

  /** Runs a transaction and counts its end, however it ends. */
  async around<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } finally {
      this.generation += 1;
    }
  }
}

/**
 * Thrown inside a transaction when a conditional update found the row changed by
 * another writer: the whole transaction is rolled back and run again.
 */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`${what} was changed by another writer`);
    this.name = 'WriteConflict';
  }
}

const CONFLICT_ATTEMPTS = 5;

/** PostgreSQL's deadlock and serialization failures: safe to run the transaction again. */
const isRetryableDatabaseError = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
};

/**
 * Runs a transaction again when it lost a race (a WriteConflict or a PostgreSQL
 * deadlock), a few times; after that the conflict reaches the caller, which
 * answers 409 "operations conflict".
 */
async function retryingConflicts<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const retryable = error instanceof WriteConflict || isRetryableDatabaseError(error);
      if (!retryable || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
  }
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new Error(`Unsupported database URL: ${url}`);
}

function openSqlite(path: string, options: DatabaseOptions): Database {
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
    transaction: (fn) => writes.around(() => retryingConflicts(() => groups.run(fn))),
    groupsCommits: true,
    usageShards: 1,
    // BEGIN IMMEDIATE already holds the database-wide write lock.
    lockProject: async (tx, projectId) => (await projectRow(tx, { projectId }))[0],
    async lockCapacity() {
      // Likewise: one writer at a time already.
    },
    exclusive: (_name, fn) => fn(),
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

/**
 * pg hands back int8 (bigserial ids, count(*)) and numeric (sum of integers) as
 * strings to avoid precision loss; our ids and counts stay far below 2^53, and the
 * SQLite driver answers numbers, so both dialects answer numbers.
 */
const PG_NUMBER_TYPES = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PG_NUMBER_TYPES.has(oid) && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
  // An idle connection the server closed (a restart, a failover, an administrator)
  // emits 'error' on the pool, which without a listener would end the process. The
  // pool already drops the broken client; the next query opens a fresh one.
  pool.on('error', () => {});
  const writes = new WriteCounter();
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: namingPool(pool, new StatementNames()) }),
    plugins: [writes],
  });
  return {
    kind: 'postgres',
    db,
    transaction: (fn) => writes.around(() => retryingConflicts(() => db.transaction().execute(fn))),
    groupsCommits: false,
    usageShards: 8,
    lockProject: async (tx, projectId) => (await lockedProjectRow(tx, { projectId }))[0],
    async lockCapacity(tx) {
      await sql`select pg_advisory_xact_lock(hashtext('atelier:capacity'))`.execute(tx);
    },
    // A session lock on a connection of its own: fn's queries use other connections.
    exclusive: (name, fn) =>
      db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(hashtext(${`atelier:${name}`}))`.execute(conn);
        try {
          return await fn();
        } finally {
          await sql`select pg_advisory_unlock(hashtext(${`atelier:${name}`}))`.execute(conn);
        }
      }),
    prepareRead<R>(query: CompiledQuery<R>) {
      const name = `atelier_read_${(preparedReads += 1)}`;
      return async (parameters) => (await pool.query({ name, text: query.sql, values: [...parameters] })).rows as R[];
    },
    writeGeneration: () => writes.generation,
    readCacheMs: options.readCacheMs ?? 0,
    close: () => db.destroy(),
  };
}

const projectRow = preparedStatement<{ projectId: string }, ProjectRow>((db) =>
  db.selectFrom('projects').selectAll().where('id', '=', param('projectId')),
);

// NO KEY UPDATE: inserts that merely refer to the project (a foreign key's KEY
// SHARE lock) go on beside the holder; only other lockers wait.
const lockedProjectRow = preparedStatement<{ projectId: string }, ProjectRow>((db) =>
  db.selectFrom('projects').selectAll().where('id', '=', param('projectId')).forNoKeyUpdate(),
);

/** Names of PostgreSQL prepared statements: unique per process, so per connection. */
let preparedReads = 0;

/** Timestamps go to the database as fixed-width ISO strings (see schema.ts). */
export const toDbTime = (date: Date): string => date.toISOString();

export function fromDbTime(value: string | Date): Date;
export function fromDbTime(value: string | Date | null): Date | null;
export function fromDbTime(value: string | Date | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/** True when a write failed on a unique constraint, in either dialect. */
/** A row refers to a parent that does not exist (any longer). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** A moment `seconds` after `from`, for lifecycle due times. */
export const after = (from: Date, seconds: number): Date => new Date(from.getTime() + Math.round(seconds * 1000));
