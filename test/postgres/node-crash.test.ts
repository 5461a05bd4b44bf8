// SIGKILL of one of two replicas on one PostgreSQL database while a pool's 100
// nodes are being created, then while a scale-out adds 100 more: the other replica
// takes the nodes over once their leases expire, each node comes up once, the
// roll-up is one chain and node_counts equal the nodes.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { ApiClient } from '../helpers/client.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { expectNodesConsistent, rollUp } from '../engine/node-checks.js';
import { freePort, Replica } from './replicas.js';

const FLAVOR = 'modelarts.vm.cpu.8ud';

describe('two replicas, one killed while nodes are being created (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let database: Database;
  const replicas: Replica[] = [];
  const projectId = uniqueId('pgnodecrash');
  const credentials = {
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
  };
  let settings: Record<string, string>;
  const logs = () => replicas.map((r) => r.log()).join('\n');

  async function replica(name: string): Promise<{ replica: Replica; client: ApiClient }> {
    const r = new Replica(name, await freePort(), settings);
    replicas.push(r);
    const client = ApiClient.http(r.baseUrl, projectId, credentials);
    await waitFor(async () => (await client.get('/v1/{project_id}/quotas')).status === 200, {
      what: `${name} to serve`,
      timeout: 90_000,
      detail: logs,
    });
    return { replica: r, client };
  }

  const creatingNodes = async () =>
    Number(
      (
        await database.db
          .selectFrom('nodes')
          .select(sql<number>`count(*)`.as('n'))
          .where('phase', '=', 'Creating')
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    testDb = await freshPostgresDatabase();
    settings = {
      ATELIER_DATABASE_URL: testDb.url,
      ATELIER_SECRET_KEY: 'replica-test-secret-key-0123456789',
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ATELIER_LOG_LEVEL: 'warn',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_SCALE_SECONDS: '0',
      ATELIER_NODE_CREATE_SECONDS: '2',
      ATELIER_NODE_REBOOT_SECONDS: '2',
      ATELIER_ENGINE_INTERVAL_MS: '50',
      ATELIER_ENGINE_LEASE_SECONDS: '2',
    };
    database = openDatabase(testDb.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.close();
    await testDb?.drop();
  });

  it('a creation of 100 nodes and a scale-out to 200 each finish once on the surviving replica', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    const net = await a.client.post('/v1/{project_id}/networks', networkBody(undefined, { cidr: '10.1.0.0/16' }));
    expect(net.status, net.text).toBe(200);
    const netName = net.body.metadata.name as string;
    await waitFor(
      async () => (await a.client.get(`/v1/{project_id}/networks/${netName}`)).body?.status?.phase === 'Active',
      { what: 'an Active network', detail: logs },
    );
    const res = await a.client.post(
      '/v2/{project_id}/pools',
      poolBody(netName, { resources: [{ flavor: FLAVOR, count: 100 }] }),
    );
    expect(res.status, res.text).toBe(200);
    const pool = res.body.metadata.name as string;
    const path = `/v2/{project_id}/pools/${pool}`;
    await waitFor(async () => (await creatingNodes()) === 100, { what: '100 Creating nodes', detail: logs });
    await a.replica.kill();
    await waitFor(async () => (await b.client.get(path)).body?.status?.phase === 'Running', {
      what: 'the pool to be Running on the surviving replica',
      timeout: 60_000,
      detail: logs,
    });
    await expectNodesConsistent(database.db, projectId, b.client, pool, 100);

    const c = await replica('replica-c');
    const patched = await c.client.request('PATCH', path, {
      body: { spec: { resources: [{ flavor: FLAVOR, count: 200, maxCount: 200 }] } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status, patched.text).toBe(200);
    await waitFor(async () => (await creatingNodes()) === 100, { what: '100 new Creating nodes', detail: logs });
    await c.replica.kill();
    await waitFor(
      async () => {
        const shown = (await b.client.get(path)).body;
        return shown?.status?.resources?.available?.[0]?.count === 200 && !shown.status.resources.creating;
      },
      { what: 'the 200 nodes to be Available', timeout: 60_000, detail: logs },
    );
    await expectNodesConsistent(database.db, projectId, b.client, pool, 200);
  }, 300_000);

  it('a batch reboot of a 100-node pool: a replica killed while they are Checking; each comes back once, the job ends', async () => {
    const d = await replica('replica-d');
    const e = await replica('replica-e');
    const net = await d.client.post('/v1/{project_id}/networks', networkBody(undefined, { cidr: '10.2.0.0/16' }));
    expect(net.status, net.text).toBe(200);
    const netName = net.body.metadata.name as string;
    await waitFor(
      async () => (await d.client.get(`/v1/{project_id}/networks/${netName}`)).body?.status?.phase === 'Active',
      { what: 'an Active network', detail: logs },
    );
    const res = await d.client.post(
      '/v2/{project_id}/pools',
      poolBody(netName, { resources: [{ flavor: FLAVOR, count: 100 }] }),
    );
    expect(res.status, res.text).toBe(200);
    const pool = res.body.metadata.name as string;
    const path = `/v2/{project_id}/pools/${pool}`;
    await waitFor(async () => (await e.client.get(path)).body?.status?.phase === 'Running', {
      what: 'a Running pool of 100',
      timeout: 60_000,
      detail: logs,
    });
    const names = ((await d.client.get(`${path}/nodes`)).body.items as Array<{ metadata: { name: string } }>).map(
      (n) => n.metadata.name,
    );
    const rebooted = await d.client.post(`${path}/nodes/batch-reboot`, { nodeNames: names });
    expect(rebooted.status, rebooted.text).toBe(200);
    const job = `/v2/{project_id}/jobs/${rebooted.body.job_id as string}`;
    await waitFor(async () => (await d.client.get(job)).body?.phase === 'Running', { what: 'the job Running' });
    await d.replica.kill();
    await waitFor(async () => (await e.client.get(job)).body?.phase === 'Success', {
      what: 'the job to succeed on the surviving replica',
      timeout: 60_000,
      detail: logs,
    });
    await expectNodesConsistent(database.db, projectId, e.client, pool, 100);
    const rollUps = (await listEventsOf(database.db, projectId, 'pools', pool))
      .filter((ev) => ev.reason === 'PoolResourcesStatusChange')
      .map((ev) => rollUp(ev.message));
    expect(rollUps.filter(([from]) => from === '100/0/0/0').map(([, to]) => to)).toEqual(['0/100/0/0']);
    expect(rollUps.filter(([, to]) => to === '100/0/0/0').length).toBe(2);
  }, 300_000);
});
