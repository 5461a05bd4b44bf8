import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { LifecycleEngine } from './engine/engine.js';
import { loadFlavorCatalogue } from './flavors/flavor.catalogue.js';
import { bootstrapIdentity, type FirstStart } from './identity/bootstrap.js';
import { IdentityService } from './identity/identity.service.js';
import { loadSecretBox, SecretBox } from './identity/secret-box.js';
import { randomBytes } from 'node:crypto';
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
export async function openContext(
  config: Config,
  clock: Clock = systemClock,
): Promise<OpenedContext> {
  const flavors = loadFlavorCatalogue(config.flavorsFile);
  const database = openDatabase(config.databaseUrl);
  try {
    return await assembleContext(config, clock, flavors, database);
  } catch (error) {
    await database.close();
    throw error;
  }
}

type OpenedContext = { context: AppContext; database: Database; firstStart?: FirstStart; setWake(fn: () => void): void };

async function assembleContext(
  config: Config,
  clock: Clock,
  flavors: ReturnType<typeof loadFlavorCatalogue>,
  database: Database,
): Promise<OpenedContext> {
  await migrateToLatest(database);
  const identity = new IdentityService({
    database,
    clock,
    secrets: secretBoxFor(config),
    tokenTtlMs: config.tokenTtlMs,
    cacheMs: config.authCacheMs,
  });
  const firstStart = await bootstrapIdentity(config, database, identity);
  let wake = () => {};
  const context: AppContext = { config, database, clock, flavors, identity, wakeEngine: () => wake() };
  return { context, database, firstStart, setWake: (fn) => (wake = fn) };
}

/** ATELIER_SECRET_KEY, else a key file beside the SQLite database (or in ./data). */
export function secretBoxFor(config: Config): SecretBox {
  const sqlitePath = config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl.slice('sqlite:'.length) : undefined;
  if (sqlitePath === ':memory:' && !config.secretKey) return new SecretBox(randomBytes(32));
  const keyFile = sqlitePath ? join(dirname(sqlitePath), 'atelier.key') : join('data', 'atelier.key');
  return loadSecretBox(config.secretKey, keyFile);
}

/** What a first start prints once: enough to make a signed call without reading more. */
function announceFirstStart(first: FirstStart, address: string): string {
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
export async function startServer(config: Config, clock: Clock = systemClock): Promise<RunningServer> {
  const { context, database, firstStart, setWake } = await openContext(config, clock);
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
  if (firstStart) process.stdout.write(`${announceFirstStart(firstStart, address)}\n`);
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
