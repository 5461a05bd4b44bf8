import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { poolBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { activeNetwork, freePort, freshProject, Replica, waitUntilServing } from './replicas.js';

/**
 * The pool quota is taken by one conditional update of a per-project counter
 * (quota_counts, migration 0013). Two replicas creating pools at once must never
 * admit more than the quota, and the counter must equal the pools that count
 * (decision 2: all but CreationFailed, until gone) after creations, failures,
 * deletions and a replica killed with kill -9 in the middle of them.
 */
const QUOTA = 8;
const CONCURRENT = 32;
const FAIL = { 'atelier.io/simulate': 'CreationFailed' };

describe('the pool quota counter, two replicas on one PostgreSQL database', () => {
  let testDb: TestDatabase;
  let replicas: Replica[] = [];
  let admin: { context: AppContext; database: Database };
  const projectId = uniqueId('quota');
  const credentials = {
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
  };

  const logs = () => replicas.map((r) => r.log()).join('\n');
  const clientsFor = (project: string, creds: typeof credentials) =>
    replicas.filter((r) => r.alive).map((r) => ApiClient.http(r.baseUrl, project, creds));

  beforeAll(async () => {
    testDb = await freshPostgresDatabase();
    const settings = {
      ATELIER_DATABASE_URL: testDb.url,
      ATELIER_SECRET_KEY: 'quota-counter-test-secret-key-0123456789',
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ATELIER_LOG_LEVEL: 'warn',
      ATELIER_POOL_QUOTA: String(QUOTA),
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_DELETE_SECONDS: '0',
      ATELIER_ENGINE_INTERVAL_MS: '50',
      ATELIER_ENGINE_LEASE_SECONDS: '2',
    };
    const ports = await Promise.all([freePort(), freePort()]);
    replicas = ports.map((port, i) => new Replica(`replica-${i}`, port, settings));
    await waitUntilServing(replicas, (r) => ApiClient.http(r.baseUrl, projectId, credentials), 150_000, logs);
    const { ATELIER_LOG_LEVEL: _, ...adminSettings } = settings;
    const opened = await openContext(loadConfig({ ...adminSettings, ATELIER_LOG_LEVEL: 'silent' }));
    admin = { context: opened.context, database: opened.database };
  }, 330_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await admin?.database.close();
    await testDb?.drop();
  });

  /** The counter, and the pools that count as the database holds them. */
  async function counterAndCounted(project: string): Promise<{ counter: number; counted: number }> {
    const db = admin.database.db;
    const row = await db
      .selectFrom('quota_counts')
      .select('used')
      .where('project_id', '=', project)
      .where('kind', '=', 'pool')
      .executeTakeFirst();
    const pools = await db
      .selectFrom('pools')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', project)
      .where('phase', '<>', 'CreationFailed')
      .executeTakeFirstOrThrow();
    return { counter: Number(row?.used ?? 0), counted: Number(pools.n) };
  }

  /** Creates `n` pools at once, spread over the live replicas; returns the admitted names. */
  async function createAtOnce(clients: ApiClient[], network: string, n: number, labels = {}): Promise<string[]> {
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        clients[i % clients.length].post('/v2/{project_id}/pools', poolBody(network, { labels })),
      ),
    );
    for (const res of results.filter((r) => r.status !== 200)) {
      expect(res.status, res.text).toBe(400);
      expect(res.body.error_msg).toMatch(/pool quota exceeded/);
    }
    return results.filter((r) => r.status === 200).map((r) => r.body.metadata.name as string);
  }

  /** Waits until no pool of the project is on its way anywhere (Creating, Deleting). */
  async function settled(client: ApiClient): Promise<void> {
    await waitFor(
      async () => {
        const list = await client.get('/v2/{project_id}/pools');
        const failed = await client.get('/v2/{project_id}/pools?status=failed');
        return [...list.body.items, ...failed.body.items].every(
          (p: any) => p.status.phase === 'Running' || p.status.phase === 'CreationFailed',
        );
      },
      { what: 'every pool to settle', timeout: 60_000, detail: logs },
    );
  }

  it('admits exactly the quota across both replicas, and keeps the counter equal to the counted pools through failures and deletions', async () => {
    const project = await freshProject(admin.context, 'quota');
    const clients = clientsFor(project.id, project.credentials);
    expect(clients).toHaveLength(2);
    const network = await activeNetwork(clients[0], logs);

    const first = await createAtOnce(clients, network, CONCURRENT);
    expect(first).toHaveLength(QUOTA);
    expect(await counterAndCounted(project.id)).toEqual({ counter: QUOTA, counted: QUOTA });
    await settled(clients[0]);

    // Three deletions make room for exactly three more, taken at once through both replicas.
    for (const name of first.slice(0, 3)) {
      expect((await clients[1].delete(`/v2/{project_id}/pools/${name}`)).status).toBe(200);
    }
    await waitFor(async () => (await counterAndCounted(project.id)).counted === QUOTA - 3, {
      what: 'the deleted pools to be gone',
      timeout: 30_000,
      detail: logs,
    });
    expect(await counterAndCounted(project.id)).toEqual({ counter: QUOTA - 3, counted: QUOTA - 3 });
    const second = await createAtOnce(clients, network, CONCURRENT);
    expect(second).toHaveLength(3);
    expect(await counterAndCounted(project.id)).toEqual({ counter: QUOTA, counted: QUOTA });

    // Pools whose creation fails stop counting once they are CreationFailed; deleting the records changes nothing.
    await settled(clients[0]);
    for (const name of second) await clients[0].delete(`/v2/{project_id}/pools/${name}`);
    await waitFor(async () => (await counterAndCounted(project.id)).counted === QUOTA - 3, {
      what: 'the second pools to be gone',
      timeout: 30_000,
    });
    // A failure frees its place as soon as it is recorded, so more than three may get in, one after another.
    const failing = await createAtOnce(clients, network, CONCURRENT, FAIL);
    expect(failing.length).toBeGreaterThanOrEqual(3);
    await settled(clients[0]);
    expect(await counterAndCounted(project.id)).toEqual({ counter: QUOTA - 3, counted: QUOTA - 3 });
    for (const name of failing) await clients[1].delete(`/v2/{project_id}/pools/${name}`);
    expect(await counterAndCounted(project.id)).toEqual({ counter: QUOTA - 3, counted: QUOTA - 3 });
    const quotas = await clients[1].get('/v1/{project_id}/quotas');
    expect(quotas.body.quotas.resources.find((r: { type: string }) => r.type === 'pool')).toMatchObject({
      quota: QUOTA,
      used: QUOTA - 3,
    });
  }, 180_000);

  it('keeps the counter equal to the counted pools when a replica is killed with kill -9 mid-run', async () => {
    const project = await freshProject(admin.context, 'quota');
    const clients = clientsFor(project.id, project.credentials);
    const network = await activeNetwork(clients[0], logs);
    const standing = await createAtOnce(clients, network, QUOTA - 2);
    expect(standing).toHaveLength(QUOTA - 2);
    await settled(clients[0]);

    // Creations (some of them failing) and deletions in flight through both replicas when one dies.
    const inFlight = Promise.allSettled([
      ...Array.from({ length: 12 }, (_, i) =>
        clients[i % 2].post('/v2/{project_id}/pools', poolBody(network, { labels: i % 3 === 0 ? FAIL : {} })),
      ),
      ...standing.slice(0, 4).map((name, i) => clients[i % 2].delete(`/v2/{project_id}/pools/${name}`)),
    ]);
    await new Promise((r) => setTimeout(r, 30));
    await replicas[0].kill();
    await inFlight;

    const [survivor] = clientsFor(project.id, project.credentials);
    await settled(survivor);
    await waitFor(
      async () => {
        const deleting = await admin.database.db
          .selectFrom('pools')
          .select('name')
          .where('project_id', '=', project.id)
          .where('phase', '=', 'Deleting')
          .execute();
        return deleting.length === 0;
      },
      { what: 'every deletion to finish', timeout: 60_000, detail: logs },
    );
    const { counter, counted } = await counterAndCounted(project.id);
    expect(counter).toBe(counted);
    expect(counted).toBeLessThanOrEqual(QUOTA);
    // And the quota is still exact afterwards: exactly what is left fits.
    const more = await createAtOnce([survivor], network, QUOTA);
    expect(more).toHaveLength(QUOTA - counted);
    expect(await counterAndCounted(project.id)).toEqual({ counter: QUOTA, counted: QUOTA });
  }, 180_000);
});
