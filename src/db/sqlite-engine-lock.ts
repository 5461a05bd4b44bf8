import { closeSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';

/**
 * The lease owner of the engine that holds a SQLite database's engine lock: the same name in every
 * life of the server, so a server restarted after a crash recognises the leases it held before.
 */
export const SQLITE_ENGINE_OWNER = 'sqlite-engine';

export interface EngineLock {
  /** Lets the lock go (a graceful stop); a process that dies lets it go by dying. */
  release(): void;
}

/**
 * Takes the engine lock of a SQLite database file, or answers undefined when another live process
 * holds it (or the database is in memory, where no other life can follow). The lock is an exclusive
 * SQLite lock on a file beside the database (`<file>-engine.lock`), held by a connection of its own
 * for as long as the engine runs: the kernel drops it when the process ends, however it ends, so
 * whoever takes it next knows that leases under SQLITE_ENGINE_OWNER belong to a dead process. An
 * engine without the lock (a second process on the same file) names itself uniquely and waits for
 * expiry as replicas do (db/claims.ts).
 */
export function takeEngineLock(databaseUrl: string): EngineLock | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const path = databaseUrl.slice('sqlite:'.length);
  if (path === ':memory:') return undefined;
  const lockPath = `${path}-engine.lock`;
  // Created private, as the database is (its name says where the database is; nothing more is in it).
  closeSync(openSync(lockPath, 'a', 0o600));
  const connection = new SQLite(lockPath, { timeout: 0 });
  try {
    connection.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    connection.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  return {
    release: () => {
      if (connection.open) connection.close();
    },
  };
}
