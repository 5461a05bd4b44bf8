import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';

interface Job {
  fn: (tx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Built once: they run for every transaction.
const BEGIN = CompiledQuery.raw('begin immediate');
const SAVEPOINT = CompiledQuery.raw('savepoint grouped');
const RELEASE = CompiledQuery.raw('release grouped');
const ROLLBACK_TO = CompiledQuery.raw('rollback to grouped');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/** Transactions committed together at most; a bound on how long the first one waits for its commit. */
const GROUP_LIMIT = 64;

/**
 * Write transactions on SQLite's single connection, committed in groups. SQLite
 * runs one writer at a time, so concurrent requests queue for the connection
 * anyway; what each would pay on its own is the commit (the WAL write and the
 * lock traffic around it), a large share of a small transaction. A group opens
 * one BEGIN IMMEDIATE, runs each queued transaction inside a savepoint — one
 * that fails is rolled back to its savepoint and rejected alone, as if it had
 * never run — and commits once. Nothing is acknowledged before that commit:
 * every transaction of the group resolves only after it, or fails with it.
 * A group starts on the event loop's next check phase (setImmediate), so every
 * request that reached its transaction during this turn's I/O joins it; those
 * that arrive while it runs join it too, up to GROUP_LIMIT.
 */
export class GroupCommit {
  private readonly queue: Job[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly db: Kysely<DB>) {}

  run<T>(fn: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.running || this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) await this.commitGroup();
    } finally {
      this.running = false;
    }
  }

  private async commitGroup(): Promise<void> {
    const ran: Array<{ job: Job; value: unknown }> = [];
    try {
      // Kysely's SQLite driver has one connection behind a mutex; pinning it keeps
      // every statement of the group inside this BEGIN IMMEDIATE.
      await this.db.connection().execute(async (conn) => {
        await conn.executeQuery(BEGIN);
        try {
          for (let n = 0; n < GROUP_LIMIT && this.queue.length > 0; n += 1) {
            const job = this.queue.shift()!;
            await conn.executeQuery(SAVEPOINT);
            try {
              const value = await job.fn(conn as Transaction<DB>);
              await conn.executeQuery(RELEASE);
              ran.push({ job, value });
            } catch (error) {
              job.reject(error);
              // Some failures (a full disk, an I/O error) end the whole transaction: then
              // this throws, and the group below is rolled back and refused.
              await conn.executeQuery(ROLLBACK_TO);
              await conn.executeQuery(RELEASE);
            }
          }
          await conn.executeQuery(COMMIT);
        } catch (error) {
          // SQLite may have rolled the transaction back already; the error that matters is the first.
          await conn.executeQuery(ROLLBACK).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      for (const { job } of ran) job.reject(error);
      return;
    }
    for (const { job, value } of ran) job.resolve(value);
  }
}
