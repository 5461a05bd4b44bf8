import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { saveClockOffset } from '../../src/admin/emulator-settings.store.js';
import { toDbTime, type Database } from '../../src/db/database.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { poolBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { activeNetwork, freePort, freshProject, Replica, waitUntilServing } from './replicas.js';

/**
 * Issue 4, scale-out: three `atelier serve` processes on one PostgreSQL database,
 * as behind a load balancer. Every guarantee of one server must hold across them.
 */
const LEASE_SECONDS = 2;
const POOL_CREATE_SECONDS = 2;
const QUOTA = 15;
const CONCURRENT = 60;
/** The lease a simulated crashed replica left behind (on the service clock, which the test moves). */
const ORPHAN_LEASE_MS = 10 * 60_000;
/** How long before that lease ends the test checks that nobody took it: real time the check may use. */
const LEASE_MARGIN_MS = 60_000;
const ADMIN_TOKEN = 'replica-admin-token-0123456789';

describe('three replicas on one PostgreSQL database', () => {
  let testDb: TestDatabase;
  let replicas: Replica[] = [];
  let admin: { context: AppContext; database: Database };
  const projectId = uniqueId('scale');
  const credentials = {
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
  };
  let settings: Record<string, string>;

  const logs = () => replicas.map((r) => r.log()).join('\n');
  const clientsFor = (project: string, creds: typeof credentials) =>
    replicas.filter((r) => r.alive).map((r) => ApiClient.http(r.baseUrl, project, creds));

  beforeAll(async () => {
    testDb = await freshPostgresDatabase();
    settings = {
      ATELIER_DATABASE_URL: testDb.url,
      ATELIER_SECRET_KEY: 'replica-test-secret-key-0123456789',
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ATELIER_LOG_LEVEL: 'warn',
      ATELIER_POOL_QUOTA: String(QUOTA),
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: String(POOL_CREATE_SECONDS),
      ATELIER_ENGINE_INTERVAL_MS: '50',
      ATELIER_ENGINE_LEASE_SECONDS: String(LEASE_SECONDS),
      // The emulator's clock: each replica follows the offset stored in the database.
      ATELIER_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    // All three start at once on an empty database: migrations and the bootstrap
    // run under locks, so none of them fails on another's half-made schema or rows.
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    replicas = ports.map((port, i) => new Replica(`replica-${i}`, port, settings));
    await waitUntilServing(replicas, (r) => ApiClient.http(r.baseUrl, projectId, credentials), 60_000, logs);
    // The test's own view of the installation: no engine, only reads and administration.
    const { ATELIER_LOG_LEVEL: _, ...adminSettings } = settings;
    const opened = await openContext(loadConfig({ ...adminSettings, ATELIER_LOG_LEVEL: 'silent' }));
    admin = { context: opened.context, database: opened.database };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await admin?.database.close();
    await testDb?.drop();
  });

  /** Every status change of the pool, from its events: each must appear once. */
  async function transitionsOf(project: string, pool: string): Promise<string[]> {
    const events = await listEventsOf(admin.database.db, project, 'pools', pool);
    return events.filter((e) => e.reason === 'PoolStatusChange' || e.reason === 'PoolCreated').map((e) => e.message);
  }

  async function expectEachTransitionOnce(project: string, pools: string[]): Promise<void> {
    for (const pool of pools) {
      const transitions = await transitionsOf(project, pool);
      expect(transitions, pool).toEqual([
        `Pool ${pool} accepted, phase Creating.`,
        'Pool status changed, from Creating to Running.',
      ]);
    }
  }

  /** How far the test has moved the service clock (the emulator's stored offset). */
  let clockOffsetMs = 0;
  const serviceNow = () => Date.now() + clockOffsetMs;

  /**
   * Moves the service clock of every replica forward, as the emulator's clock control does: the offset
   * is stored, and each replica picks it up from the database. (POST /_atelier/clock/advance would also
   * run the steps the move made due, leases or not, itself.) Returns once every live replica shows it.
   */
  async function moveClock(ms: number): Promise<void> {
    clockOffsetMs += ms;
    await admin.database.transaction((tx) => saveClockOffset(tx, clockOffsetMs));
    for (const replica of replicas.filter((r) => r.alive)) {
      await waitFor(
        async () => {
          const res = await fetch(`${replica.baseUrl}/_atelier/clock`, {
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          });
          return ((await res.json()) as { offsetSeconds: number }).offsetSeconds * 1000 === clockOffsetMs;
        },
        { what: `${replica.name} to follow the clock`, timeout: 10_000, detail: logs },
      );
    }
  }

  const phaseThrough = async (client: ApiClient, pool: string): Promise<string> =>
    (await client.get(`/v2/{project_id}/pools/${pool}`)).body.status.phase;

  async function statisticsThrough(clients: ApiClient[]): Promise<unknown[]> {
    return Promise.all(clients.map(async (c) => (await c.get('/v2/{project_id}/statistics/pools')).body.statistics));
  }

  it('admits exactly the quota of 60 concurrent creates spread over the replicas, and drives each pool to Running exactly once', async () => {
    const project = await freshProject(admin.context, 'scale');
    const clients = clientsFor(project.id, project.credentials);
    expect(clients).toHaveLength(3);
    const network = await activeNetwork(clients[0], logs);
    // Every replica warm before the burst (its pooled connections open, its statements prepared): a
    // cold replica would still be connecting while the one that made the network took the whole quota,
    // and the burst would not show the replicas competing for it.
    await Promise.all(
      clients.flatMap((client) => Array.from({ length: 4 }, () => client.get('/v2/{project_id}/pools'))),
    );

    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => clients[i % 3].post('/v2/{project_id}/pools', poolBody(network))),
    );
    const admitted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(admitted, results.map((r) => r.text).join('\n')).toHaveLength(QUOTA);
    for (const res of refused) {
      expect(res.status, res.text).toBe(400);
      expect(res.body.error_msg).toMatch(/pool quota exceeded/);
    }
    // Admitted through every replica, not all through one.
    const byReplica = new Set(results.map((r, i) => (r.status === 200 ? i % 3 : -1)).filter((i) => i >= 0));
    expect(byReplica.size).toBeGreaterThan(1);

    for (const client of clients) {
      const quotas = await client.get('/v1/{project_id}/quotas');
      const pool = quotas.body.quotas.resources.find((r: { type: string }) => r.type === 'pool');
      expect(pool).toMatchObject({ quota: QUOTA, used: QUOTA });
    }

    const names = admitted.map((r) => r.body.metadata.name as string);
    await waitFor(
      async () => {
        const list = await clients[1].get('/v2/{project_id}/pools');
        return list.body.items.filter((p: any) => p.status.phase === 'Running').length === QUOTA;
      },
      { what: 'every admitted pool to be Running', timeout: 60_000, detail: logs },
    );
    await expectEachTransitionOnce(project.id, names);

    // Reads through any replica agree.
    const statistics = await statisticsThrough(clients);
    expect(statistics[0]).toMatchObject({
      status: { created: QUOTA, creating: 0, pending: 0, deleting: 0, failed: 0 },
    });
    expect(statistics[1]).toEqual(statistics[0]);
    expect(statistics[2]).toEqual(statistics[0]);
    const lists = await Promise.all(
      clients.map(async (c) =>
        (await c.get('/v2/{project_id}/pools')).body.items
          .map((p: any) => `${p.metadata.name}:${p.status.phase}`)
          .sort(),
      ),
    );
    expect(lists[1]).toEqual(lists[0]);
    expect(lists[2]).toEqual(lists[0]);
  }, 120_000);

  it('shows a pool created through one replica at once through every other', async () => {
    const project = await freshProject(admin.context, 'scale');
    const clients = clientsFor(project.id, project.credentials);
    const network = await activeNetwork(clients[0], logs);
    for (let i = 0; i < 3; i += 1) {
      const created = await clients[i].post('/v2/{project_id}/pools', poolBody(network));
      expect(created.status, created.text).toBe(200);
      for (const other of clients) {
        const shown = await other.get(`/v2/{project_id}/pools/${created.body.metadata.name}`);
        expect(shown.status, shown.text).toBe(200);
        expect(shown.body.metadata.name).toBe(created.body.metadata.name);
      }
    }
  }, 60_000);

  it('takes over the work of a lease whose replica died, once the lease has expired', async () => {
    const project = await freshProject(admin.context, 'scale');
    const clients = clientsFor(project.id, project.credentials);
    const network = await activeNetwork(clients[0], logs);
    // A pool whose creation is due now, held by a replica that crashed mid-step:
    // its lease runs for a few seconds more and nobody renews it.
    const res = await clients[0].post('/v2/{project_id}/pools', poolBody(network));
    expect(res.status, res.text).toBe(200);
    const name = res.body.metadata.name as string;
    const db = admin.database.db;
    const now = serviceNow();
    const leaseExpires = now + ORPHAN_LEASE_MS;
    const held = await db
      .updateTable('pools')
      .set({
        lease_owner: 'crashed-replica:1:dead',
        lease_expires_at: toDbTime(new Date(leaseExpires)),
        due_at: toDbTime(new Date(now)),
      })
      .where('name', '=', name)
      .where('phase', '=', 'Creating')
      .where('lease_owner', 'is', null)
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) === 0)
      return expect.fail('an engine claimed the pool before the test could; rerun');
    // While the lease runs, no live replica touches the pool, though it is due: the clock moves to just
    // before the lease ends, and pools created through every replica after the move reach Running, so
    // engines have run passes under the moved clock (and each pass sees the due, leased pool first).
    await moveClock(ORPHAN_LEASE_MS - LEASE_MARGIN_MS);
    const witnesses = await Promise.all(clients.map((c) => c.post('/v2/{project_id}/pools', poolBody(network))));
    for (const w of witnesses) expect(w.status, w.text).toBe(200);
    const witnessNames = witnesses.map((w) => w.body.metadata.name as string);
    await waitFor(
      async () => {
        const phases = await Promise.all(witnessNames.map((n) => phaseThrough(clients[1], n)));
        return phases.every((phase) => phase === 'Running');
      },
      { what: 'the pools created after the clock move to be Running', timeout: 30_000, detail: logs },
    );
    expect(await phaseThrough(clients[1], name)).toBe('Creating');
    expect(
      await db.selectFrom('pools').select('lease_owner').where('name', '=', name).executeTakeFirstOrThrow(),
    ).toEqual({ lease_owner: 'crashed-replica:1:dead' });
    expect(serviceNow(), 'the check came too late to mean anything').toBeLessThan(leaseExpires);
    // Once the clock passes the lease, a live replica takes the work over and finishes it, once.
    await moveClock(LEASE_MARGIN_MS + 1_000);
    await waitFor(async () => (await phaseThrough(clients[2], name)) === 'Running', {
      what: 'the orphaned pool to be Running',
      timeout: 30_000,
      detail: logs,
    });
    const row = await db
      .selectFrom('pools')
      .select(['lease_owner', 'lease_expires_at'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lease_owner: null, lease_expires_at: null });
    await expectEachTransitionOnce(project.id, [name, ...witnessNames]);
  }, 60_000);

  it('finishes the work of a replica killed with kill -9 mid-lifecycle on the others', async () => {
    const project = await freshProject(admin.context, 'scale');
    const clients = clientsFor(project.id, project.credentials);
    const network = await activeNetwork(clients[0], logs);
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => clients[i % 3].post('/v2/{project_id}/pools', poolBody(network))),
    );
    for (const res of created) expect(res.status, res.text).toBe(200);
    const names = created.map((r) => r.body.metadata.name as string);

    // Kill the first replica while every pool is still Creating, just as work falls due.
    await waitFor(
      async () => {
        const due = await admin.database.db
          .selectFrom('pools')
          .select('due_at')
          .where('name', '=', names[0])
          .executeTakeFirstOrThrow();
        return due.due_at !== null && new Date(due.due_at).getTime() - serviceNow() < 100;
      },
      { what: 'the first pool to fall due', timeout: 30_000 },
    );
    await replicas[0].kill();
    expect(replicas[0].alive).toBe(false);

    const survivors = clientsFor(project.id, project.credentials);
    expect(survivors).toHaveLength(2);
    await waitFor(
      async () => {
        const list = await survivors[0].get('/v2/{project_id}/pools');
        return list.body.items.filter((p: any) => p.status.phase === 'Running').length === names.length;
      },
      { what: 'every pool to be Running', timeout: 60_000, detail: logs },
    );
    await expectEachTransitionOnce(project.id, names);
    const leases = await admin.database.db
      .selectFrom('pools')
      .select('name')
      .where('lease_owner', 'is not', null)
      .execute();
    expect(leases).toEqual([]);
    const statistics = await statisticsThrough(survivors);
    expect(statistics[0]).toMatchObject({ status: { created: names.length, creating: 0 } });
    expect(statistics[1]).toEqual(statistics[0]);
  }, 120_000);
});
