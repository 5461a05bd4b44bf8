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

/** A read declared once, run with values for its parameters. */
export type PreparedRead<P extends Record<string, unknown>, R> = (database: Database, values: P) => Promise<R[]>;

/**
 * A hot read (quotas, statistics, token lookup) written with Kysely like every
 * other query but compiled once per database and run from a prepared statement
 * (Database.prepareRead): building and compiling a query costs more than
 * running it. Constants in the query stay bound as they were compiled.
 */
export function preparedRead<P extends Record<string, unknown>, R>(build: (db: Kysely<DB>) => Compilable<R>): PreparedRead<P, R> {
  const prepared = new WeakMap<Database, (values: P) => Promise<R[]>>();
  return (database, values) => {
    let run = prepared.get(database);
    if (!run) {
      const compiled = build(database.db).compile();
      const slots: Slot[] = compiled.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
      );
      const execute = database.prepareRead(compiled);
      run = (given) =>
        execute(
          slots.map((slot) => {
            if (!('name' in slot)) return slot.value;
            const value = given[slot.name];
            if (value === undefined) throw new Error(`prepared read: no value for parameter ${slot.name}`);
            return value;
          }),
        );
      prepared.set(database, run);
    }
    return run(values);
  };
}
