import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDue, releaseAllLeases, releaseLease, renewLeases } from '../../src/db/claims.js';
import { toDbTime } from '../../src/db/database.js';
import { activeNetwork, poolBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** Leases on due lifecycle steps (db/claims.ts), on the dialect of the vitest project. */
describe('claiming due work with leases', () => {
  let h: Harness;
  const LEASE_MS = 10_000;
  beforeEach(async () => {
    h = await startHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_POOL_CREATE_SECONDS: '5' });
  });
  afterEach(async () => h.close());

  async function duePools(n: number): Promise<string[]> {
    const network = await activeNetwork(h.client, h.settle);
    const names: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const res = await h.client.post('/v2/{project_id}/pools', poolBody(network));
      expect(res.status, res.text).toBe(200);
      names.push(res.body.metadata.name);
    }
    h.clock.advance(5_000);
    return names;
  }

  it('gives each due row to one claimant at a time, concurrently too, and again once the lease expired', async () => {
    const names = await duePools(6);
    const { database } = h.context;
    const now = h.clock.now();
    const [a, b] = await Promise.all([
      claimDue(database, 'pools', 'replica-a', now, LEASE_MS, 100),
      claimDue(database, 'pools', 'replica-b', now, LEASE_MS, 100),
    ]);
    const claimed = [...a, ...b].map((r) => r.name).sort();
    expect(claimed).toEqual([...names].sort());
    expect(await claimDue(database, 'pools', 'replica-c', now, LEASE_MS, 100)).toEqual([]);
    // Not yet expired: still nobody else's.
    expect(
      await claimDue(database, 'pools', 'replica-c', new Date(now.getTime() + LEASE_MS - 1), LEASE_MS, 100),
    ).toEqual([]);
    // Expired: taken over.
    const later = new Date(now.getTime() + LEASE_MS + 1);
    const taken = await claimDue(database, 'pools', 'replica-c', later, LEASE_MS, 100);
    expect(taken.map((r) => r.name).sort()).toEqual([...names].sort());
    expect(taken.every((r) => r.lease_owner === 'replica-c')).toBe(true);
  });

  it('passes over rows a claim in flight holds, and does not take them when it commits', async () => {
    const names = await duePools(3);
    const { database } = h.context;
    const now = h.clock.now();
    let claimed: ReturnType<typeof claimDue<'pools'>> | undefined;
    // Another replica's claim, leased but not yet committed, while this one claims.
    await database.transaction(async (tx) => {
      await tx
        .updateTable('pools')
        .set({ lease_owner: 'replica-x', lease_expires_at: toDbTime(new Date(now.getTime() + LEASE_MS)) })
        .where('name', 'in', names)
        .execute();
      claimed = claimDue(database, 'pools', 'replica-y', now, LEASE_MS, 100);
      await new Promise((r) => setTimeout(r, 200));
    });
    expect(await claimed).toEqual([]);
  });

  it('takes at most the batch size, earliest due first', async () => {
    const names = await duePools(4);
    const first = await claimDue(h.context.database, 'pools', 'replica-a', h.clock.now(), LEASE_MS, 3);
    expect(first.map((r) => r.name)).toEqual(names.slice(0, 3));
  });

  it('keeps a lease alive with the heartbeat, and lets it go on release', async () => {
    const [name] = await duePools(1);
    const { database } = h.context;
    const now = h.clock.now();
    const [row] = await claimDue(database, 'pools', 'replica-a', now, LEASE_MS, 10);
    expect(row.name).toBe(name);
    expect(await renewLeases(database, 'replica-a', new Date(now.getTime() + 3 * LEASE_MS))).toBe(1);
    expect(
      await claimDue(database, 'pools', 'replica-b', new Date(now.getTime() + 2 * LEASE_MS), LEASE_MS, 10),
    ).toEqual([]);
    // Someone else's release changes nothing; the owner's frees the row at once.
    await releaseLease(database.db, 'pools', row.id, 'replica-b');
    expect(await claimDue(database, 'pools', 'replica-b', now, LEASE_MS, 10)).toEqual([]);
    await releaseLease(database.db, 'pools', row.id, 'replica-a');
    expect((await claimDue(database, 'pools', 'replica-b', now, LEASE_MS, 10)).map((r) => r.name)).toEqual([name]);
    await releaseAllLeases(database, 'replica-b');
    const after = await database.db
      .selectFrom('pools')
      .select(['lease_owner', 'lease_expires_at'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ lease_owner: null, lease_expires_at: null });
  });

  it("brings a Creating pool's due nodes up in the pool's own step, but not a node another engine holds", async () => {
    const [name] = await duePools(1);
    const { database } = h.context;
    const phases = async () =>
      Object.fromEntries(
        (await database.db.selectFrom('nodes').select(['name', 'phase']).execute()).map((n) => [n.name, n.phase]),
      );
    const poolPhase = async () => (await h.client.get(`/v2/{project_id}/pools/${name}`)).body.status.phase;
    const now = h.clock.now();
    // While the pool's own step is due, its nodes are left to that step: no node step claims them.
    expect(await claimDue(database, 'nodes', 'replica-b', now, LEASE_MS, 10)).toEqual([]);
    // A node another replica holds all the same (it claimed it before the pool fell due).
    const held = await database.db.selectFrom('nodes').select('name').orderBy('name').executeTakeFirstOrThrow();
    await database.db
      .updateTable('nodes')
      .set({ lease_owner: 'replica-b', lease_expires_at: toDbTime(new Date(now.getTime() + LEASE_MS)) })
      .where('name', '=', held.name)
      .execute();
    await h.engine.runOnce();
    const first = await phases();
    expect(Object.keys(first)).toHaveLength(2);
    expect(first[held.name]).toBe('Creating');
    expect(Object.values(first).filter((p) => p === 'Available')).toHaveLength(1);
    expect(await poolPhase()).toBe('Creating');
    // Its lease handed back, the node comes up in a node step, and the pool with it.
    await releaseAllLeases(database, 'replica-b');
    await h.engine.runOnce();
    expect(Object.values(await phases())).toEqual(['Available', 'Available']);
    expect(await poolPhase()).toBe('Running');
  });

  it('leaves no lease behind after the engine ran a step, or after it stopped', async () => {
    await duePools(2);
    // The most rows of one kind the pass looked at: the two pools (their four nodes, due with
    // them, came up in the pools' own steps, so no node step was left to claim them).
    expect(await h.engine.runOnce()).toBe(2);
    for (const table of ['pools', 'nodes'] as const) {
      const held = await h.context.database.db
        .selectFrom(table)
        .select('name')
        .where('lease_owner', 'is not', null)
        .execute();
      expect(held).toEqual([]);
    }
    const pools = await h.client.get('/v2/{project_id}/pools');
    expect(pools.body.items.map((p: any) => p.status.phase)).toEqual(['Running', 'Running']);
    // A lease this engine still held when it stopped is handed back.
    await h.context.database.db
      .updateTable('pools')
      .set({ lease_owner: h.engine.leaseOwner, lease_expires_at: toDbTime(h.clock.now()) })
      .execute();
    await h.engine.stop();
    expect(
      await h.context.database.db.selectFrom('pools').select('name').where('lease_owner', 'is not', null).execute(),
    ).toEqual([]);
  });

  it('frees a row whose lease a change made elsewhere outdated: the conditional update hands the lease back', async () => {
    const [name] = await duePools(1);
    const db = h.context.database.db;
    const [claimed] = await claimDue(h.context.database, 'pools', 'another-replica', h.clock.now(), LEASE_MS, 10);
    expect(claimed.name).toBe(name);
    // A DELETE through this replica moves the pool on; the other replica's step would now lose its race.
    expect((await h.client.delete(`/v2/{project_id}/pools/${name}`)).status).toBe(200);
    expect(
      await db
        .selectFrom('pools')
        .select(['lease_owner', 'lease_expires_at'])
        .where('name', '=', name)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      lease_owner: null,
      lease_expires_at: null,
    });
    // So its teardown is not held up until that lease expires.
    await h.advance(10_000);
    expect((await h.client.get(`/v2/{project_id}/pools/${name}`)).status).toBe(404);
  });
});
