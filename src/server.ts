import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { LifecycleEngine } from './engine/engine.js';
import { loadFlavorCatalogue } from './flavors/flavor.catalogue.js';
import { bootstrapProjects } from './projects/project.service.js';

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
export async function openContext(
  config: Config,
  clock: Clock = systemClock,
): Promise<{ context: AppContext; database: Database; setWake(fn: () => void): void }> {
  const flavors = loadFlavorCatalogue(config.flavorsFile);
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  let wake = () => {};
  const context: AppContext = { config, database, clock, flavors, wakeEngine: () => wake() };
  await bootstrapProjects(context);
  return { context, database, setWake: (fn) => (wake = fn) };
}

/** config → database → migrations → app.listen → engine.start, with a graceful close. */
export async function startServer(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const { context, database, setWake } = await openContext(config, clock);
  const app = await buildApp(context, {
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["x-auth-token"]', 'req.headers["x-security-token"]'],
    },
  });
  const engine = new LifecycleEngine(context, app.log);
  setWake(() => engine.wake());
  const address = await app.listen({ host: config.host, port: config.port });
  engine.start();
  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    engine,
    address,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await engine.stop();
        await database.close();
      })()),
  };
}
