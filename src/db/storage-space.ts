import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';

/** SQLITE_FULL (the file cannot grow: the disk or max_page_count) and PostgreSQL's disk_full. */
const FULL_CODES = new Set(['SQLITE_FULL', '53100']);

/** Whether a database error, or one it wraps, says the database has no room to grow. */
export function isStorageFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
  }
  return false;
}

class ProbeRolledBack extends Error {}

/**
 * Whether the database can grow again: a write transaction creates a scratch table,
 * writes 64 KiB of random bytes (incompressible, so it needs new pages) and rolls
 * back, leaving nothing behind. Throws the database's error when it still cannot.
 */
export async function probeStorageSpace(database: Database): Promise<void> {
  const table = sql.table(`atelier_space_probe_${randomBytes(6).toString('hex')}`);
  try {
    await database.transaction(async (tx) => {
      if (database.kind === 'sqlite') {
        await sql`create table ${table} (b blob)`.execute(tx);
        await sql`insert into ${table} values (randomblob(65536))`.execute(tx);
      } else {
        await sql`create table ${table} (b bytea)`.execute(tx);
        await sql`insert into ${table} select decode(string_agg(md5(random()::text), ''), 'hex') from generate_series(1, 4096)`.execute(
          tx,
        );
      }
      throw new ProbeRolledBack();
    });
  } catch (error) {
    if (!(error instanceof ProbeRolledBack)) throw error;
  }
}

/**
 * What this process knows of the database's space: set when a change failed for
 * want of it, cleared once a probe (run by /readyz) can write again. Changes are
 * never held back by it — each simply tries — so writes resume by themselves as
 * soon as space returns.
 */
export class StorageSpace {
  private fullSince: Date | undefined;

  /** `onFull` hears of each refused change (the metrics count them). */
  constructor(private readonly onFull: () => void = () => {}) {}

  markFull(now = new Date()): void {
    this.fullSince ??= now;
    this.onFull();
  }

  get full(): boolean {
    return this.fullSince !== undefined;
  }

  /** Probes when a change has failed for space; true when the database can grow (again). */
  async recheck(database: Database): Promise<boolean> {
    if (!this.fullSince) return true;
    try {
      await probeStorageSpace(database);
      this.fullSince = undefined;
      return true;
    } catch (error) {
      if (isStorageFull(error)) return false;
      throw error;
    }
  }
}
