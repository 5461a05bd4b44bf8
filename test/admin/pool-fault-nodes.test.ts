// A pool fault and node faults on the same pool (docs/emulator.md, "Node faults"):
// the pool's own sickness ending heals the nodes it made Abnormal, never a node
// that a node fault of its own still holds — over HTTP, on both databases.
import { describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import { activeNetwork, displayName } from '../helpers/fixtures.js';
import { createBody, createPool, eventsOf, phaseChanges, pool } from '../pools/helpers.js';
import { expectCountsExact } from '../engine/node-checks.js';
import { adminOk, runningPool, useAdminHarness } from './helpers.js';

const CPU = 'modelarts.vm.cpu.8ud';
const GPU = 'modelarts.vm.gpu.t4';

async function nodesOf(h: Harness, poolName: string) {
  return h.context.database.db
    .selectFrom('nodes')
    .innerJoin('pools', 'pools.id', 'nodes.pool_id')
    .select(['nodes.name', 'nodes.phase', 'nodes.driver_phase', 'nodes.pool_id', 'nodes.annotations'])
    .where('pools.name', '=', poolName)
    .orderBy('nodes.id')
    .execute();
}

const rollUps = async (h: Harness, name: string) =>
  (await eventsOf(h, name))
    .filter((e) => e.reason === 'PoolResourcesStatusChange')
    .map((e) => /from (\S+) to (\S+),/.exec(e.message)!.slice(1).join(' → '));

/** A pool of three CPU nodes whose first node a `nodeCreate` fault fails and that a pool fault makes Abnormal. */
async function doublyFaulted(h: Harness) {
  const network = await activeNetwork(h.client, h.settle);
  const display = displayName('twice');
  const nodeFault = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'nodeCreate', name: display }, 201);
  const poolFault = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'abnormal', name: display }, 201);
  const created = await createPool(
    h.client,
    createBody(network, { name: display, resources: [{ flavor: CPU, count: 3 }] }),
  );
  const name = created.metadata.name as string;
  await h.settle();
  const nodes = await nodesOf(h, name);
  expect(nodes.map((n) => n.phase)).toEqual(['Abnormal', 'Abnormal', 'Abnormal']);
  expect(nodes.filter((n) => n.annotations.includes('atelier.io/fault'))).toHaveLength(1);
  expect((await h.client.get(pool(name))).body.status.phase).toBe('Abnormal');
  const faulted = nodes.find((n) => n.annotations.includes('atelier.io/fault'))!;
  return { name, poolId: Number(nodes[0].pool_id), faulted: faulted.name, nodeFault, poolFault };
}

describe('a pool fault over node faults', () => {
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '0' });

  it('clearing the pool fault heals the nodes it sickened, not the node its own fault holds; the pool stays Abnormal', async () => {
    const { name, poolId, faulted, nodeFault, poolFault } = await doublyFaulted(h);
    const cleared = await adminOk(h, 'DELETE', `/_atelier/faults/${poolFault.id}`);
    expect(cleared).toEqual({ cleared: [poolFault.id], healed: [] });
    const nodes = await nodesOf(h, name);
    expect(nodes.map((n) => [n.name === faulted, n.phase])).toEqual(
      nodes.map((n) => [n.name === faulted, n.name === faulted ? 'Abnormal' : 'Available']),
    );
    const shown = (await h.client.get(pool(name))).body;
    expect(shown.status).toMatchObject({
      phase: 'Abnormal',
      message: 'Pool abnormal: 1 node(s) Abnormal (emulator fault).',
      resources: {
        abnormal: [expect.objectContaining({ count: 1 })],
        available: [expect.objectContaining({ count: 2 })],
      },
    });
    await expectCountsExact(h.context.database.db, poolId);
    expect((await rollUps(h, name)).at(-1)).toBe('0/3/0/0 → 2/1/0/0');
    expect(await phaseChanges(h, name)).not.toContain(
      'Pool status changed, from Abnormal to Running, details: recovered.',
    );

    // The node's own fault cleared: now nothing holds the pool.
    const healed = await adminOk(h, 'DELETE', `/_atelier/faults/${nodeFault.id}`);
    expect(healed).toEqual({ cleared: [nodeFault.id], healed: [faulted] });
    expect((await nodesOf(h, name)).every((n) => n.phase === 'Available')).toBe(true);
    expect((await h.client.get(pool(name))).body.status).toMatchObject({
      phase: 'Running',
      resources: { available: [expect.objectContaining({ count: 3 })] },
    });
    await expectCountsExact(h.context.database.db, poolId);
    expect((await rollUps(h, name)).at(-1)).toBe('2/1/0/0 → 3/0/0/0');
    expect((await phaseChanges(h, name)).at(-1)).toBe(
      'Pool status changed, from Abnormal to Running, details: recovered.',
    );
  });

  it('clearing the node fault first leaves the node Abnormal with its pool; clearing the pool fault then heals all', async () => {
    const { name, poolId, faulted, nodeFault, poolFault } = await doublyFaulted(h);
    await adminOk(h, 'DELETE', `/_atelier/faults/${nodeFault.id}`);
    const nodes = await nodesOf(h, name);
    expect(nodes.map((n) => n.phase)).toEqual(['Abnormal', 'Abnormal', 'Abnormal']);
    expect(nodes.find((n) => n.name === faulted)!.annotations).not.toContain('atelier.io/fault');
    expect((await h.client.get(pool(name))).body.status.phase).toBe('Abnormal');
    await expectCountsExact(h.context.database.db, poolId);

    expect(await adminOk(h, 'DELETE', `/_atelier/faults/${poolFault.id}`)).toEqual({
      cleared: [poolFault.id],
      healed: [name],
    });
    expect((await nodesOf(h, name)).every((n) => n.phase === 'Available')).toBe(true);
    expect((await h.client.get(pool(name))).body.status.phase).toBe('Running');
    expect((await rollUps(h, name)).at(-1)).toBe('0/3/0/0 → 3/0/0/0');
    await expectCountsExact(h.context.database.db, poolId);
  });

  it('a pool fault that recovers gives a node its Abnormal driver back, not a Running one', async () => {
    const name = await runningPool(h, h.client, { resources: [{ flavor: GPU, count: 2 }] });
    const driverFault = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'driverAbnormal', name }, 201);
    const [sickDriver] = driverFault.applied as string[];
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'abnormal', name, recoverAfterSeconds: 30 }, 201);
    expect((await nodesOf(h, name)).map((n) => [n.phase, n.driver_phase])).toEqual([
      ['Abnormal', 'Abnormal'],
      ['Abnormal', 'Abnormal'],
    ]);
    await h.advance(30_000);
    expect((await h.client.get(pool(name))).body.status.phase).toBe('Running');
    const nodes = await nodesOf(h, name);
    expect(nodes.map((n) => [n.name === sickDriver, n.phase, n.driver_phase])).toEqual(
      nodes.map((n) => [n.name === sickDriver, 'Available', n.name === sickDriver ? 'Abnormal' : 'Running']),
    );
    await expectCountsExact(h.context.database.db, Number(nodes[0].pool_id));
    await adminOk(h, 'DELETE', `/_atelier/faults/${driverFault.id}`);
    expect((await nodesOf(h, name)).map((n) => n.driver_phase)).toEqual(['Running', 'Running']);
  });
});
