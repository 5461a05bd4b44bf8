import { sql } from 'kysely';
import type { Database } from './database.js';

/** The first pause between attempts; it doubles up to MAX_PAUSE_MS. */
const FIRST_PAUSE_MS = 200;
const MAX_PAUSE_MS = 2_000;

/** Where the database is, without its password: for messages. */
export function describeDatabase(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured PostgreSQL server';
  }
}

/**
 * Waits until the database answers, trying again for up to `withinMs` (ATELIER_DATABASE_CONNECT_SECONDS):
 * replicas are often started beside their database (a compose file) and reach it before it accepts
 * connections. Each failed attempt is reported through `onRetry`; after the deadline the last error
 * ends the start with a message that says where the database was looked for.
 */
export async function waitForDatabase(
  database: Database,
  url: string,
  withinMs: number,
  onRetry: (message: string) => void,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await withTimeout(sql`select 1`.execute(database.db), Math.max(1_000, deadline - Date.now()));
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Could not reach the database at ${describeDatabase(url)} within ${Math.round(withinMs / 1000)} s ` +
            `(ATELIER_DATABASE_CONNECT_SECONDS), ${attempt} attempt(s): ${reason}`,
        );
      }
      onRetry(`the database at ${describeDatabase(url)} does not answer yet (${reason}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }
}

/** A connection attempt to a host that drops packets would otherwise wait for the OS's timeout. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
