import type { Command } from 'commander';
import type { Database } from '../db/database.js';
import { fromDbTime } from '../db/database.js';
import { listProjects } from '../projects/project.service.js';
import type { IdentityService } from './identity.service.js';
import {
  deleteCredential,
  listAccounts,
  listCredentials,
  listTokens,
  listUsers,
  revokeToken,
  setAccountDisabled,
  setCredentialDisabled,
  setUserDisabled,
  grantedProjects,
} from './identity.store.js';

export type WithIdentity = <T>(fn: (identity: IdentityService, database: Database) => Promise<T>) => Promise<T>;

const out = (line: string) => process.stdout.write(`${line}\n`);
const collect = (value: string, previous: string[] = []) => [...previous, value];

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

/** `atelier accounts create|list|disable|enable`. */
function registerAccountCommands(program: Command, withIdentity: WithIdentity): void {
  const accounts = program.command('accounts').description('manage accounts (the owners of projects)');
  accounts.command('create <name>').action((name: string) =>
    withIdentity(async (identity) => {
      const account = await identity.createAccount(name);
      out(`created account ${account.name} (${account.id})`);
    }),
  );
  accounts.command('list').action(() =>
    withIdentity(async (_, database) => {
      for (const a of await listAccounts(database.db))
        out(`${a.id}\t${a.name}\t${a.disabled ? 'disabled' : 'enabled'}`);
    }),
  );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    accounts.command(`${verb} <account>`).action((ref: string) =>
      withIdentity(async (identity, database) => {
        const account = await identity.requireAccount(ref);
        await setAccountDisabled(database.db, account.id, disabled);
        identity.forget();
        out(`${verb}d account ${account.name}`);
      }),
    );
  }
}

/** `atelier users create|list|disable|enable`. */
function registerUserCommands(program: Command, withIdentity: WithIdentity): void {
  const users = program.command('users').description('manage users who obtain tokens with a password');
  users
    .command('create <name>')
    .requiredOption('--account <account>', 'account name or id')
    .requiredOption('--password <password>', 'at least 8 characters')
    .option('--project <id>', 'grant a project (repeatable)', collect, [])
    .action((name: string, opts: { account: string; password: string; project: string[] }) =>
      withIdentity(async (identity) => {
        const account = await identity.requireAccount(opts.account);
        const user = await identity.createUser(account.id, name, opts.password, opts.project);
        out(`created user ${name} (${user.id}) in account ${account.name}`);
      }),
    );
  users
    .command('list')
    .option('--account <account>')
    .action((opts: { account?: string }) =>
      withIdentity(async (identity, database) => {
        const accountId = opts.account ? (await identity.requireAccount(opts.account)).id : undefined;
        for (const u of await listUsers(database.db, accountId)) {
          const projects = await grantedProjects(database.db, 'user', u.id);
          out(`${u.id}\t${u.name}\t${u.disabled ? 'disabled' : 'enabled'}\t${projects.join(',')}`);
        }
      }),
    );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users.command(`${verb} <id>`).action((id: string) =>
      withIdentity(async (_, database) => {
        if (!(await setUserDisabled(database.db, id, disabled))) fail(`no user ${id}`);
        out(`${verb}d user ${id}`);
      }),
    );
  }
}

/** `atelier credentials create|list|disable|enable|delete`. */
function registerCredentialCommands(program: Command, withIdentity: WithIdentity): void {
  const credentials = program.command('credentials').description('manage AK/SK credentials');
  credentials
    .command('create')
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
    .option('--account <account>')
    .action((opts: { account?: string }) =>
      withIdentity(async (identity, database) => {
        const accountId = opts.account ? (await identity.requireAccount(opts.account)).id : undefined;
        for (const c of await listCredentials(database.db, accountId)) {
          const projects = await grantedProjects(database.db, 'credential', c.access_key);
          out(`${c.access_key}\t${c.disabled ? 'disabled' : 'enabled'}\t${projects.join(',')}\t${c.description}`);
        }
      }),
    );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    credentials.command(`${verb} <accessKey>`).action((ak: string) =>
      withIdentity(async (identity, database) => {
        if (!(await setCredentialDisabled(database.db, ak, disabled))) fail(`no credential ${ak}`);
        identity.forget(ak);
        out(`${verb}d credential ${ak}`);
      }),
    );
  }
  credentials.command('delete <accessKey>').action((ak: string) =>
    withIdentity(async (identity, database) => {
      if (!(await deleteCredential(database.db, ak))) fail(`no credential ${ak}`);
      identity.forget(ak);
      out(`deleted credential ${ak}`);
    }),
  );
}

/** `atelier tokens create|list|revoke`. */
function registerTokenCommands(program: Command, withIdentity: WithIdentity): void {
  const tokens = program.command('tokens').description('manage project-scoped tokens (X-Auth-Token)');
  tokens
    .command('create')
    .requiredOption('--account <account>', 'account name or id')
    .requiredOption('--project <id>', 'the project the token is scoped to')
    .option('--ttl-hours <hours>', 'lifetime', (v) => Number(v))
    .action((opts: { account: string; project: string; ttlHours?: number }) =>
      withIdentity(async (identity) => {
        const account = await identity.requireAccount(opts.account);
        if (opts.ttlHours !== undefined && !(opts.ttlHours > 0)) fail('--ttl-hours must be a positive number');
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
    .option('--account <account>')
    .action((opts: { account?: string }) =>
      withIdentity(async (identity, database) => {
        const accountId = opts.account ? (await identity.requireAccount(opts.account)).id : undefined;
        for (const t of await listTokens(database.db, accountId)) {
          const state = t.revoked_at ? 'revoked' : fromDbTime(t.expires_at) < new Date() ? 'expired' : 'live';
          out(`${t.id}\t${t.project_id}\t${state}\texpires ${fromDbTime(t.expires_at).toISOString()}`);
        }
      }),
    );
  tokens.command('revoke <id>').action((id: string) =>
    withIdentity(async (_, database) => {
      if (!(await revokeToken(database.db, id, new Date()))) fail(`no live token ${id}`);
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
  projects.command('list').action(() =>
    withIdentity(async (_, database) => {
      for (const p of await listProjects(database.db)) {
        out(
          `${p.id}\t${p.name}\tpool quota ${p.pool_quota ?? 'default'}\tnetwork quota ${p.network_quota ?? 'default'}`,
        );
      }
    }),
  );
}
