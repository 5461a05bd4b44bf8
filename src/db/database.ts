import type { CompiledQuery, Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { openPostgres, POSTGRES_ERRORS } from './postgres.js';
import type { DB, ProjectRow } from './schema.js';
import { openSqlite, SQLITE_ERRORS } from './sqlite.js';
import { errorCode } from './transactions.js';

export { deferredIn, endWith, flushDeferred, soleWriterMemo, WriteConflict, type Deferred } from './transactions.js';

/** A query handle: the database itself or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * The dialect seam: everything engine-specific lives behind this interface, one
 * file per dialect (sqlite.ts, postgres.ts), so services and stores stay
 * dialect-free (STYLE §4).
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
   * A select of rows to claim (db/claims.ts), made to lock the rows it picks for
   * the rest of the transaction and to pass over rows another transaction holds,
   * so concurrent replicas take disjoint rows without waiting on each other
   * (PostgreSQL: FOR UPDATE SKIP LOCKED). SQLite has a single writer: unchanged.
   */
  forClaim<TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Whether a claim is one statement committed alone (PostgreSQL: UPDATE … FROM
   * the forClaim select … RETURNING, one round trip) rather than the select and
   * the update in a transaction (SQLite, whose RETURNING cannot name the
   * select's columns in an UPDATE … FROM).
   */
  readonly claimsInOneStatement: boolean;
  /**
   * A select that locks the rows it reads for the rest of the transaction
   * (PostgreSQL: FOR UPDATE), so writers that must see each other's changes of
   * a row take turns. SQLite has a single writer: unchanged.
   */
  forUpdate<TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * A select that takes a shared lock on the rows it reads for the rest of the
   * transaction (PostgreSQL: FOR SHARE): many holders at once, but a writer of
   * the row waits for them all, and they for it. SQLite has a single writer:
   * unchanged.
   */
  forShare<TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Where a transaction sends a statement that must not wait for its commit:
   * one that only hands out numbers from a counter every writer shares (the
   * private IPs of a network), which the transaction would otherwise hold locked
   * to its end, queueing every other writer behind it. Such a statement commits
   * at once and is not undone when the transaction fails; what it hands out must
   * tolerate gaps. PostgreSQL: a small pool of its own connections, so a
   * transaction waiting for one never holds one another waits for. SQLite: the
   * transaction itself (one writer at a time; nothing queues on a row).
   */
  outside(tx: Executor): Executor;
  /**
   * After rows were inserted with their ids given (db/copy.ts), makes the table's
   * id generator continue after the largest of them.
   */
  continueIds(table: string): Promise<void>;
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

/** The driver error codes of a dialect for the failures the stores tell apart. */
export interface DialectErrors {
  readonly uniqueViolation: readonly string[];
  readonly foreignKeyViolation: readonly string[];
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new Error(`Unsupported database URL: ${url}`);
}

/** Timestamps go to the database as fixed-width ISO strings (see schema.ts). */
export function toDbTime(date: Date): string {
  // A transaction writes the same instant into several columns and rows (its clock
  // reading); formatting it once is a good part of a small write's own cost.
  const ms = date.getTime();
  if (ms !== lastDbTime.ms) {
    lastDbTime.text = date.toISOString();
    lastDbTime.ms = ms;
  }
  return lastDbTime.text;
}

const lastDbTime = { ms: NaN, text: '' };

export function fromDbTime(value: string | Date): Date;
export function fromDbTime(value: string | Date | null): Date | null;
export function fromDbTime(value: string | Date | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

// An error reaches a store without saying which dialect raised it; the codes of
// the two never collide, so a failure is recognised by either's.
const DIALECT_ERRORS = [SQLITE_ERRORS, POSTGRES_ERRORS];
const UNIQUE_VIOLATIONS = new Set<unknown>(DIALECT_ERRORS.flatMap((d) => d.uniqueViolation));
const FOREIGN_KEY_VIOLATIONS = new Set<unknown>(DIALECT_ERRORS.flatMap((d) => d.foreignKeyViolation));

/** A row refers to a parent that does not exist (any longer). */
export function isForeignKeyViolation(error: unknown): boolean {
  return FOREIGN_KEY_VIOLATIONS.has(errorCode(error));
}

/** A write failed on a unique constraint. */
export function isUniqueViolation(error: unknown): boolean {
  return UNIQUE_VIOLATIONS.has(errorCode(error));
}

/** A moment `seconds` after `from`, for lifecycle due times. */
export const after = (from: Date, seconds: number): Date => new Date(from.getTime() + Math.round(seconds * 1000));
