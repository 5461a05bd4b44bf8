import type { Compilable, Kysely } from 'kysely';
import type { Database } from './database.js';
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
export type PreparedRead<P extends Record<string, unknown>, R> = (database: Database, values: P) => Promise<readonly R[]> | readonly R[];

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
      const slots: Slot[] = compiled.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
      );
      const execute = database.prepareRead(compiled);
      const bind = (given: P) =>
        slots.map((slot) => {
          if (!('name' in slot)) return slot.value;
          const value = given[slot.name];
          if (value === undefined) throw new Error(`prepared read: no value for parameter ${slot.name}`);
          return value;
        });
      run = options.cached && database.readCacheMs > 0 ? cachedRun(database, execute, bind) : (given) => execute(bind(given));
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
  const entries = new Map<string, { generation: number; at: number; rows: readonly R[] }>();
  return (given) => {
    const parameters = bind(given);
    const key = parameters.join('\u0000');
    const generation = database.writeGeneration();
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && hit.generation === generation && now - hit.at < database.readCacheMs) return hit.rows;
    // The generation is taken before the read starts: a write that ends while it
    // runs moves the generation on, and the entry is never used.
    return execute(parameters).then((rows) => {
      entries.delete(key);
      if (entries.size >= CACHE_CAPACITY) entries.delete(entries.keys().next().value as string);
      entries.set(key, { generation, at: now, rows });
      return rows;
    });
  };
}
