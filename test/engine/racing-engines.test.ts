// Two engines stepping the same rows at once (issue 15, "the tests must pin the guarantees"): one of
// them is a replica that stalled past its lease, so the other takes its rows over while it still
// runs their steps. Both then step the same version of each row; one conditional update wins, the
// other loses — and the loser must change nothing, above all write no second status event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const STEP_SECONDS = 10;
const ROWS = 20;

describe('two engines racing for the same rows', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      ATELIER_NETWORK_CREATE_SECONDS: String(STEP_SECONDS),
      ATELIER_POOL_CREATE_SECONDS: String(STEP_SECONDS),
      ATELIER_POOL_QUOTA: '1000',
      ATELIER_NETWORK_QUOTA: '1000',
    });
  });
  afterEach(() => h.close());

  it('writes each status event exactly once, whichever engine loses the conditional update', async () => {
    const quiet = { error: (...args: unknown[]) => console.error(...args), debug: () => {} };
    // The stalled replica: its leases have run out the moment it takes them.
    const stalled = new LifecycleEngine({ ...h.context, config: { ...h.config, engineLeaseMs: -60_000 } }, quiet);
    const healthy = h.engine;
    let takeovers = 0;
    h.context.signals.on('leaseTakenOver', () => (takeovers += 1));

    const db = h.context.database.db;
    const stalledHolds = async () =>
      (await db.selectFrom('networks').select('id').where('lease_owner', '=', stalled.leaseOwner).execute()).length +
        (await db.selectFrom('pools').select('id').where('lease_owner', '=', stalled.leaseOwner).execute()).length >
      0;
    /**
     * Runs both engines' passes. Even rounds start them together (where commits are grouped, the two
     * claims then share a commit, before either engine's steps); odd rounds start the healthy one as
     * soon as the stalled one holds its leases (where each transaction commits alone).
     */
    const race = async (round: number) => {
      if (round % 2 === 0) {
        await Promise.all([stalled.runOnce(), healthy.runOnce()]);
        return;
      }
      const stalledPass = stalled.runOnce();
      const deadline = Date.now() + 5_000;
      while (!(await stalledHolds()) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      await Promise.all([stalledPass, healthy.runOnce()]);
    };

    const networks: string[] = [];
    const pools: string[] = [];
    // Rounds until the healthy engine took rows over while the stalled one still held them.
    for (let round = 0; round < 10 && takeovers === 0; round += 1) {
      const roundNetworks: string[] = [];
      for (let i = 0; i < ROWS; i += 1) {
        const res = await h.client.post('/v1/{project_id}/networks', networkBody());
        expect(res.status, res.text).toBe(200);
        roundNetworks.push(res.body.metadata.name);
      }
      h.clock.advance(STEP_SECONDS * 1000);
      await race(round);
      await h.settle();
      networks.push(...roundNetworks);
      for (const name of roundNetworks) {
        const res = await h.client.post('/v2/{project_id}/pools', poolBody(name));
        expect(res.status, res.text).toBe(200);
        pools.push(res.body.metadata.name);
      }
      h.clock.advance(STEP_SECONDS * 1000);
      await race(round);
      await h.settle();
    }
    expect(takeovers, 'the engines never raced').toBeGreaterThan(0);

    const changes = async (kind: 'pools' | 'networks', name: string) =>
      (await listEventsOf(db, h.projectId, kind, name))
        .filter((e) => e.reason === 'PoolStatusChange' || e.reason === 'NetworkStatusChange')
        .map((e) => e.message);
    for (const name of pools) {
      expect((await h.client.get(`/v2/{project_id}/pools/${name}`)).body.status.phase).toBe('Running');
      const running = (await changes('pools', name)).filter((m) => m.includes('to Running'));
      expect(running, name).toEqual(['Pool status changed, from Creating to Running.']);
    }
    for (const name of networks) {
      expect((await h.client.get(`/v1/{project_id}/networks/${name}`)).body.status.phase).toBe('Active');
    }
    // The usage counters moved once per transition too.
    const stats = await h.client.get('/v2/{project_id}/statistics/pools');
    expect(stats.body.statistics.status).toMatchObject({ created: pools.length, creating: 0 });
  });
});
