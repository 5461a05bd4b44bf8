import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** A statement text is named once it has been seen this often: one-off texts stay unnamed. */
const NAME_AFTER = 2;
/** More distinct statements than the code can produce means something is wrong: name no more. */
const MAX_NAMES = 1_000;
/** Texts counted but not yet named; forgotten when full, so the count stays bounded too. */
const MAX_SEEN = 10_000;

/**
 * Gives the statements this program sends again and again a name, so each
 * PostgreSQL connection parses and plans them once instead of on every
 * execution (the server's CPU during the lifecycle benchmark). Kysely sends
 * every query as an unnamed statement; node-postgres prepares a named one once
 * per connection and reuses it. The texts come from the query builder, whose
 * shapes are bounded by the code, never from user input.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seen = new Map<string, number>();

  nameOf(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= MAX_NAMES) return name;
    const count = (this.seen.get(text) ?? 0) + 1;
    if (count < NAME_AFTER) {
      if (this.seen.size >= MAX_SEEN) this.seen.clear();
      this.seen.set(text, count);
      return undefined;
    }
    this.seen.delete(text);
    const named = `atelier_${this.names.size + 1}`;
    this.names.set(text, named);
    return named;
  }
}

/** The pool Kysely's dialect is given: pg's, with clients that name repeated statements. */
export function namingPool(pool: pg.Pool, names: StatementNames): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query: ((text: unknown, values?: readonly unknown[]) => {
          const name = typeof text === 'string' ? names.nameOf(text) : undefined;
          if (name === undefined) return (client.query as (...args: unknown[]) => unknown)(text, values);
          return client.query({ name, text: text as string, values: values as unknown[] });
        }) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}
