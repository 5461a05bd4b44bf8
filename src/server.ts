import { consoleUrl } from './http/console.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { waitForDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { LifecycleEngine } from './engine/engine.js';
import { watchEmulatorSettings } from './admin/emulator-settings.store.js';
import { contextOver } from './context-builder.js';
import { loadSeedFile, type SeedSummary } from './seed/seed.loader.js';
import { loadFlavorCatalogue } from './flavors/flavor.catalogue.js';
import { bootstrapIdentity, type FirstStart } from './identity/bootstrap.js';
import { LogDestination } from './log-destination.js';
import cluster from 'node:cluster';

export interface RunningServer {
  app: FastifyInstance;
  context: AppContext;
  engine: LifecycleEngine;
  address: string;
  close(): Promise<void>;
  /** Waits (at most `timeoutMs`) until the log lines written so far have reached stdout. */
  flushLogs(timeoutMs?: number): Promise<void>;
}

/**
 * Everything a context needs except the engine's wake-up, which is wired once
 * the engine exists. Shared by the server and the tests.
 */
export async function openContext(config: Config, clock: Clock = systemClock): Promise<OpenedContext> {
  const flavors = loadFlavorCatalogue(config.flavorsFile);
  const database = openDatabase(config.databaseUrl, { readCacheMs: config.readCacheMs });
  try {
    await waitForDatabase(database, config.databaseUrl, config.databaseConnectMs, (message) =>
      process.stderr.write(`${message}\n`),
    );
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
  let wake = () => {};
  const context = await contextOver(config, clock, flavors, database, () => wake());
  // Seed before the bootstrap: a seeded database is not a first start that needs a project printed.
  // With ATELIER_WORKERS the primary has seeded already; workers seeding at once would race,
  // and so would replicas on one PostgreSQL database without the lock.
  const seedFile = config.seedFile;
  const seeded =
    seedFile && !cluster.isWorker ? await database.exclusive('seed', () => loadSeedFile(context, seedFile)) : undefined;
  // Replicas starting together on one PostgreSQL database bootstrap one at a time.
  const firstStart = await database.exclusive('bootstrap', () => bootstrapIdentity(config, database, context.identity));
  return { context, database, firstStart, seeded, setWake: (fn) => (wake = fn) };
}

export { secretBoxFor } from './identity/secret-box-for.js';

/**
 * What a first start prints once, to stderr: enough to make a signed call without reading more.
 * Not stdout, which carries the JSON log lines that collectors keep and `| jq` parses.
 */
export function announceFirstStart(first: FirstStart, address: string): string {
  return [
    '',
    'Atelier created a first project and an access key for it.',
    'The secret key is shown only this once; keep it somewhere safe.',
    '',
    `  project id   ${first.projectId}`,
    `  project      ${first.projectName}   (the region name an SDK client looks the project up by)`,
    `  access key   ${first.accessKey}`,
    `  secret key   ${first.secretKey}`,
    `  endpoint     ${address}`,
    `  console      ${consoleUrl(address)}   (sign in there with the access key and secret key)`,
    '',
    'Find the project again with `atelier projects list`; make another key with `atelier credentials create`.',
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
  const readiness: { engine?: LifecycleEngine } = {};
  // stdout, never blocking a request; lost lines are counted in the metrics (docs/operations.md, "Logs").
  const logs = new LogDestination(1, { onDrop: (lines) => context.signals.emit('logLinesDropped', lines) });
  const app = await buildApp(context, {
    engine: (options.runEngine ?? true) ? () => readiness.engine : undefined,
    logger: {
      stream: logs,
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-auth-token"]', 'req.headers["x-security-token"]'],
    },
  });
  if (seeded) app.log.info({ seedFile: config.seedFile, loaded: seeded }, 'seed file loaded');
  const engine = new LifecycleEngine(context, app.log);
  readiness.engine = engine;
  setWake(() => engine.wake());
  const address = await app.listen({ host: config.host, port: config.port });
  if (options.runEngine ?? true) engine.start();
  // Emulator settings changed through another worker reach this one (docs/emulator.md).
  const stopWatching = config.adminToken ? watchEmulatorSettings(context, 500) : () => {};
  if (firstStart) process.stderr.write(`${announceFirstStart(firstStart, address)}\n`);
  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    engine,
    address,
    flushLogs: (timeoutMs = 1_000) => logs.flush(timeoutMs),
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
