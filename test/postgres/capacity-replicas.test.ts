import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { networkBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { createBody, flavorEntry, mergePatch, writeFlavorsFile } from '../pools/helpers.js';
import { freePort, Replica } from './replicas.js';

/**
 * Capacity counted in nodes (decision 10) across replicas: scale-outs sent at
 * the same time to two `atelier serve` processes on one PostgreSQL database
 * never get more nodes than the flavor has, and the one that waits is admitted
 * by whichever engine sees the capacity free.
 */
const SMALL = 'atelier.test.replicas.small';
const CAPACITY = 4;

describe('the capacity queue on two replicas', () => {
  let testDb: TestDatabase;
  let flavorsFile: string;
  let replicas: Replica[] = [];
  let admin: { context: AppContext; database: Database };

  const logs = () => replicas.map((r) => r.log()).join('\n');

  beforeAll(async () => {
    testDb = await freshPostgresDatabase();
    flavorsFile = writeFlavorsFile([flavorEntry(SMALL, CAPACITY)]);
    const settings = {
      ATELIER_DATABASE_URL: testDb.url,
      ATELIER_SECRET_KEY: 'replica-test-secret-key-0123456789',
      ATELIER_BOOTSTRAP_PROJECT_ID: uniqueId('cap'),
      ATELIER_BOOTSTRAP_AK: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
      ATELIER_BOOTSTRAP_SK: randomBytes(20).toString('hex'),
      ATELIER_LOG_LEVEL: 'warn',
      ATELIER_FLAVORS_FILE: flavorsFile,
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_SCALE_SECONDS: '0',
      ATELIER_POOL_DELETE_SECONDS: '0',
      ATELIER_ENGINE_INTERVAL_MS: '50',
    };
    const ports = await Promise.all([freePort(), freePort()]);
    replicas = ports.map((port, i) => new Replica(`replica-${i}`, port, settings));
    const { ATELIER_LOG_LEVEL: _, ...adminSettings } = settings;
    const opened = await openContext(loadConfig({ ...adminSettings, ATELIER_LOG_LEVEL: 'silent' }));
    admin = { context: opened.context, database: opened.database };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await admin?.database.close();
    await testDb?.drop();
    if (flavorsFile) rmSync(dirname(flavorsFile), { recursive: true, force: true });
  });

  /** A project of its own, served by replica i. */
  async function projectOn(i: number): Promise<ApiClient> {
    const { identity } = admin.context;
    const account = await identity.requireAccount('default');
    const project = await identity.createProject(account.id, { id: uniqueId('cap') });
    const client = ApiClient.http(
      replicas[i].baseUrl,
      project.id,
      await identity.createCredential(account.id, [project.id]),
    );
    await waitFor(async () => (await client.get('/v1/{project_id}/quotas')).status === 200, {
      what: `${replicas[i].name} to serve`,
      timeout: 60_000,
      detail: logs,
    });
    return client;
  }

  async function runningPool(client: ApiClient, count: number): Promise<string> {
    const net = await client.post('/v1/{project_id}/networks', networkBody());
    expect(net.status, net.text).toBe(200);
    const network = net.body.metadata.name as string;
    await waitFor(
      async () => (await client.get(`/v1/{project_id}/networks/${network}`)).body.status.phase === 'Active',
      {
        what: 'the network to be Active',
        timeout: 30_000,
        detail: logs,
      },
    );
    const res = await client.post(
      '/v2/{project_id}/pools',
      createBody(network, { resources: [{ flavor: SMALL, count }] }),
    );
    expect(res.status, res.text).toBe(200);
    const name = res.body.metadata.name as string;
    await waitFor(async () => (await client.get(`/v2/{project_id}/pools/${name}`)).body.status?.phase === 'Running', {
      what: `pool ${name} to run`,
      timeout: 30_000,
      detail: logs,
    });
    return name;
  }

  const nodeCount = async (client: ApiClient, name: string) =>
    ((await client.get(`/v2/{project_id}/pools/${name}/nodes`)).body.items ?? []).length as number;

  it('never exceeds the capacity when two replicas take scale-outs at once, and admits the waiting one on release', async () => {
    const clients = [await projectOn(0), await projectOn(1)];
    for (let round = 0; round < 3; round += 1) {
      const pools = [await runningPool(clients[0], 1), await runningPool(clients[1], 1)];
      // Two nodes are free; each replica is asked for two more at the same instant.
      const answers = await Promise.all(
        pools.map((name, i) => mergePatch(clients[i], name, { spec: { resources: [{ flavor: SMALL, count: 3 }] } })),
      );
      for (const res of answers) expect(res.status, res.text).toBe(200);
      const counts = await Promise.all(pools.map((name, i) => nodeCount(clients[i], name)));
      expect([...counts].sort(), logs()).toEqual([1, 3]);
      // The one that got its nodes goes; the other's wait is admitted by an engine, never beyond the capacity.
      const winner = counts[0] === 3 ? 0 : 1;
      const waiter = 1 - winner;
      expect((await clients[winner].delete(`/v2/{project_id}/pools/${pools[winner]}`)).status).toBe(200);
      await waitFor(
        async () => {
          const held =
            (await nodeCount(clients[winner], pools[winner])) + (await nodeCount(clients[waiter], pools[waiter]));
          expect(held).toBeLessThanOrEqual(CAPACITY);
          return (await nodeCount(clients[waiter], pools[waiter])) === 3;
        },
        { what: 'the waiting scale-out to be admitted', timeout: 30_000, detail: logs },
      );
      expect((await clients[waiter].delete(`/v2/{project_id}/pools/${pools[waiter]}`)).status).toBe(200);
      for (const [i, name] of pools.entries()) {
        await waitFor(async () => (await clients[i].get(`/v2/{project_id}/pools/${name}`)).status === 404, {
          what: `pool ${name} to go`,
          timeout: 30_000,
          detail: logs,
        });
      }
    }
  }, 120_000);
});
