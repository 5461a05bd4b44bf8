#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, describeSettings, loadConfig, type Config } from './config.js';
import { systemClock } from './clock.js';
import { openDatabase, type Database } from './db/database.js';
import { registerIdentityCommands, registerProjectCommands, type WithIdentity } from './identity/identity.cli.js';
import { IdentityService } from './identity/identity.service.js';
import { migrateToLatest } from './db/migrate.js';
import { updateProjectQuotas } from './projects/project.store.js';
import { secretBoxFor, startServer } from './server.js';

function config(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Runs an administration command against the configured database directly. */
async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(config().databaseUrl);
  try {
    await migrateToLatest(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

const withIdentity: WithIdentity = (fn) =>
  withDatabase(async (database) => {
    const settings = config();
    const identity = new IdentityService({
      database,
      clock: systemClock,
      secrets: secretBoxFor(settings),
      tokenTtlMs: settings.tokenTtlMs,
      cacheMs: 0,
    });
    return fn(identity, database);
  });

// commander turns a parser's null into '', so "default" travels as a word and
// becomes null (no override) only in the action.
const quotaValue = (text: string): number | 'default' => {
  if (text === 'default') return 'default';
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('a whole number ≥ 0, or "default"');
  return Number(text);
};
const override = (value: number | 'default' | undefined) => (value === 'default' ? null : value);

const program = new Command('atelier').description('ModelArts Resource Management control plane');

program
  .command('serve')
  .description('start the HTTP server and the lifecycle engine')
  .action(async () => {
    const server = await startServer(config());
    const stop = async (signal: string) => {
      server.app.log.info({ signal }, 'shutting down');
      await server.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const applied = await withDatabase(migrateToLatest);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
  });

program
  .command('settings')
  .description('list every ATELIER_* setting with its default')
  .action(() => {
    for (const s of describeSettings()) process.stdout.write(`${s.name}=${s.default ?? ''}\n`);
  });

registerProjectCommands(program, withIdentity);
registerIdentityCommands(program, withIdentity);

program
  .command('quotas <project>')
  .description('set per-project quota overrides ("default" removes one)')
  .option('--pool <n>', 'pool quota', quotaValue)
  .option('--network <n>', 'network quota', quotaValue)
  .action(async (project: string, opts: { pool?: number | 'default'; network?: number | 'default' }) => {
    const quotas = { pool: override(opts.pool), network: override(opts.network) };
    const found = await withDatabase((d) => updateProjectQuotas(d.db, project, quotas));
    if (!found) {
      process.stderr.write(`no project ${project}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`quotas of ${project} updated\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
