import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_MIGRATION_TABLE, sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { StorageSpace } from '../db/storage-space.js';
import { LATEST_MIGRATION } from '../db/migrate.js';
import type { LifecycleEngine } from '../engine/engine.js';
import { AtelierError } from '../errors.js';
import type { Readiness } from './health.schema.js';

/** What readiness needs to know of the engine; server.ts hands it over once the engine exists. */
export type EngineProbe = Pick<LifecycleEngine, 'isRunning' | 'lastPassAt' | 'startedAt'>;

export type CheckName = 'database' | 'migrations' | 'engine';
/**
 * `skipped`: not this process's job (an HTTP-only worker, see src/cluster.ts).
 * `reason` is what the public answer says; `error` (driver messages may name hosts) only goes to the log.
 */
export type CheckResult = { ok: true; skipped?: true } | { ok: false; reason: string; error?: unknown };

/** A check slower than this counts as failed: a load balancer must not hang on us. */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkDatabase(ctx: AppContext, storage: StorageSpace | undefined): Promise<CheckResult> {
  try {
    await withTimeout(sql`select 1`.execute(ctx.database.db), 'select 1');
    // After a change failed for want of space: ready again only once the database can grow.
    if (storage && !(await withTimeout(storage.recheck(ctx.database), 'the space probe'))) {
      return { ok: false, reason: 'database out of space' };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: 'database unreachable', error };
  }
}

/** Kysely applies migrations in name order, so the newest one recorded means all are. */
async function checkMigrations(ctx: AppContext): Promise<CheckResult> {
  try {
    const { rows } = await withTimeout(
      sql<{
        name: string;
      }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} where name = ${LATEST_MIGRATION ?? ''}`.execute(
        ctx.database.db,
      ),
      'the migration lookup',
    );
    return rows.length > 0 ? { ok: true } : { ok: false, reason: `migration ${LATEST_MIGRATION} not applied` };
  } catch (error) {
    return { ok: false, reason: 'migration table unreadable', error };
  }
}

/**
 * Running, and its passes still finish: a pass stuck longer than this (or a loop that
 * stopped scheduling itself) makes the instance unready even though the process lives.
 */
export function engineStaleAfterMs(ctx: AppContext): number {
  return Math.max(60_000, 4 * ctx.config.engineIntervalMs);
}

function checkEngine(
  ctx: AppContext,
  probe: (() => EngineProbe | undefined) | undefined,
  now = Date.now(),
): CheckResult {
  if (!probe) return { ok: true, skipped: true };
  const engine = probe();
  if (!engine || !engine.isRunning()) return { ok: false, reason: 'lifecycle engine not running' };
  const last = engine.lastPassAt() ?? engine.startedAt();
  if (last && now - last.getTime() > engineStaleAfterMs(ctx)) {
    return { ok: false, reason: `lifecycle engine has not finished a pass since ${last.toISOString()}` };
  }
  return { ok: true };
}

/**
 * /readyz: the database answers a trivial query, its schema is the one this build
 * expects, and the lifecycle engine is running — unless this process runs none
 * (`engine` undefined), then that check is skipped. Throws `notReady` naming every
 * check that failed; the underlying errors go to `log`.
 */
export async function checkReadiness(
  ctx: AppContext,
  engine: (() => EngineProbe | undefined) | undefined,
  log: Pick<FastifyBaseLogger, 'warn'>,
  storage?: StorageSpace,
): Promise<Readiness> {
  const database = await checkDatabase(ctx, storage);
  // Without a database the migration table cannot be read either; say so once.
  const migrations: CheckResult = database.ok
    ? await checkMigrations(ctx)
    : { ok: false, reason: 'migrations not checked' };
  const results: Record<CheckName, CheckResult> = { database, migrations, engine: checkEngine(ctx, engine) };
  const failed = Object.values(results).filter((r): r is Extract<CheckResult, { ok: false }> => !r.ok);
  if (failed.length > 0) {
    const reason = failed.map((r) => r.reason).join('; ');
    log.warn({ err: failed.find((r) => r.error !== undefined)?.error, reason }, 'not ready');
    throw new AtelierError('notReady', { reason });
  }
  return {
    status: 'ok',
    checks: { database: 'ok', migrations: 'ok', engine: 'skipped' in results.engine ? 'skipped' : 'ok' },
  };
}
