// Administration from the command line (issue item 4): `atelier accounts|projects|users|credentials|
// tokens|quotas …` against the configured database, then a server on that database honouring it all.
// Each command is a real `src/main.ts` process; there are few of them, since each start costs a second.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { uniqueId } from '../helpers/harness.js';
import { expectUnauthorized, listen, QUOTAS, runCli, sendWire, TempDirs } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const PASSWORD = 'cli-password-1234';

describe('the administration commands', () => {
  const dirs = new TempDirs();
  let env: Record<string, string>;
  let dir: string;
  let server: RunningServer | undefined;

  const accountName = uniqueId('acme');
  const projectId = randomBytes(16).toString('hex');
  let accountId: string;
  let userId: string;
  let kept: { accessKey: string; secretKey: string };
  let deleted: { accessKey: string; secretKey: string };
  let token: { token: string; id: string };

  /** Runs one command and insists it succeeded; returns its stdout. */
  const cli = async (...args: string[]) => {
    const res = await runCli(args, env);
    expect(res.code, `atelier ${args.join(' ')}\n${res.stderr}`).toBe(0);
    return res.stdout;
  };
  const client = (credentials: { accessKey: string; secretKey: string } | { token: string }) =>
    ApiClient.http(server!.address, projectId, credentials);
  const login = () =>
    sendWire(server!.address, {
      method: 'POST',
      url: '/v3/auth/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'alice', password: PASSWORD, domain: { name: accountName } } },
          },
          scope: { project: { id: projectId } },
        },
      }),
    });

  beforeAll(() => {
    dir = dirs.make();
    env = { ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}` };
  });
  afterAll(async () => {
    await server?.close();
    dirs.removeAll();
  });

  it('creates an account, a project, a user, credentials (SK shown once), a token and quota overrides', async () => {
    // A command refuses to create a database by accident; `migrate` creates one on purpose.
    expect(await cli('migrate')).toMatch(/: applied 0001_initial, /);
    const account = /^created account (\S+) \(([0-9a-f]{32})\)$/m.exec(await cli('accounts', 'create', accountName));
    expect(account?.[1]).toBe(accountName);
    accountId = account![2];

    expect(await cli('projects', 'create', projectId, '--account', accountName, '--name', 'acme-main')).toContain(
      `project ${projectId} (acme-main) in account ${accountName}`,
    );

    const user = /^created user alice \(([0-9a-f]{32})\)/m.exec(
      await cli('users', 'create', 'alice', '--account', accountName, '--password', PASSWORD, '--project', projectId),
    );
    userId = user![1];

    const credential = async (description: string) => {
      const out = await cli(
        'credentials',
        'create',
        '--account',
        accountName,
        '--project',
        projectId,
        '--description',
        description,
      );
      const accessKey = /^access key\s+(\S+)$/m.exec(out)![1];
      const secretKey = /^secret key\s+(\S+)$/m.exec(out)![1];
      expect(out.split(secretKey)).toHaveLength(2);
      expect(out).toContain('shown only this once');
      return { accessKey, secretKey };
    };
    kept = await credential('ci runner');
    deleted = await credential('to be deleted');

    const issued = await cli('tokens', 'create', '--account', accountName, '--project', projectId);
    token = { token: /^token\s+(\S+)$/m.exec(issued)![1], id: /^id\s+(\S+)$/m.exec(issued)![1] };

    expect(await cli('quotas', projectId, '--pool', '3', '--network', '4')).toContain(`quotas of ${projectId} updated`);
  }, 60_000);

  it('a server started on that database honours all of it', async () => {
    // No cache, so the commands below take effect at once; they are still polled for.
    server = await listen(dir, { ATELIER_DATABASE_URL: env.ATELIER_DATABASE_URL, ATELIER_AUTH_CACHE_MS: '0' });
    const quotas = await client(kept).get(QUOTAS);
    expect(quotas.status, quotas.text).toBe(200);
    expect(quotas.body.quotas.resources).toEqual([
      { type: 'pool', quota: 3, used: 0 },
      { type: 'network', quota: 4, used: 0 },
    ]);
    expect((await client(deleted).get(QUOTAS)).status).toBe(200);
    expect((await client({ token: token.token }).get(QUOTAS)).status).toBe(200);
    const loggedIn = await login();
    expect(loggedIn.status, loggedIn.text).toBe(201);
    expect(loggedIn.body.token.user).toMatchObject({
      id: userId,
      name: 'alice',
      domain: { id: accountId, name: accountName },
    });
    // The CLI wrote the key file the server now shares: SKs sealed by one are opened by the other.
    const projects = await client(kept).get('/v3/projects?name=acme-main');
    expect(projects.body.projects.map((p: { id: string }) => p.id)).toEqual([projectId]);
  }, 30_000);

  it('lists accounts, credentials and tokens without any secret, as tables and as JSON', async () => {
    const [accounts, credentials, tokens, table] = await Promise.all([
      cli('accounts', 'list', '--json'),
      cli('credentials', 'list', '--account', accountName, '--json'),
      cli('tokens', 'list', '--account', accountName, '--json'),
      cli('credentials', 'list', '--account', accountName),
    ]);
    expect(JSON.parse(accounts)).toContainEqual({ id: accountId, name: accountName, state: 'enabled' });
    expect(JSON.parse(credentials)).toEqual(
      expect.arrayContaining([
        { accessKey: kept.accessKey, state: 'enabled', projects: [projectId], description: 'ci runner' },
        { accessKey: deleted.accessKey, state: 'enabled', projects: [projectId], description: 'to be deleted' },
      ]),
    );
    expect(JSON.parse(tokens)).toContainEqual({
      id: token.id,
      project: projectId,
      state: 'live',
      expires: expect.stringMatching(/^\d{4}-/),
    });
    // For people: a header, then one aligned line per key.
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ACCESS KEY\s+STATE\s+PROJECTS\s+DESCRIPTION$/);
    expect(lines.find((l) => l.startsWith(kept.accessKey))).toMatch(
      new RegExp(`^${kept.accessKey}\\s+enabled\\s+${projectId}\\s+ci runner$`),
    );
    for (const out of [accounts, credentials, tokens, table]) {
      for (const secret of [kept.secretKey, deleted.secretKey, token.token, PASSWORD])
        expect(out).not.toContain(secret);
    }
  }, 30_000);

  it('disable, delete and revoke take effect on the running server', async () => {
    expect(await cli('credentials', 'disable', kept.accessKey)).toContain(`disabled credential ${kept.accessKey}`);
    expectUnauthorized(
      await waitFor(() => client(kept).get(QUOTAS), { until: (res) => res.status === 401, interval: 20 }),
      /unknown or disabled/,
    );

    expect(await cli('credentials', 'delete', deleted.accessKey)).toContain(`deleted credential ${deleted.accessKey}`);
    expectUnauthorized(
      await waitFor(() => client(deleted).get(QUOTAS), { until: (res) => res.status === 401, interval: 20 }),
      /unknown or disabled/,
    );

    expect(await cli('tokens', 'revoke', token.id)).toContain(`revoked token ${token.id}`);
    expectUnauthorized(
      await waitFor(() => client({ token: token.token }).get(QUOTAS), {
        until: (res) => res.status === 401,
        interval: 20,
      }),
    );

    expect((await login()).status).toBe(201);
    expect(await cli('accounts', 'disable', accountName)).toContain(`disabled account ${accountName}`);
    expectUnauthorized(await waitFor(login, { until: (res) => res.status === 401, interval: 20 }));
  }, 60_000);
});
