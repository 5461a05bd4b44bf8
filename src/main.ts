#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, describeSettings, loadConfig, type Config } from './config.js';
import { systemClock } from './clock.js';
import { openDatabase, type Database } from './db/database.js';
import { registerIdentityCommands, registerProjectCommands, type WithIdentity } from './identity/identity.cli.js';
import { IdentityService } from './identity/identity.service.js';
import { migrateToLatest } from './db/migrate.js';
import { copyInstallation } from './db/copy.js';
import { loadSecretBox } from './identity/secret-box.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { updateProjectQuotas } from './projects/project.store.js';
import { isWorker, runPrimary, runsEngine } from './cluster.js';
import { secretBoxFor, startServer } from './server.js';
import { closeOnSignals } from './shutdown.js';
import { exportSeed, formatSeed } from './seed/seed.export.js';
import { writeFileSync } from 'node:fs';

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
    const settings = config();
    if (settings.workers > 1 && !isWorker()) {
      await runPrimary(settings, (text) => process.stdout.write(`${text}\n`));
      return;
    }
    const server = await startServer(settings, undefined, { runEngine: runsEngine() });
    // The last lines ("shut down") reach stdout before the process goes.
    closeOnSignals(server, { exit: (code) => void server.flushLogs().finally(() => process.exit(code)) });
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
  .command('copy')
  .description('copy every table of one installation into another database (e.g. SQLite to PostgreSQL)')
  .requiredOption('--from <url>', 'source database URL (sqlite:PATH or postgres://…); stop its servers first')
  .requiredOption('--to <url>', 'target database URL; migrated first, and refused unless empty')
  .option('--force', 'replace the contents of a non-empty target')
  .action(async (opts: { from: string; to: string; force?: boolean }) => {
    const settings = config();
    // The source keeps its own key file if it has one; the target seals with
    // ATELIER_SECRET_KEY, else with its own key file (server.ts secretBoxFor).
    const sourceKeyFile = opts.from.startsWith('sqlite:')
      ? join(dirname(opts.from.slice('sqlite:'.length)), 'atelier.key')
      : undefined;
    const from =
      sourceKeyFile && existsSync(sourceKeyFile) ? loadSecretBox(undefined, sourceKeyFile) : secretBoxFor(settings);
    const to = secretBoxFor({ ...settings, databaseUrl: opts.to });
    const report = await copyInstallation({
      ...opts,
      reseal: { from, to },
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const rows = report.tables.reduce((n, t) => n + t.rows, 0);
    process.stdout.write(`copied ${report.tables.length} tables, ${rows} rows\n`);
  });

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

program
  .command('export')
  .description('write the current state in the seed-file format (docs/emulator.md)')
  .option('--file <path>', 'write here instead of stdout; .yaml/.yml writes YAML, anything else JSON')
  .option('--include-secrets', 'include the secret keys of the credentials')
  .action(async (opts: { file?: string; includeSecrets?: boolean }) => {
    const settings = config();
    const seed = await withDatabase((d) =>
      exportSeed(d.db, opts.includeSecrets ? { secrets: secretBoxFor(settings) } : {}),
    );
    const text = formatSeed(seed, opts.file);
    if (opts.file) writeFileSync(opts.file, text, { mode: opts.includeSecrets ? 0o600 : 0o644 });
    else process.stdout.write(text);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
