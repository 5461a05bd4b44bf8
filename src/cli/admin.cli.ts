import { InvalidArgumentError, type Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { MAX_QUOTA } from '../shared/limits.js';
import { boundedInteger } from './numbers.js';
import { out, printRecord } from './output.js';
import { cliConfig, withContext, withDatabase } from './session.js';

// commander turns a parser's null into '', so "default" travels as a word and
// becomes null (no override) only in the action.
const quotaValue = (text: string): number | 'default' => {
  if (text === 'default') return 'default';
  try {
    return boundedInteger(0, MAX_QUOTA)(text);
  } catch {
    throw new InvalidArgumentError(`a whole number from 0 to ${MAX_QUOTA}, or "default"`);
  }
};
const override = (value: number | 'default' | undefined) => (value === 'default' ? null : value);

/** `atelier quotas | reset | copy | export`. */
export function registerAdminCommands(program: Command): void {
  registerQuotas(program);
  registerReset(program);
  registerCopy(program);
  registerExport(program);
}

function registerQuotas(program: Command): void {
  program
    .command('quotas <project>')
    .description('show a project\'s quotas, or set its overrides ("default" removes one)')
    .option('--pool <n>', `pool quota (0–${MAX_QUOTA} or "default")`, quotaValue)
    .option('--network <n>', `network quota (0–${MAX_QUOTA} or "default")`, quotaValue)
    .option('--json', 'JSON instead of lines')
    .action((project: string, opts: { pool?: number | 'default'; network?: number | 'default'; json?: boolean }) =>
      withDatabase(async (database, config) => {
        const { listProjects, setProjectQuotas } = await import('../projects/project.service.js');
        const changing = opts.pool !== undefined || opts.network !== undefined;
        if (changing) {
          const quotas = { pool: override(opts.pool), network: override(opts.network) };
          if (!(await setProjectQuotas(database.db, project, quotas))) throw new Error(`no project ${project}`);
        }
        const row = (await listProjects(database.db)).find((p) => p.id === project);
        if (!row) throw new Error(`no project ${project}`);
        const shown = (value: number | null, fallback: number) =>
          value === null ? `${fallback} (default)` : String(value);
        if (changing && !opts.json) out(`quotas of ${project} updated`);
        printRecord(
          {
            project,
            pool: opts.json ? (row.pool_quota ?? config.quotas.pool) : shown(row.pool_quota, config.quotas.pool),
            network: opts.json
              ? (row.network_quota ?? config.quotas.network)
              : shown(row.network_quota, config.quotas.network),
          },
          { project: 'project', pool: 'pool', network: 'network' },
          opts,
        );
      }),
    );
}

function registerReset(program: Command): void {
  program
    .command('reset')
    .description("remove every network, pool, event and fault (or one project's), as POST /_atelier/reset does")
    .option('--project <id>', "only this project's resources")
    .option('--identities', 'also remove accounts, projects, users, keys and tokens (the bootstrap ones come back)')
    .option('--yes', 'do not ask for confirmation')
    .action((opts: { project?: string; identities?: boolean; yes?: boolean }) =>
      withContext(async (ctx) => {
        const what = opts.project ? `the resources of project ${opts.project}` : 'every resource of the installation';
        if (!opts.yes && !(await confirm(`Remove ${what}${opts.identities ? ' and its identities' : ''}?`)))
          throw new Error('nothing removed (give --yes to skip the question)');
        const { resetState } = await import('../admin/reset.service.js');
        const result = await resetState(
          ctx,
          {
            project: opts.project,
            keepIdentities: !opts.identities,
            reseed: false,
          },
          { info: () => {}, warn: () => {} },
        );
        const r = result.removed;
        out(
          `removed ${r.pools} pools, ${r.networks} networks, ${r.events} events, ${r.faults} faults, ${r.projects} projects`,
        );
        out('A running server sees this within a second; its lifecycle timings and clock are reset at its restart.');
      }),
    );
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function registerCopy(program: Command): void {
  program
    .command('copy')
    .description('copy every table of one installation into another database (e.g. SQLite to PostgreSQL)')
    .requiredOption('--from <url>', 'source database URL (sqlite:PATH or postgres://…); stop its servers first')
    .requiredOption('--to <url>', 'target database URL; migrated first, and refused unless empty')
    .option('--force', 'replace the contents of a non-empty target')
    .action(async (opts: { from: string; to: string; force?: boolean }) => {
      const settings = await cliConfig();
      const { copyInstallation } = await import('../db/copy.js');
      const { secretBoxFor } = await import('../identity/secret-box-for.js');
      const { loadSecretBox } = await import('../identity/secret-box.js');
      // The source keeps its own key file if it has one; the target seals with
      // ATELIER_SECRET_KEY, else with its own key file (secret-box-for.ts).
      const sourceKeyFile = opts.from.startsWith('sqlite:')
        ? join(dirname(opts.from.slice('sqlite:'.length)), 'atelier.key')
        : undefined;
      const from =
        sourceKeyFile && existsSync(sourceKeyFile) ? loadSecretBox(undefined, sourceKeyFile) : secretBoxFor(settings);
      const to = secretBoxFor({ ...settings, databaseUrl: opts.to });
      const report = await copyInstallation({ ...opts, reseal: { from, to }, log: out });
      const rows = report.tables.reduce((n, t) => n + t.rows, 0);
      out(`copied ${report.tables.length} tables, ${rows} rows`);
    });
}

function registerExport(program: Command): void {
  program
    .command('export')
    .description('write the current state in the seed-file format (docs/emulator.md)')
    .option('--file <path>', 'write here instead of stdout; .yaml/.yml writes YAML, anything else JSON')
    .option('--include-secrets', 'include the secret keys of the credentials')
    .action((opts: { file?: string; includeSecrets?: boolean }) =>
      withDatabase(async (database, config) => {
        const { exportSeed, formatSeed } = await import('../seed/seed.export.js');
        const { secretBoxFor } = await import('../identity/secret-box-for.js');
        const seed = await exportSeed(database.db, opts.includeSecrets ? { secrets: secretBoxFor(config) } : {});
        const text = formatSeed(seed, opts.file);
        if (opts.file) writeFileSync(opts.file, text, { mode: opts.includeSecrets ? 0o600 : 0o644 });
        else process.stdout.write(text);
      }),
    );
}
