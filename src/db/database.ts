import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

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
   */
  lockProject(tx: Executor, projectId: string): Promise<void>;
  close(): Promise<void>;
}

export function openDatabase(url: string): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  throw new Error(`Unsupported database URL: ${url}`);
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const native = new SQLite(path);
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('busy_timeout = 5000');
  native.pragma('foreign_keys = ON');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: native }) });
  return {
    kind: 'sqlite',
    db,
    async transaction(fn) {
      // Kysely's SQLite driver has a single connection guarded by a mutex; pinning
      // it keeps every statement of fn inside this BEGIN IMMEDIATE.
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw error;
        }
      });
    },
    async lockProject() {
      // BEGIN IMMEDIATE already holds the database-wide write lock.
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    transaction: (fn) => db.transaction().execute(fn),
    async lockProject(tx, projectId) {
      await tx.selectFrom('projects').select('id').where('id', '=', projectId).forUpdate().execute();
    },
    close: () => db.destroy(),
  };
}

/** Timestamps go to the database as fixed-width ISO strings (see schema.ts). */
export const toDbTime = (date: Date): string => date.toISOString();

export function fromDbTime(value: string | Date): Date;
export function fromDbTime(value: string | Date | null): Date | null;
export function fromDbTime(value: string | Date | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/** True when a write failed on a unique constraint, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** A moment `seconds` after `from`, for lifecycle due times. */
export const after = (from: Date, seconds: number): Date => new Date(from.getTime() + Math.round(seconds * 1000));
