// First start and secrets (issue items 5 and 6): what a start on an empty database creates and prints
// once, bootstrap settings applied idempotently, SKs sealed at rest with a key file (0600) or
// ATELIER_SECRET_KEY, and log lines free of secrets, signatures and tokens.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openContext, startServer, type RunningServer } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody } from '../helpers/fixtures.js';
import { sdkRequest } from '../helpers/sdk-signer.js';
import {
  expectForbidden,
  expectUnauthorized,
  QUOTAS,
  sendWire,
  serverConfig,
  ServeProcess,
  TempDirs,
} from './helpers.js';

const dirs = new TempDirs();
const running: RunningServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of running.splice(0)) await server.close();
  dirs.removeAll();
});

/** Starts a server with everything it writes to stdout and stderr captured (and kept off the test output). */
async function startCapturing(
  dir: string,
  env: Record<string, string> = {},
): Promise<{ server: RunningServer; stdout: string; stderr: string }> {
  const capture = (stream: NodeJS.WriteStream, chunks: string[]) =>
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write);
  const out: string[] = [];
  const err: string[] = [];
  const spies = [capture(process.stdout, out), capture(process.stderr, err)];
  try {
    const server = await startServer(serverConfig(dir, env));
    running.push(server);
    return { server, stdout: out.join(''), stderr: err.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

async function stop(server: RunningServer): Promise<void> {
  running.splice(running.indexOf(server), 1);
  await server.close();
}

async function rowCounts(server: RunningServer): Promise<Record<string, number>> {
  const db = server.context.database.db;
  const counts: Record<string, number> = {};
  for (const table of ['accounts', 'projects', 'credentials', 'grants', 'users', 'tokens'] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/** The bytes of the SQLite database and its WAL, to look for a secret in whatever form SQLite keeps it. */
function databaseBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir)
      .filter((f) => f.startsWith('atelier.db'))
      .map((f) => readFileSync(join(dir, f))),
  );
}

const bootstrapEnv = () => {
  const settings = {
    ATELIER_BOOTSTRAP_PROJECT_ID: randomBytes(16).toString('hex'),
    ATELIER_BOOTSTRAP_AK: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    ATELIER_BOOTSTRAP_SK: randomBytes(24).toString('base64url'),
  };
  return {
    env: settings,
    projectId: settings.ATELIER_BOOTSTRAP_PROJECT_ID,
    credentials: { accessKey: settings.ATELIER_BOOTSTRAP_AK, secretKey: settings.ATELIER_BOOTSTRAP_SK },
  };
};

describe('first start without bootstrap settings', () => {
  it('creates a project and a credential, prints them once, and a restart prints nothing', async () => {
    // A database in a directory that does not exist yet: the key file goes beside it.
    const dir = join(dirs.make(), 'data');
    const env = { ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}` };

    const first = await startCapturing(dir, env);
    // The banner goes to stderr: stdout is the JSON log stream, which collectors keep.
    const projectId = /^\s*project id\s+(\S+)$/m.exec(first.stderr)?.[1];
    const accessKey = /^\s*access key\s+(\S+)$/m.exec(first.stderr)?.[1];
    const secretKey = /^\s*secret key\s+(\S+)$/m.exec(first.stderr)?.[1];
    expect(projectId, first.stderr).toBeDefined();
    expect(accessKey).toBeDefined();
    expect(secretKey).toBeDefined();
    expect(first.stderr).toContain(`endpoint     ${first.server.address}`);
    expect(first.stderr).toContain(`console      ${first.server.address}/console/`);
    expect(first.stderr).toMatch(/^\s*project\s+cn-north-4\b/m);
    expect(first.stderr).toContain('atelier projects list');
    expect(first.stderr.split(secretKey!)).toHaveLength(2);
    expect(first.stdout).not.toContain(secretKey);
    const credentials = { accessKey: accessKey!, secretKey: secretKey! };

    const api = (server: RunningServer) => ApiClient.http(server.address, projectId!, credentials);
    expect((await api(first.server).get(QUOTAS)).status).toBe(200);
    // Named after ATELIER_REGION (default cn-north-4): an SDK client built withRegion finds it by name.
    const byName = await api(first.server).get('/v3/projects?name=cn-north-4');
    expect(byName.body.projects.map((p: { id: string }) => p.id)).toEqual([projectId]);
    expect(JSON.stringify(byName.body)).not.toContain(secretKey);

    // The key file: beside the database, owner-only.
    const keyFile = join(dir, 'atelier.key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The SK is sealed: neither the column nor any byte of the database holds it.
    const rows = await first.server.context.database.db.selectFrom('credentials').selectAll().execute();
    expect(rows.map((r) => r.access_key)).toEqual([accessKey]);
    expect(rows[0].secret_sealed).toMatch(/^v1\./);
    expect(rows[0].secret_sealed).not.toContain(secretKey);
    const before = await rowCounts(first.server);
    await stop(first.server);
    expect(databaseBytes(dir).includes(Buffer.from(secretKey!))).toBe(false);
    const key = readFileSync(keyFile, 'utf8');

    const second = await startCapturing(dir, env);
    for (const text of [second.stdout, second.stderr]) {
      expect(text).not.toContain(secretKey);
      expect(text).not.toMatch(/secret key/i);
    }
    expect((await api(second.server).get(QUOTAS)).status).toBe(200);
    expect(await rowCounts(second.server)).toEqual(before);
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
  });
});

describe('first start with ATELIER_BOOTSTRAP_*', () => {
  it('makes the project and credential exist, and a restart changes nothing', async () => {
    const dir = dirs.make();
    const { env, projectId, credentials } = bootstrapEnv();

    const first = await startCapturing(dir, env);
    expect(first.stdout + first.stderr).toBe('');
    expect((await ApiClient.http(first.server.address, projectId, credentials).get(QUOTAS)).status).toBe(200);
    const counts = await rowCounts(first.server);
    expect(counts).toMatchObject({ accounts: 1, projects: 1, credentials: 1, grants: 1 });
    const sealed = await first.server.context.database.db
      .selectFrom('credentials')
      .select('secret_sealed')
      .executeTakeFirstOrThrow();
    await stop(first.server);

    const second = await startCapturing(dir, env);
    expect(second.stdout + second.stderr).toBe('');
    expect(await rowCounts(second.server)).toEqual(counts);
    // Not even re-sealed: the row is untouched.
    expect(
      await second.server.context.database.db
        .selectFrom('credentials')
        .select('secret_sealed')
        .executeTakeFirstOrThrow(),
    ).toEqual(sealed);
    expect((await ApiClient.http(second.server.address, projectId, credentials).get(QUOTAS)).status).toBe(200);
    await stop(second.server);
    expect(databaseBytes(dir).includes(Buffer.from(credentials.secretKey))).toBe(false);
  });

  it('a changed ATELIER_BOOTSTRAP_SK replaces the secret of the same access key', async () => {
    const dir = dirs.make();
    const { env, projectId, credentials } = bootstrapEnv();
    await stop((await startCapturing(dir, env)).server);
    const rotated = randomBytes(24).toString('base64url');
    const { server } = await startCapturing(dir, { ...env, ATELIER_BOOTSTRAP_SK: rotated });
    expectUnauthorized(await ApiClient.http(server.address, projectId, credentials).get(QUOTAS));
    expect(
      (await ApiClient.http(server.address, projectId, { ...credentials, secretKey: rotated }).get(QUOTAS)).status,
    ).toBe(200);
    expect(await rowCounts(server)).toMatchObject({ accounts: 1, projects: 1, credentials: 1, grants: 1 });
  });
});

describe('ATELIER_SECRET_KEY', () => {
  it('seals SKs with the given key and writes no key file', async () => {
    const dir = dirs.make();
    const { env, projectId, credentials } = bootstrapEnv();
    const withKey = { ...env, ATELIER_SECRET_KEY: randomBytes(24).toString('base64url') };
    const first = await startCapturing(dir, withKey);
    const sealed = await first.server.context.database.db
      .selectFrom('credentials')
      .select('secret_sealed')
      .executeTakeFirstOrThrow();
    expect(sealed.secret_sealed).toMatch(/^v1\./);
    expect(sealed.secret_sealed).not.toContain(credentials.secretKey);
    await stop(first.server);
    expect(readdirSync(dir)).not.toContain('atelier.key');

    const second = await startCapturing(dir, withKey);
    expect((await ApiClient.http(second.server.address, projectId, credentials).get(QUOTAS)).status).toBe(200);
    expect(readdirSync(dir)).not.toContain('atelier.key');
    await stop(second.server);

    // Another key cannot open what the first sealed; the start says so instead of a bare GCM error.
    await expect(
      startCapturing(dir, { ...withKey, ATELIER_SECRET_KEY: randomBytes(24).toString('base64url') }),
    ).rejects.toThrow(/ATELIER_SECRET_KEY or the key file is not the one it was sealed with/);
  });
});

describe('log lines', () => {
  it('hold no secret key, Authorization value, signature, token or password', async () => {
    const dir = dirs.make();
    const { env, projectId, credentials } = bootstrapEnv();
    const password = `pw-${randomBytes(12).toString('hex')}`;
    // A user to log in with, created before the server process owns the database.
    const prepared = await openContext(serverConfig(dir, env));
    const account = await prepared.context.identity.requireAccount('default');
    await prepared.context.identity.createUser(account.id, 'logger', password, [projectId]);
    await prepared.database.close();

    const serve = new ServeProcess({
      ...env,
      ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
      ATELIER_HOST: '127.0.0.1',
      ATELIER_PORT: '0',
      ATELIER_LOG_LEVEL: 'info',
    });
    const secrets: string[] = [credentials.secretKey, password];
    try {
      const endpoint = (await serve.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1];
      const signed = async (method: string, path: string, options: { sk?: string; body?: unknown } = {}) => {
        const wire = await sdkRequest({
          method,
          url: `${endpoint}${path.replace('{project_id}', projectId)}`,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          ak: credentials.accessKey,
          sk: options.sk ?? credentials.secretKey,
        });
        secrets.push(wire.headers.Authorization, /Signature=(\w+)/.exec(wire.headers.Authorization)![1]);
        return sendWire(endpoint, wire);
      };

      expect((await signed('GET', '/v1/{project_id}/quotas')).status).toBe(200);
      expect((await signed('POST', '/v1/{project_id}/networks', { body: networkBody() })).status).toBe(200);
      const wrongSk = `${credentials.secretKey}-wrong`;
      secrets.push(wrongSk);
      expectUnauthorized(await signed('GET', '/v1/{project_id}/quotas', { sk: wrongSk }));

      const login = await sendWire(endpoint, {
        method: 'POST',
        url: '/v3/auth/tokens',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { name: 'logger', password, domain: { name: 'default' } } },
            },
            scope: { project: { id: projectId } },
          },
        }),
      });
      expect(login.status, login.text).toBe(201);
      const token = login.headers['x-subject-token'] as string;
      const bogus = `atl.${randomBytes(32).toString('base64url')}`;
      secrets.push(token, bogus);
      expect((await ApiClient.http(endpoint, projectId, { token }).get(QUOTAS)).status).toBe(200);
      expectForbidden(await ApiClient.http(endpoint, 'someone-elses-project', { token }).get(QUOTAS));
      expectUnauthorized(await ApiClient.http(endpoint, projectId, { token: bogus }).get(QUOTAS));
    } finally {
      expect(await serve.stop()).toBe(0);
    }

    const output = serve.stdout + serve.stderr;
    // Logging was on: one line per request at least.
    expect(output.match(/"msg":"request completed"/g)?.length ?? 0).toBeGreaterThanOrEqual(7);
    for (const secret of secrets) expect(output).not.toContain(secret);
  }, 60_000);
});
