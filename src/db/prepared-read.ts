import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database, Executor } from './database.js';
import { ExpiringCache } from '../shared/expiring-cache.js';
import type { DB } from './schema.js';

const MARK = '\u0000atelier-parameter:';

/**
 * A named parameter of a prepared read: a placeholder Kysely binds like any
 * value, replaced by the caller's value each time the read runs.
 */
export const param = <T = string>(name: string): T => `${MARK}${name}` as T;

type Slot = { name: string } | { value: unknown };

/**
 * A read declared once, run with values for its parameters. The rows may be
 * shared with other callers (a cached read): never change them.
 */
export type PreparedRead<P extends Record<string, unknown>, R> = (
  database: Database,
  values: P,
) => Promise<readonly R[]> | readonly R[];

export interface PreparedReadOptions {
  /**
   * Reuse the rows for the same values while this process has written nothing
   * since they were read, and for at most Database.readCacheMs: only for reads
   * whose answer depends on nothing but the database and the values.
   */
  cached?: boolean;
}

/** Distinct parameter values remembered per cached read; the oldest make room. */
const CACHE_CAPACITY = 10_000;

function slotsOf(parameters: readonly unknown[]): Slot[] {
  return parameters.map((value) =>
    typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
  );
}

function bind(slots: readonly Slot[], given: Record<string, unknown>): unknown[] {
  return slots.map((slot) => {
    if (!('name' in slot)) return slot.value;
    const value = given[slot.name];
    if (value === undefined) throw new Error(`prepared query: no value for parameter ${slot.name}`);
    return value;
  });
}

/**
 * A statement of the hot write paths (creating pools, lifecycle steps), written
 * with Kysely, compiled once per dialect and run with new values through the
 * executor it is given — inside that executor's transaction, counted by the
 * write counter like any other statement. Returns the rows, if it selects or
 * returns any.
 */
export function preparedStatement<P extends Record<string, unknown>, R = unknown>(
  build: (db: Kysely<DB>) => Compilable<R>,
): (executor: Executor, values: P) => Promise<R[]> {
  const bound = boundStatement<P, R>(build);
  return async (executor, values) => {
    const query = bound(executor, values);
    const pinned = pinnedRuns.get(executor);
    if (pinned) return pinned(query, query.parameters) as R[];
    return (await executor.executeQuery<R>(query)).rows;
  };
}

/**
 * A preparedStatement that is not run but handed back, compiled with the values
 * bound, for a caller that decides when and how it is sent (Database.endWith).
 */
export function boundStatement<P extends Record<string, unknown>, R = unknown>(
  build: (db: Kysely<DB>) => Compilable<R>,
): (executor: Executor, values: P) => CompiledQuery<R> {
  const compiled = new WeakMap<object, { query: CompiledQuery<R>; slots: Slot[] }>();
  return (executor, values) => {
    const adapter = executor.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (!entry) {
      const query = build(executor).compile();
      entry = { query, slots: slotsOf(query.parameters) };
      compiled.set(adapter, entry);
    }
    return { ...entry.query, parameters: bind(entry.slots, values) };
  };
}

/**
 * Runs a compiled statement at once on a connection its caller holds for the
 * whole of a transaction, and returns its rows (none for a statement that
 * returns none). It counts the write as the write counter would.
 */
export type PinnedRun = (query: CompiledQuery, parameters: readonly unknown[]) => unknown[];

const pinnedRuns = new WeakMap<object, PinnedRun>();

/**
 * While `executor` holds its connection (SQLite's group commit, which has pinned
 * the single connection for a whole group), every preparedStatement on it runs
 * through `run`. Kysely's executor would otherwise take each statement through
 * its connection provider's mutex, the plugins' result hooks and several promise
 * turns, which cost a good part of what the statement itself costs
 * (docs/performance.md, "SQLite lifecycles: the cost of a statement"). The
 * statement is the one Kysely compiled, with the same values.
 */
export function pinStatements(executor: object, run: PinnedRun): void {
  pinnedRuns.set(executor, run);
}

/** Ends pinStatements: statements on `executor` go through Kysely again. */
export function unpinStatements(executor: object): void {
  pinnedRuns.delete(executor);
}

/**
 * A statement whose shape depends on which columns it writes (an UPDATE of some
 * columns, an INSERT of the given ones): one preparedStatement per set of
 * columns, made the first time that set is seen. The sets come from the code
 * (each caller writes a fixed set), so there are few of them.
 */
export function preparedByColumns<R = unknown>(
  build: (db: Kysely<DB>, columns: readonly string[]) => Compilable<R>,
): (executor: Executor, values: Record<string, unknown>) => Promise<R[]> {
  const statements = new Map<string, (executor: Executor, values: Record<string, unknown>) => Promise<R[]>>();
  return (executor, values) => {
    const columns = Object.keys(values).filter((c) => values[c] !== undefined);
    const key = columns.join(',');
    let statement = statements.get(key);
    if (!statement) {
      statement = preparedStatement<Record<string, unknown>, R>((db) => build(db, columns));
      statements.set(key, statement);
    }
    return statement(executor, values);
  };
}

/**
 * A statement whose shape depends on a small key the caller names (the columns it
 * writes, how many values an IN list holds): one preparedStatement per key, made
 * the first time that key is seen. Keys come from the code, so there are few.
 */
export function preparedByShape<S, R = unknown>(
  build: (db: Kysely<DB>, shape: S) => Compilable<R>,
): (executor: Executor, key: string, shape: S, values: Record<string, unknown>) => Promise<R[]> {
  const statements = new Map<string, (executor: Executor, values: Record<string, unknown>) => Promise<R[]>>();
  return (executor, key, shape, values) => {
    let statement = statements.get(key);
    if (!statement) {
      statement = preparedStatement<Record<string, unknown>, R>((db) => build(db, shape));
      statements.set(key, statement);
    }
    return statement(executor, values);
  };
}

/** The named parameters `name0` … `name{n-1}`: an IN list of a prepared statement. */
export const paramList = <T = string>(name: string, n: number): T[] =>
  Array.from({ length: n }, (_, i) => param<T>(`${name}${i}`));

/**
 * A parameter of row `i` of a multi-row statement. Row 0 takes the plain name, so
 * the values of one row are those of the same statement written for one row.
 */
export const rowParam = <T = string>(name: string, i: number): T => param<T>(i === 0 ? name : `${name}${i}`);

/** The values of `rows` for parameters rowParam named, from each row's values by plain name. */
export function rowValues<T>(
  rows: readonly T[],
  valuesOf: (row: T) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const [name, value] of Object.entries(valuesOf(row))) out[i === 0 ? name : `${name}${i}`] = value;
  });
  return out;
}

/** The values of paramList(name, values.length). */
export function listValues(name: string, values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((value, i) => (out[`${name}${i}`] = value));
  return out;
}

/**
 * A hot read (quotas, statistics, token lookup) written with Kysely like every
 * other query but compiled once per database and run from a prepared statement
 * (Database.prepareRead): building and compiling a query costs more than
 * running it. Constants in the query stay bound as they were compiled.
 */
export function preparedRead<P extends Record<string, unknown>, R>(
  build: (db: Kysely<DB>) => Compilable<R>,
  options: PreparedReadOptions = {},
): PreparedRead<P, R> {
  const prepared = new WeakMap<Database, (values: P) => Promise<readonly R[]> | readonly R[]>();
  return (database, values) => {
    let run = prepared.get(database);
    if (!run) {
      const compiled = build(database.db).compile();
      const slots = slotsOf(compiled.parameters);
      const execute = database.prepareRead(compiled);
      const bound = (given: P) => bind(slots, given);
      run =
        options.cached && database.readCacheMs > 0
          ? cachedRun(database, execute, bound)
          : (given) => execute(bound(given));
      prepared.set(database, run);
    }
    return run(values);
  };
}

function cachedRun<P, R>(
  database: Database,
  execute: (parameters: readonly unknown[]) => Promise<R[]>,
  bind: (given: P) => unknown[],
): (given: P) => Promise<readonly R[]> | readonly R[] {
  const entries = new ExpiringCache<string, { generation: number; rows: readonly R[] }>({
    max: CACHE_CAPACITY,
    ttlMs: database.readCacheMs,
  });
  return (given) => {
    const parameters = bind(given);
    const key = parameters.join('\u0000');
    const generation = database.writeGeneration();
    const hit = entries.peek(key)?.value;
    if (hit && hit.generation === generation) return hit.rows;
    // The generation and the age are taken before the read starts: a write that ends
    // while it runs moves the generation on, and the entry is never used.
    const readAt = entries.now();
    return execute(parameters).then((rows) => {
      entries.set(key, { generation, rows }, readAt);
      return rows;
    });
  };
}
