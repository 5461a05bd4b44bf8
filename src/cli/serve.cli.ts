import { consoleUrl } from '../http/console.js';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { out, printList } from './output.js';
import { cliConfig, sqliteFile } from './session.js';

/** `atelier serve | migrate | settings`: running the server and looking at what it runs with. */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP server and the lifecycle engine (stops cleanly on SIGTERM or SIGINT)')
    .option(
      '--ephemeral',
      'an in-memory installation for CI: fixed project and key, lifecycles at once, emulator controls on',
    )
    .action(async (opts: { ephemeral?: boolean }) => {
      const { EPHEMERAL_SETTINGS } = await import('../config.js');
      const settings = await cliConfig(opts.ephemeral ? EPHEMERAL_SETTINGS : {});
      // Loaded here, not at the top: the other commands start faster without the server's modules.
      const { isWorker, runPrimary, runsEngine } = await import('../cluster.js');
      if (settings.workers > 1 && !isWorker()) {
        await runPrimary(settings, (text) => process.stderr.write(`${text}\n`));
        return;
      }
      const { startServer } = await import('../server.js');
      const { closeOnSignals } = await import('../shutdown.js');
      const server = await startServer(settings, undefined, { runEngine: runsEngine() });
      if (opts.ephemeral) process.stderr.write(ephemeralBanner(settings, server.address));
      // The last lines ("shut down") reach stdout before the process goes.
      closeOnSignals(server, { exit: (code) => void server.flushLogs().finally(() => process.exit(code)) });
    });

  program
    .command('migrate')
    .description('create the database if needed and bring its schema up to date; says what it applied')
    .action(async () => {
      const { databaseUrl } = await cliConfig();
      const file = sqliteFile(databaseUrl);
      const where = file ? `sqlite:${file}` : databaseUrl.replace(/\/\/[^@/]*@/, '//…@');
      const { openDatabase } = await import('../db/database.js');
      const { LATEST_MIGRATION, migrateToLatest } = await import('../db/migrate.js');
      const database = openDatabase(databaseUrl);
      try {
        const applied = await migrateToLatest(database);
        out(
          applied.length
            ? `${where}: applied ${applied.join(', ')}`
            : `${where}: already up to date (latest migration ${LATEST_MIGRATION})`,
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('settings')
    .description('list every ATELIER_* setting with the value in effect and where it comes from')
    .option('--ephemeral', 'as `atelier serve --ephemeral` would run')
    .option('--json', 'JSON instead of a table')
    .action(async (opts: { ephemeral?: boolean; json?: boolean }) => {
      const { EPHEMERAL_SETTINGS, effectiveSettings } = await import('../config.js');
      await cliConfig(opts.ephemeral ? EPHEMERAL_SETTINGS : {}); // reports every problem, as serve would
      const rows = effectiveSettings(opts.ephemeral ? EPHEMERAL_SETTINGS : {});
      printList(
        rows,
        [
          ['name', 'SETTING'],
          ['value', 'VALUE'],
          ['source', 'SOURCE'],
        ],
        opts,
      );
    });
}

/** The ephemeral installation's keys are not secret (they are in the README); print them for the job log. */
function ephemeralBanner(settings: Config, address: string): string {
  return [
    '',
    'Atelier is running an ephemeral installation (in memory; gone when it stops).',
    `  endpoint      ${address}`,
    `  console       ${consoleUrl(address)}`,
    `  project id    ${settings.bootstrap.projectId}`,
    `  access key    ${settings.bootstrap.accessKey}`,
    `  secret key    ${settings.bootstrap.secretKey}`,
    `  admin token   ${settings.adminToken}`,
    '',
  ].join('\n');
}
