import type { Command } from 'commander';
import { boundedInteger } from '../cli/numbers.js';
import { out, printList, type ListOptions } from '../cli/output.js';
import { readPassword, type PasswordOptions } from '../cli/password.js';
import type { Database } from '../db/database.js';
import type { IdentityService } from './identity.service.js';

// Loaded when a command runs: the store brings the database drivers, which `--help` does not need.
const store = () => import('./identity.store.js');

export type WithIdentity = <T>(fn: (identity: IdentityService, database: Database) => Promise<T>) => Promise<T>;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const JSON_OPTION = ['--json', 'JSON instead of a table'] as const;
const ACCOUNT_FILTER = ['--account <account>', 'only this account (name or id)'] as const;

function fail(message: string): never {
  throw new Error(message);
}

/** `atelier accounts|users|credentials|tokens …`: administration against the configured database. */
export function registerIdentityCommands(program: Command, withIdentity: WithIdentity): void {
  registerAccountCommands(program, withIdentity);
  registerUserCommands(program, withIdentity);
  registerCredentialCommands(program, withIdentity);
  registerTokenCommands(program, withIdentity);
}

const accountFilter = async (identity: IdentityService, ref: string | undefined) =>
  ref ? (await identity.requireAccount(ref)).id : undefined;

function registerAccountCommands(program: Command, withIdentity: WithIdentity): void {
  const accounts = program.command('accounts').description('manage accounts (the owners of projects)');
  accounts
    .command('create <name>')
    .description('create an account')
    .action((name: string) =>
      withIdentity(async (identity) => {
        const account = await identity.createAccount(name);
        out(`created account ${account.name} (${account.id})`);
      }),
    );
  accounts
    .command('list')
    .description('list accounts')
    .option(...JSON_OPTION)
    .action((opts: ListOptions) =>
      withIdentity(async (_, database) => {
        const rows = (await (await store()).listAccounts(database.db)).map((a) => ({
          id: a.id,
          name: a.name,
          state: a.disabled ? 'disabled' : 'enabled',
        }));
        printList(
          rows,
          [
            ['id', 'ID'],
            ['name', 'NAME'],
            ['state', 'STATE'],
          ],
          opts,
        );
      }),
    );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    accounts
      .command(`${verb} <account>`)
      .description(`${verb} an account (name or id) and everything in it`)
      .action((ref: string) =>
        withIdentity(async (identity, database) => {
          const account = await identity.requireAccount(ref);
          await (await store()).setAccountDisabled(database.db, account.id, disabled);
          identity.forget();
          out(`${verb}d account ${account.name}`);
        }),
      );
  }
}

function registerUserCommands(program: Command, withIdentity: WithIdentity): void {
  const users = program.command('users').description('manage users who obtain tokens with a password');
  users
    .command('create <name>')
    .description('create a user; the password is asked for, or read with --password-stdin')
    .requiredOption('--account <account>', 'account name or id')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--password <password>', 'the password itself (at least 8 characters; visible in the process list)')
    .option('--project <id>', 'grant a project (repeatable)', collect, [])
    .action((name: string, opts: PasswordOptions & { account: string; project: string[] }) =>
      withIdentity(async (identity) => {
        const account = await identity.requireAccount(opts.account);
        const password = await readPassword(opts);
        const user = await identity.createUser(account.id, name, password, opts.project);
        out(`created user ${name} (${user.id}) in account ${account.name}`);
      }),
    );
  users
    .command('list')
    .description('list users and the projects they may use')
    .option(...ACCOUNT_FILTER)
    .option(...JSON_OPTION)
    .action((opts: ListOptions & { account?: string }) =>
      withIdentity(async (identity, database) => {
        const rows = [];
        for (const u of await (await store()).listUsers(database.db, await accountFilter(identity, opts.account))) {
          const projects = await (await store()).grantedProjects(database.db, 'user', u.id);
          rows.push({ id: u.id, name: u.name, state: u.disabled ? 'disabled' : 'enabled', projects });
        }
        printList(
          rows,
          [
            ['id', 'ID'],
            ['name', 'NAME'],
            ['state', 'STATE'],
            ['projects', 'PROJECTS'],
          ],
          opts,
        );
      }),
    );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(`${verb} <user>`)
      .description(`${verb} a user, by name or id (--account when the name is in several accounts)`)
      .option('--account <account>', "the user's account (name or id)")
      .action((ref: string, opts: { account?: string }) =>
        withIdentity(async (identity, database) => {
          const candidates = (
            await (await store()).listUsers(database.db, await accountFilter(identity, opts.account))
          ).filter((u) => u.id === ref || u.name === ref);
          if (candidates.length === 0) fail(`no user ${ref}`);
          if (candidates.length > 1) fail(`${candidates.length} users are named ${ref}: give --account or the id`);
          const user = candidates[0]!;
          await (await store()).setUserDisabled(database.db, user.id, disabled);
          out(`${verb}d user ${user.name} (${user.id})`);
        }),
      );
  }
}

function registerCredentialCommands(program: Command, withIdentity: WithIdentity): void {
  const credentials = program.command('credentials').description('manage AK/SK credentials');
  credentials
    .command('create')
    .description('create an access key pair granted projects (the secret key is shown once)')
    .requiredOption('--account <account>', 'account name or id')
    .requiredOption('--project <id>', 'grant a project (repeatable)', collect, [])
    .option('--description <text>', 'what it is for', '')
    .action((opts: { account: string; project: string[]; description: string }) =>
      withIdentity(async (identity) => {
        const account = await identity.requireAccount(opts.account);
        const pair = await identity.createCredential(account.id, opts.project, { description: opts.description });
        out(`access key  ${pair.accessKey}`);
        out(`secret key  ${pair.secretKey}`);
        out('The secret key is shown only this once.');
      }),
    );
  credentials
    .command('list')
    .description('list access keys and the projects they may use (never a secret key)')
    .option(...ACCOUNT_FILTER)
    .option(...JSON_OPTION)
    .action((opts: ListOptions & { account?: string }) =>
      withIdentity(async (identity, database) => {
        const rows = [];
        for (const c of await (
          await store()
        ).listCredentials(database.db, await accountFilter(identity, opts.account))) {
          const projects = await (await store()).grantedProjects(database.db, 'credential', c.access_key);
          const state = c.disabled ? 'disabled' : 'enabled';
          rows.push({ accessKey: c.access_key, state, projects, description: c.description });
        }
        printList(
          rows,
          [
            ['accessKey', 'ACCESS KEY'],
            ['state', 'STATE'],
            ['projects', 'PROJECTS'],
            ['description', 'DESCRIPTION'],
          ],
          opts,
        );
      }),
    );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    credentials
      .command(`${verb} <accessKey>`)
      .description(`${verb} an access key`)
      .action((ak: string) =>
        withIdentity(async (identity, database) => {
          if (!(await (await store()).setCredentialDisabled(database.db, ak, disabled))) fail(`no credential ${ak}`);
          identity.forget(ak);
          out(`${verb}d credential ${ak}`);
        }),
      );
  }
  credentials
    .command('delete <accessKey>')
    .description('delete an access key for good')
    .action((ak: string) =>
      withIdentity(async (identity, database) => {
        if (!(await (await store()).deleteCredential(database.db, ak))) fail(`no credential ${ak}`);
        identity.forget(ak);
        out(`deleted credential ${ak}`);
      }),
    );
}

function registerTokenCommands(program: Command, withIdentity: WithIdentity): void {
  const tokens = program.command('tokens').description('manage project-scoped tokens (X-Auth-Token)');
  tokens
    .command('create')
    .description('issue a token for a project without a user')
    .requiredOption('--account <account>', 'account name or id')
    .requiredOption('--project <id>', 'the project the token is scoped to')
    .option('--ttl-hours <hours>', 'lifetime in whole hours (1–8760)', boundedInteger(1, 8_760))
    .action((opts: { account: string; project: string; ttlHours?: number }) =>
      withIdentity(async (identity) => {
        const account = await identity.requireAccount(opts.account);
        const issued = await identity.issueToken(account.id, opts.project, {
          ttlMs: opts.ttlHours === undefined ? undefined : opts.ttlHours * 3_600_000,
        });
        out(`token       ${issued.token}`);
        out(`id          ${issued.id}`);
        out(`expires at  ${issued.expiresAt.toISOString()}`);
      }),
    );
  tokens
    .command('list')
    .description('list tokens (ids only; a token is shown once, when issued)')
    .option(...ACCOUNT_FILTER)
    .option(...JSON_OPTION)
    .action((opts: ListOptions & { account?: string }) =>
      withIdentity(async (identity, database) => {
        const rows = (await (await store()).listTokens(database.db, await accountFilter(identity, opts.account))).map(
          (t) => {
            const expires = new Date(t.expires_at);
            const state = t.revoked_at ? 'revoked' : expires < new Date() ? 'expired' : 'live';
            return { id: t.id, project: t.project_id, state, expires: expires.toISOString() };
          },
        );
        printList(
          rows,
          [
            ['id', 'ID'],
            ['project', 'PROJECT'],
            ['state', 'STATE'],
            ['expires', 'EXPIRES'],
          ],
          opts,
        );
      }),
    );
  tokens
    .command('revoke <id>')
    .description('revoke a token by its id')
    .action((id: string) =>
      withIdentity(async (_, database) => {
        if (!(await (await store()).revokeToken(database.db, id, new Date()))) fail(`no live token ${id}`);
        out(`revoked token ${id}`);
      }),
    );
}

/** `atelier projects …`. */
export function registerProjectCommands(program: Command, withIdentity: WithIdentity): void {
  const projects = program.command('projects').description('manage projects');
  projects
    .command('create [id]')
    .description('create a project (a 32-hex id is generated when none is given)')
    .option('--account <account>', 'owning account name or id', 'default')
    .option('--name <name>', 'display name; SDK clients built with a region look projects up by it')
    .action((id: string | undefined, opts: { account: string; name?: string }) =>
      withIdentity(async (identity) => {
        const account = await identity.requireAccount(opts.account);
        const project = await identity.createProject(account.id, { id, name: opts.name });
        out(`project ${project.id} (${project.name}) in account ${account.name}`);
      }),
    );
  projects
    .command('list')
    .description('list projects with their quota overrides')
    .option(...JSON_OPTION)
    .action((opts: ListOptions) =>
      withIdentity(async (_, database) => {
        const rows = (await (await import('../projects/project.service.js')).listProjects(database.db)).map((p) => ({
          id: p.id,
          name: p.name,
          poolQuota: p.pool_quota ?? 'default',
          networkQuota: p.network_quota ?? 'default',
        }));
        printList(
          rows,
          [
            ['id', 'ID'],
            ['name', 'NAME'],
            ['poolQuota', 'POOL QUOTA'],
            ['networkQuota', 'NETWORK QUOTA'],
          ],
          opts,
        );
      }),
    );
}
