import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { OffsetClock, systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { LifecycleEngine } from './engine/engine.js';
import { LifecyclePolicy } from './engine/lifecycle-policy.js';
import { applyEmulatorSettings, loadEmulatorSettings, watchEmulatorSettings } from './admin/emulator-settings.store.js';
import { loadSeedFile, type SeedSummary } from './seed/seed.loader.js';
import { loadFlavorCatalogue } from './flavors/flavor.catalogue.js';
import { bootstrapIdentity, type FirstStart } from './identity/bootstrap.js';
import { IdentityService } from './identity/identity.service.js';
import { ProjectCache } from './projects/project.cache.js';
import { Signals } from './shared/signals.js';
import { loadSecretBox, SecretBox } from './identity/secret-box.js';
import { randomBytes } from 'node:crypto';
import cluster from 'node:cluster';
import { dirname, join } from 'node:path';

export interface RunningServer {
  app: FastifyInstance;
  context: AppContext;
  engine: LifecycleEngine;
  address: string;
  close(): Promise<void>;
}

/**
 * Everything a context needs except the engine's wake-up, which is wired once
 * the engine exists. Shared by the server and the tests.
 */
export async function openContext(config: Config, clock: Clock = systemClock): Promise<OpenedContext> {
  const flavors = loadFlavorCatalogue(config.flavorsFile);
  const database = openDatabase(config.databaseUrl, { readCacheMs: config.readCacheMs });
  try {
    return await assembleContext(config, clock, flavors, database);
  } catch (error) {
    await database.close();
    throw error;
  }
}

type OpenedContext = {
  context: AppContext;
  database: Database;
  firstStart?: FirstStart;
  /** What the seed file created at this start, when one is configured and this process loaded it. */
  seeded?: SeedSummary;
  setWake(fn: () => void): void;
};

async function assembleContext(
  config: Config,
  clock: Clock,
  flavors: ReturnType<typeof loadFlavorCatalogue>,
  database: Database,
): Promise<OpenedContext> {
  await migrateToLatest(database);
  // The emulator controls may have moved the clock and changed timings before a restart.
  const clockOffset = new OffsetClock(clock);
  const lifecycle = new LifecyclePolicy(config.timings);
  applyEmulatorSettings({ lifecycle, clockOffset }, await loadEmulatorSettings(database.db));
  const identity = new IdentityService({
    database,
    clock: clockOffset,
    secrets: secretBoxFor(config),
    tokenTtlMs: config.tokenTtlMs,
    cacheMs: config.authCacheMs,
  });
  let wake = () => {};
  const projects = new ProjectCache(config.authCacheMs);
  const context: AppContext = {
    config,
    database,
    clock: clockOffset,
    flavors,
    identity,
    projects,
    lifecycle,
    clockOffset,
    wakeEngine: () => wake(),
    signals: new Signals(),
  };
  // Seed before the bootstrap: a seeded database is not a first start that needs a project printed.
  // With ATELIER_WORKERS the primary has seeded already; workers seeding at once would race,
  // and so would replicas on one PostgreSQL database without the lock.
  const seedFile = config.seedFile;
  const seeded =
    seedFile && !cluster.isWorker ? await database.exclusive('seed', () => loadSeedFile(context, seedFile)) : undefined;
  // Replicas starting together on one PostgreSQL database bootstrap one at a time.
  const firstStart = await database.exclusive('bootstrap', () => bootstrapIdentity(config, database, identity));
  return { context, database, firstStart, seeded, setWake: (fn) => (wake = fn) };
}

/** ATELIER_SECRET_KEY, else a key file beside the SQLite database (or in ./data). */
export function secretBoxFor(config: Config): SecretBox {
  const sqlitePath = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : undefined;
  if (sqlitePath === ':memory:' && !config.secretKey) return new SecretBox(randomBytes(32));
  const keyFile = sqlitePath ? join(dirname(sqlitePath), 'atelier.key') : join('data', 'atelier.key');
  return loadSecretBox(config.secretKey, keyFile);
}

/** What a first start prints once: enough to make a signed call without reading more. */
export function announceFirstStart(first: FirstStart, address: string): string {
  return [
    '',
    'Atelier created a first project and an access key for it.',
    'The secret key is shown only this once; keep it somewhere safe.',
    '',
    `  project id   ${first.projectId}`,
    `  access key   ${first.accessKey}`,
    `  secret key   ${first.secretKey}`,
    `  endpoint     ${address}`,
    '',
    'Point an SDK at the endpoint with these (see README, "First signed call").',
    '',
  ].join('\n');
}

/** config → database → migrations → app.listen → engine.start, with a graceful close. */
export async function startServer(
  config: Config,
  clock: Clock = systemClock,
  options: { runEngine?: boolean } = {},
): Promise<RunningServer> {
  const { context, database, firstStart, seeded, setWake } = await openContext(config, clock);
  // /readyz asks the engine, which logs through the app's logger: hence a getter, filled in below.
  let readinessEngine: LifecycleEngine | undefined;
  const app = await buildApp(context, {
    engine: (options.runEngine ?? true) ? () => readinessEngine : undefined,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-auth-token"]', 'req.headers["x-security-token"]'],
    },
  });
  if (seeded) app.log.info({ seedFile: config.seedFile, loaded: seeded }, 'seed file loaded');
  const engine = new LifecycleEngine(context, app.log);
  readinessEngine = engine;
  setWake(() => engine.wake());
  const address = await app.listen({ host: config.host, port: config.port });
  if (options.runEngine ?? true) engine.start();
  // Emulator settings changed through another worker reach this one (docs/emulator.md).
  const stopWatching = config.adminToken ? watchEmulatorSettings(context, 500) : () => {};
  if (firstStart) process.stdout.write(`${announceFirstStart(firstStart, address)}\n`);
  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    engine,
    address,
    close: () =>
      (closing ??= (async () => {
        // Stop accepting and drain in-flight requests first: they may still need the
        // engine's wake-ups and the database. Then let the running pass finish.
        await app.close();
        await engine.stop();
        stopWatching();
        await database.close();
      })()),
  };
}
