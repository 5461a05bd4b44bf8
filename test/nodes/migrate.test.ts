import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { showJob } from '../jobs/helpers.js';
import { CPU_8, GPU_T4, show } from '../pools/helpers.js';
import { action, allNodes, namesOf, runningPool } from './helpers.js';

describe('batch-migrate: nodes move to another pool of the project and flavor, as a job', () => {
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_QUOTA: '100',
  });
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });
  const migrate = (from: string, body: Record<string, unknown>) =>
    h.client.post(action(from, 'batch-migrate'), { fromClusterName: from, ...body });

  it('the nodes leave the source (Checking), appear in the target, both pools’ specs and counts follow; job Success', async () => {
    const a = await runningPool(h, net, [{ flavor: CPU_8, count: 3 }]);
    const b = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
    const [n1, n2, n3] = namesOf(await allNodes(h.client, a));
    const res = await migrate(a, { migrateNodeNames: [n1, n2], toClusterName: b, resourceSpec: { flavor: CPU_8 } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^job-/) });
    expect((await allNodes(h.client, a)).filter((n) => n.status.phase === 'Checking')).toHaveLength(2);
    await h.settle();
    expect(namesOf(await allNodes(h.client, a))).toEqual([n3]);
    const moved = (await allNodes(h.client, b)).filter((n) => [n1, n2].includes(n.metadata.name));
    expect(moved.map((n) => n.status.phase)).toEqual(['Available', 'Available']);
    expect(moved[0].metadata.labels['os.modelarts.node/cluster']).toBe(b);
    const [source, target] = [await show(h.client, a), await show(h.client, b)];
    expect(source.spec.resources).toEqual([expect.objectContaining({ flavor: CPU_8, count: 1 })]);
    expect(target.spec.resources).toEqual([expect.objectContaining({ flavor: CPU_8, count: 3 })]);
    expect(source.status.resources).toEqual({ available: [expect.objectContaining({ count: 1 })] });
    expect(target.status.resources).toEqual({ available: [expect.objectContaining({ count: 3 })] });
    const job = await showJob(h, res.body.job_id);
    expect([job.phase, job.type]).toEqual(['Success', 'migrate-nodes']);
  });

  it('refusals change nothing: another flavor, the same cluster, the last node, unknown target, wrong fromClusterName', async () => {
    const a = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const gpu = await runningPool(h, net, [{ flavor: GPU_T4, count: 1 }]);
    const [n1, n2] = namesOf(await allNodes(h.client, a));
    const before = await allNodes(h.client, a);
    for (const [body, status] of [
      [{ migrateNodeNames: [n1], toClusterName: gpu }, 400],
      [{ migrateNodeNames: [n1], toClusterName: a }, 400],
      [{ migrateNodeNames: [n1, n2], toClusterName: gpu }, 400],
      [{ migrateNodeNames: [n1], toClusterName: 'pool-nope' }, 404],
      [{ migrateNodeNames: [n1, n1], toClusterName: gpu }, 400],
      [{ migrateNodeNames: [], toClusterName: gpu }, 400],
      [{ migrateNodeNames: ['nope'], toClusterName: gpu }, 400],
      [{ migrateNodeNames: [n1], toClusterName: gpu, resourceSpec: { flavor: GPU_T4 } }, 400],
      [{ migrateNodeNames: [n1], toClusterName: gpu, fromClusterName: gpu }, 400],
    ] as const) {
      const res = await migrate(a, body);
      expectError(res, status, status === 404 ? 'ModelArts.50015001' : 'ModelArts.50004000');
    }
    expect(await allNodes(h.client, a)).toEqual(before);
  });
});
