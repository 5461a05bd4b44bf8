// Node faults (docs/emulator.md, "Node faults"): a chosen node, or the next N nodes
// of a pool, fail to come up, turn Abnormal or get an Abnormal driver; clearing the
// fault heals them, and the pool follows its nodes — over HTTP.
import { describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import { displayName } from '../helpers/fixtures.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { createBody, createPool, eventsOf, phaseChanges, pool } from '../pools/helpers.js';
import { expectCountsExact as expectCounts } from '../engine/node-checks.js';
import { adminOk, runningPool, useAdminHarness } from './helpers.js';

const GPU = 'modelarts.vm.gpu.t4';

async function nodesOf(h: Harness, poolName: string) {
  return h.context.database.db
    .selectFrom('nodes')
    .innerJoin('pools', 'pools.id', 'nodes.pool_id')
    .select(['nodes.name', 'nodes.phase', 'nodes.driver_phase', 'nodes.pool_id'])
    .where('pools.name', '=', poolName)
    .orderBy('nodes.id')
    .execute();
}

const expectCountsExact = (h: Harness, poolId: number) => expectCounts(h.context.database.db, poolId);

const rollUps = async (h: Harness, name: string) =>
  (await eventsOf(h, name)).filter((e) => e.reason === 'PoolResourcesStatusChange').map((e) => e.message);

describe('node faults', () => {
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '0' });

  it('nodeAbnormal on a chosen node: it turns Abnormal, its pool too; clearing heals both', async () => {
    const name = await runningPool(h, h.client, { resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 3 }] });
    const [, chosen] = await nodesOf(h, name);
    const fault = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'nodeAbnormal', name: chosen.name }, 201);
    expect(fault).toMatchObject({ remaining: 0, triggered: 1, applied: [chosen.name] });
    expect((await nodesOf(h, name)).map((n) => n.phase)).toEqual(['Available', 'Abnormal', 'Available']);
    const shown = (await h.client.get(pool(name))).body;
    expect(shown.status.phase).toBe('Abnormal');
    expect(shown.status.resources.abnormal).toEqual([expect.objectContaining({ count: 1 })]);
    expect(shown.status.resources.available).toEqual([expect.objectContaining({ count: 2 })]);
    await expectCountsExact(h, chosen.pool_id);

    const cleared = await adminOk(h, 'DELETE', `/_atelier/faults/${fault.id}`);
    expect(cleared).toEqual({ cleared: [fault.id], healed: [chosen.name] });
    expect((await nodesOf(h, name)).every((n) => n.phase === 'Available')).toBe(true);
    const healed = (await h.client.get(pool(name))).body;
    expect(healed.status.phase).toBe('Running');
    expect(healed.status.resources).toEqual({ available: [expect.objectContaining({ count: 3 })] });
    await expectCountsExact(h, chosen.pool_id);
    expect((await phaseChanges(h, name)).slice(-2)).toEqual([
      'Pool status changed, from Running to Abnormal, details: node abnormal.',
      'Pool status changed, from Abnormal to Running, details: recovered.',
    ]);
    expect((await rollUps(h, name)).slice(-2).map((m) => /from (\S+) to (\S+),/.exec(m)!.slice(1))).toEqual([
      ['3/0/0/0', '2/1/0/0'],
      ['2/1/0/0', '3/0/0/0'],
    ]);
  });

  it('nodeCreate on the next 2 nodes of a pool: they end Abnormal, the pool Abnormal; clearing brings it to Running', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const display = displayName('flaky');
    const fault = await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'nodeCreate', name: display, count: 2 },
      201,
    );
    const created = await createPool(
      h.client,
      createBody(network, { name: display, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 4 }] }),
    );
    const name = created.metadata.name as string;
    await h.settle();
    const nodes = await nodesOf(h, name);
    expect(nodes.filter((n) => n.phase === 'Abnormal')).toHaveLength(2);
    expect(nodes.filter((n) => n.phase === 'Available')).toHaveLength(2);
    expect((await h.client.get(pool(name))).body.status.phase).toBe('Abnormal');
    await expectCountsExact(h, nodes[0].pool_id);
    const changes = await phaseChanges(h, name);
    expect(changes.filter((c) => !c.includes('Waiting'))).toEqual([
      'Pool status changed, from Creating to Running.',
      'Pool status changed, from Running to Abnormal, details: node abnormal.',
    ]);

    const cleared = await adminOk(h, 'DELETE', `/_atelier/faults/${fault.id}`);
    expect(cleared.healed).toHaveLength(2);
    expect((await h.client.get(pool(name))).body.status).toMatchObject({
      phase: 'Running',
      resources: { available: [expect.objectContaining({ count: 4 })] },
    });
    await expectCountsExact(h, nodes[0].pool_id);
  });

  it('driverAbnormal: a GPU node keeps its phase with an Abnormal driver until the fault is cleared', async () => {
    const name = await runningPool(h, h.client, { resources: [{ flavor: GPU, count: 2 }] });
    const fault = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'driverAbnormal', name, count: 1 }, 201);
    expect(fault.applied).toHaveLength(1);
    const nodes = await nodesOf(h, name);
    expect(nodes.map((n) => [n.phase, n.driver_phase]).sort()).toEqual([
      ['Available', 'Abnormal'],
      ['Available', 'Running'],
    ]);
    expect((await h.client.get(pool(name))).body.status.phase).toBe('Running');
    await adminOk(h, 'DELETE', `/_atelier/faults/${fault.id}`);
    expect((await nodesOf(h, name)).map((n) => n.driver_phase)).toEqual(['Running', 'Running']);
  });
});

describe('manual node steps', () => {
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '0' });

  it('hold a pool’s nodes Creating until an advance, which brings them up and the pool to Running', async () => {
    await adminOk(h, 'PUT', '/_atelier/lifecycle', { nodeCreate: { mode: 'manual' } });
    const network = await activeNetwork(h.client, h.settle);
    const display = displayName('held');
    const created = await createPool(
      h.client,
      createBody(network, { name: display, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 3 }] }),
    );
    const name = created.metadata.name as string;
    await h.advance(7 * 24 * 3_600_000);
    expect((await nodesOf(h, name)).map((n) => n.phase)).toEqual(['Creating', 'Creating', 'Creating']);
    expect((await h.client.get(pool(name))).body.status.phase).toBe('Creating');

    await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { name: display });
    await h.settle();
    expect((await nodesOf(h, name)).map((n) => n.phase)).toEqual(['Available', 'Available', 'Available']);
    expect((await h.client.get(pool(name))).body.status).toMatchObject({
      phase: 'Running',
      resources: { available: [expect.objectContaining({ count: 3 })] },
    });
  });
});
