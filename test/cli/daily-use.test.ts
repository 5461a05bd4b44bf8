// The command line as people use it day to day: --version, a description on every command, tables
// with headers and --json, bounded numbers, settings in effect, what migrate did, refusing to create a
// database by accident, passwords from standard input, pools and networks lists, grant, reset.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, REPO_ROOT, runCli, TempDirs } from '../identity/helpers.js';

const dirs = new TempDirs();
let dir: string;
let env: Record<string, string>;
let server: RunningServer;
let projectId: string;
let credentials: { accessKey: string; secretKey: string };

const cli = async (args: string[], options: { input?: string; env?: Record<string, string> } = {}) => {
  const res = await runCli(args, { ...env, ...options.env }, { input: options.input });
  expect(res.code, `atelier ${args.join(' ')}\n${res.stderr}`).toBe(0);
  return res.stdout;
};

beforeAll(async () => {
  dir = dirs.make('atelier-cli-');
  env = { ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`, ATELIER_AUTH_CACHE_MS: '0' };
  server = await listen(dir, {
    ...env,
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_ENGINE_INTERVAL_MS: '20',
  });
  const projects = JSON.parse(await cli(['projects', 'list', '--json']));
  projectId = projects[0].id;
  const made = await cli(['credentials', 'create', '--account', 'default', '--project', projectId]);
  credentials = {
    accessKey: /^access key\s+(\S+)$/m.exec(made)![1]!,
    secretKey: /^secret key\s+(\S+)$/m.exec(made)![1]!,
  };
}, 60_000);
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

describe('the atelier command', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect((await cli(['--version'])).trim()).toBe(version);
  });

  it('describes every command and subcommand', async () => {
    const commandLines = (help: string) => {
      const section = help.split(/^Commands:$/m)[1] ?? '';
      return section.split('\n').filter((l) => /^ {2}\S/.test(l) && !l.startsWith('  help '));
    };
    const top = commandLines(await cli(['--help']));
    expect(top.length).toBeGreaterThan(10);
    const groups = ['accounts', 'projects', 'users', 'credentials', 'tokens', 'pools', 'networks'];
    const nested = await Promise.all(groups.map(async (g) => commandLines(await cli([g, '--help']))));
    for (const line of [...top, ...nested.flat()]) expect(line, 'a command without a description').toMatch(/\S {2,}\S/);
  }, 60_000);

  it('numbers are bounded: a quota past the limit is refused before it reaches any database', async () => {
    const res = await runCli(['quotas', projectId, '--pool', '99999999999'], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/--pool.*99999999999.*a whole number from 0 to 1000000/);
    const ttl = await runCli(
      ['tokens', 'create', '--account', 'default', '--project', projectId, '--ttl-hours', '1e9'],
      env,
    );
    expect(ttl.code).not.toBe(0);
    expect(ttl.stderr).toMatch(/--ttl-hours.*a whole number from 1 to 8760/);
  });

  it('quotas without an option shows them; with one it sets and shows the override', async () => {
    expect(await cli(['quotas', projectId])).toMatch(/^pool\s+15 \(default\)$/m);
    const set = await cli(['quotas', projectId, '--pool', '7']);
    expect(set).toContain(`quotas of ${projectId} updated`);
    expect(set).toMatch(/^pool\s+7$/m);
    expect(JSON.parse(await cli(['quotas', projectId, '--json']))).toEqual({
      project: projectId,
      pool: 7,
      network: 15,
    });
    await cli(['quotas', projectId, '--pool', 'default']);
  });

  it('settings shows the values in effect, and hides secrets', async () => {
    const rows = JSON.parse(
      await cli(['settings', '--json'], {
        env: { ATELIER_POOL_QUOTA: '7', ATELIER_ADMIN_TOKEN: 'a-very-secret-admin-token' },
      }),
    );
    expect(rows).toContainEqual({ name: 'ATELIER_POOL_QUOTA', value: '7', source: 'environment' });
    expect(rows).toContainEqual({ name: 'ATELIER_NETWORK_QUOTA', value: '15', source: 'default' });
    expect(rows).toContainEqual({ name: 'ATELIER_ADMIN_TOKEN', value: '(set, hidden)', source: 'environment' });
    expect(await cli(['settings'])).toMatch(/^SETTING\s+VALUE\s+SOURCE$/m);
  });

  it('migrate says what it applied, then that nothing was left', async () => {
    const fresh = { ATELIER_DATABASE_URL: `sqlite:${join(dirs.make('atelier-migrate-'), 'atelier.db')}` };
    expect(await cli(['migrate'], { env: fresh })).toMatch(/atelier\.db: applied 0001_initial, 0002_identity/);
    expect(await cli(['migrate'], { env: fresh })).toMatch(/atelier\.db: already up to date \(latest migration \w+\)/);
  });

  it('refuses to run against a database that does not exist, and creates none', async () => {
    const elsewhere = dirs.make('atelier-elsewhere-');
    const res = await runCli(['projects', 'list'], {}, { cwd: elsewhere });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`no database at ${join(elsewhere, 'data', 'atelier.db')}`);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  });

  it('takes a password from standard input, and disables a user by name', async () => {
    const created = await cli(
      ['users', 'create', 'carol', '--account', 'default', '--password-stdin', '--project', projectId],
      { input: 'carol-password-123\n' },
    );
    expect(created).toMatch(/^created user carol \(/);
    const login = (password: string) =>
      fetch(`${server.address}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { name: 'carol', password, domain: { name: 'default' } } },
            },
            scope: { project: { id: projectId } },
          },
        }),
      });
    expect((await login('carol-password-123')).status).toBe(201);
    expect(await cli(['users', 'disable', 'carol'])).toMatch(/^disabled user carol \(/);
    expect(
      (await waitFor(() => login('carol-password-123'), { until: (r) => r.status === 401, interval: 20 })).status,
    ).toBe(401);
    // Without a terminal and without --password-stdin there is no way to ask: refused, not hung.
    const noPassword = await runCli(['users', 'create', 'dave', '--account', 'default'], env);
    expect(noPassword.code).not.toBe(0);
    expect(noPassword.stderr).toContain('--password-stdin');
  }, 30_000);

  it('lists networks and pools, grants a key another project, and resets', async () => {
    const api = ApiClient.http(server.address, projectId, credentials);
    const network = await api.post('/v1/{project_id}/networks', networkBody('cli-net'));
    expect(network.status, network.text).toBe(200);
    await waitFor(() => api.get(`/v1/{project_id}/networks/${network.body.metadata.name}`), {
      until: (r) => r.body.status.phase === 'Active',
      interval: 20,
    });
    const pool = await api.post('/v2/{project_id}/pools', poolBody(network.body.metadata.name, { name: 'cli-pool' }));
    expect(pool.status, pool.text).toBe(200);

    const networks = await cli(['networks', 'list']);
    expect(networks).toMatch(/^PROJECT\s+NAME\s+ID\s+CIDR\s+PHASE\s+CREATED$/m);
    expect(networks).toMatch(/\scli-net\s.*\s192\.168\.128\.0\/17\s+Active\s/);
    const pools = JSON.parse(await cli(['pools', 'list', '--project', projectId, '--json']));
    expect(pools).toEqual([expect.objectContaining({ name: 'cli-pool', id: pool.body.metadata.name })]);

    await cli(['projects', 'create', '--name', 'cn-east-3']);
    expect(await cli(['credentials', 'grant', credentials.accessKey, '--project', 'cn-east-3'])).toMatch(
      new RegExp(`^credential ${credentials.accessKey} may use .*${projectId}`),
    );
    const visible = await waitFor(() => api.get('/v3/projects?name=cn-east-3'), {
      until: (r) => r.body?.projects?.length === 1,
      interval: 20,
    });
    expect(visible.body.projects[0].name).toBe('cn-east-3');

    const refused = await runCli(['reset'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--yes');
    expect(await cli(['reset', '--yes'])).toMatch(/^removed 1 pools, 1 networks, \d+ events, 0 faults, 0 projects$/m);
    expect(await cli(['pools', 'list'])).toBe('(none)\n');
  }, 60_000);
});
