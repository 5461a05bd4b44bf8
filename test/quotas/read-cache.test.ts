// Polling reads (usage, failures, tokens) are reused while a process writes nothing, for at most
// ATELIER_READ_CACHE_MS (docs/performance.md): never stale after a write of the same process, and a
// write of another process shows within that bound. "Another process" here is a second context and
// application on the same database, as a second replica or worker would be.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { revokeToken } from '../../src/identity/identity.store.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';

const BOUND_MS = 400;
const QUOTAS = '/v1/{project_id}/quotas';

const networksUsed = async (client: ApiClient): Promise<number> => {
  const res = await client.get(QUOTAS);
  expect(res.status).toBe(200);
  return res.body.quotas.resources.find((r: { type: string }) => r.type === 'network').used;
};

/** Reads until `done`, returning how long that took. */
async function timeUntil(probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(probe, { what: 'the change to be seen', timeout: limitMs, interval: 10 });
  return Date.now() - started;
}

describe(`polling reads reused for at most ATELIER_READ_CACHE_MS (${BOUND_MS} ms here)`, () => {
  let writer: Harness;
  let reader: { app: FastifyInstance; database: Database };
  let readerClient: ApiClient;

  beforeAll(async () => {
    writer = await startHarness({ ATELIER_READ_CACHE_MS: String(BOUND_MS) });
    const { context, database } = await openContext(loadConfig(configEnv(writer)), writer.clock);
    reader = { app: await buildApp(context), database };
    readerClient = ApiClient.inject(reader.app, writer.projectId, writer.credentials);
  });
  afterAll(async () => {
    await reader.app.close();
    await reader.database.close();
    await writer.close();
  });

  it('a write is seen at once by the process that made it', async () => {
    for (let i = 0; i < 3; i += 1) {
      const before = await networksUsed(writer.client);
      expect((await writer.client.post('/v1/{project_id}/networks', networkBody())).status).toBe(200);
      expect(await networksUsed(writer.client)).toBe(before + 1);
    }
  });

  it('a write of another process is seen within the bound', async () => {
    const before = await networksUsed(readerClient);
    // The reader has just read: its answer is cached now. (Both share the harness's clock.)
    expect((await writer.client.post('/v1/{project_id}/networks', networkBody())).status).toBe(200);
    const waited = await timeUntil(async () => (await networksUsed(readerClient)) === before + 1, 5_000);
    expect(waited).toBeLessThanOrEqual(BOUND_MS + 150);
  });

  it('a token revoked by another process stops working within the bound; revoked here, at once', async () => {
    const account = await writer.context.identity.requireAccount('default');
    const { token, id } = await writer.context.identity.issueToken(account.id, writer.projectId);
    const viaReader = readerClient.withCredentials({ token });
    expect((await viaReader.get(QUOTAS)).status).toBe(200);
    expect(await revokeToken(writer.context.database.db, id, new Date())).toBe(true);
    const waited = await timeUntil(async () => (await viaReader.get(QUOTAS)).status === 401, 5_000);
    expect(waited).toBeLessThanOrEqual(BOUND_MS + 150);

    const second = await writer.context.identity.issueToken(account.id, writer.projectId);
    const viaWriter = writer.client.withCredentials({ token: second.token });
    expect((await viaWriter.get(QUOTAS)).status).toBe(200);
    expect(await revokeToken(writer.context.database.db, second.id, new Date())).toBe(true);
    expect((await viaWriter.get(QUOTAS)).status).toBe(401);
  });

  it('the bound is at most one second, and 0 turns reuse off', () => {
    expect(() => loadConfig({ ...configEnv(writer), ATELIER_READ_CACHE_MS: '1001' })).toThrow(/ATELIER_READ_CACHE_MS/);
    const { ATELIER_READ_CACHE_MS: _bound, ...defaults } = configEnv(writer);
    expect(loadConfig(defaults).readCacheMs).toBe(1_000);
    expect(loadConfig({ ...configEnv(writer), ATELIER_READ_CACHE_MS: '0' }).readCacheMs).toBe(0);
  });
});

/** The environment a second replica of the harness's installation would run with. */
function configEnv(h: Harness): Record<string, string> {
  return {
    ATELIER_DATABASE_URL: h.config.databaseUrl,
    ATELIER_READ_CACHE_MS: String(h.config.readCacheMs),
    ATELIER_LOG_LEVEL: 'silent',
    ...(h.config.secretKey ? { ATELIER_SECRET_KEY: h.config.secretKey } : {}),
  };
}
