import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import type { IdentityService } from '../identity/identity.service.js';

// The modules behind a command are imported when it runs, not when the program starts: `atelier
// --help` or a typo should not wait for the database drivers and every service to load.

/** The configuration, or exit 2 with every problem listed (as `atelier serve` does). */
export async function cliConfig(defaults: Readonly<Record<string, string>> = {}): Promise<Config> {
  const { ConfigError, loadProcessConfig } = await import('../config.js');
  try {
    return loadProcessConfig(defaults);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Where a sqlite: URL points, made absolute; undefined for PostgreSQL and memory. */
export function sqliteFile(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  const path = url.slice('sqlite:'.length);
  return path === ':memory:' ? undefined : resolve(path);
}

/**
 * Administration commands work on an installation that exists: run elsewhere, they would open
 * (and so create) an empty SQLite database there and report on it as if it were the real one.
 */
function requireInstallation(url: string): void {
  if (url === 'sqlite::memory:')
    throw new Error('ATELIER_DATABASE_URL is sqlite::memory:, which only the server process itself can see');
  const file = sqliteFile(url);
  if (file && !existsSync(file))
    throw new Error(
      `no database at ${file} (ATELIER_DATABASE_URL=${url}).\n` +
        'Run the command where the server runs, set ATELIER_DATABASE_URL to its database, ' +
        'or create one here with `atelier migrate`.',
    );
}

/** Runs an administration command against the configured database directly. */
export async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = await cliConfig();
  requireInstallation(config.databaseUrl);
  const { openDatabase } = await import('../db/database.js');
  const { migrateToLatest } = await import('../db/migrate.js');
  const database = openDatabase(config.databaseUrl);
  try {
    // A database an older version wrote is brought up to date, as the server would at its start.
    await migrateToLatest(database);
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

export async function identityOver(database: Database, config: Config): Promise<IdentityService> {
  const { IdentityService } = await import('../identity/identity.service.js');
  const { secretBoxFor } = await import('../identity/secret-box-for.js');
  return new IdentityService({
    database,
    clock: (await import('../clock.js')).systemClock,
    secrets: secretBoxFor(config),
    tokenTtlMs: config.tokenTtlMs,
    cacheMs: 0,
  });
}

export const withIdentity = <T>(fn: (identity: IdentityService, database: Database) => Promise<T>): Promise<T> =>
  withDatabase(async (database, config) => fn(await identityOver(database, config), database));

/**
 * A context for calling services (list pools, reset) from the command line. The server builds its
 * own (server.ts contextOver); this one is imported lazily so that commands which need no
 * services do not load them.
 */
export const withContext = <T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> =>
  withDatabase(async (database, config) => {
    const { contextOver } = await import('../context-builder.js');
    const { loadFlavorCatalogue } = await import('../flavors/flavor.catalogue.js');
    const { systemClock } = await import('../clock.js');
    return fn(await contextOver(config, systemClock, loadFlavorCatalogue(config.flavorsFile), database));
  });
