// Simulated workloads (docs/emulator.md, "Workloads"): submitted through the emulator
// control, placed on nodes with room, run for their duration on the service clock and
// ended with their outcome; ListWorkloads and ShowWorkloadStatistics answer from them,
// and a node's availableResources shows what runs on it.
import { describe, expect, it } from 'vitest';
import { adminOk } from '../admin/helpers.js';
import { expectError } from '../helpers/fixtures.js';
import { allNodes, action } from '../nodes/helpers.js';
import {
  list,
  NODE_CPU_M,
  NODE_MEMORY_MI,
  statistics,
  statuses,
  submit,
  submitRaw,
  twoNodePool,
  useWorkloadHarness,
  workloads,
} from './helpers.js';

const ZERO = {
  Queue: 0,
  Pending: 0,
  Abnormal: 0,
  Terminating: 0,
  Creating: 0,
  Running: 0,
  Completed: 0,
  Terminated: 0,
  Failed: 0,
};

describe('workloads', () => {
  const h = useWorkloadHarness();

  it('are placed first fit in queue order, wait while nothing fits, and end on the clock', async () => {
    const p = await twoNodePool(h);
    const w1 = await submit(h, {
      pool: p.name,
      type: 'train',
      name: 'w1',
      resources: { cpu: '4', memory: '8Gi' },
      durationSeconds: 600,
    });
    expect(w1).toMatchObject({ status: 'Running', hostIps: p.ips[0], pendingPosition: -1, runningDuration: 0 });
    await submit(h, { pool: p.name, type: 'infer', name: 'w2', resources: { cpu: '6', memory: '16Gi' } });
    const w3 = await submit(h, {
      pool: p.name,
      type: 'notebook',
      name: 'w3',
      resources: { cpu: '4000m', memory: '4096Mi' },
      durationSeconds: 300,
    });
    expect(w3).toMatchObject({ status: 'Pending', hostIps: '', nodes: [], pendingPosition: 1 });
    // A smaller job behind it fits on the first node: placement skips what does not fit.
    await submit(h, {
      pool: p.name,
      type: 'train',
      name: 'w4',
      resources: { cpu: '1', memory: '1Gi' },
      durationSeconds: 120,
      outcome: 'Failed',
    });

    const all = await list(h, p.name);
    expect(all).toMatchObject({ apiVersion: 'v1', kind: 'WorkloadList', metadata: {}, total: 4 });
    expect(all.items.map((w: any) => w.jobName)).toEqual(['w4', 'w3', 'w2', 'w1']);
    const w2 = all.items[2];
    expect(w2).toMatchObject({
      apiVersion: 'v1',
      kind: 'Workload',
      type: 'infer',
      namespace: p.name,
      name: `modelarts-job-${w2.jobUUID}`,
      status: 'Running',
      priority: '0',
      resourceRequirement: { cpu: '6 Cores', memory: '16 GiB' },
      createTime: p.base,
      gvk: 'apps/v1, Kind=Deployment',
      hostIps: p.ips[1],
      nodes: [{ hostIp: p.ips[1], resourceRequirement: { cpu: '6', memory: '16Gi' } }],
    });

    // The nodes show what runs on them.
    const nodes = Object.fromEntries((await allNodes(h.client, p.name)).map((n) => [n.metadata.name, n.status]));
    expect(nodes[p.nodes[0]].availableResources).toEqual({
      cpu: `${NODE_CPU_M - 5000}m`,
      memory: `${NODE_MEMORY_MI - 9216}Mi`,
    });
    expect(nodes[p.nodes[1]].availableResources).toEqual({
      cpu: `${NODE_CPU_M - 6000}m`,
      memory: `${NODE_MEMORY_MI - 16384}Mi`,
    });
    expect(nodes[p.nodes[0]].resources).toEqual({ cpu: `${NODE_CPU_M}m`, memory: `${NODE_MEMORY_MI}Mi` });
    const shown = await h.client.get(`/v2/{project_id}/pools/${p.name}/nodes/${p.nodes[1]}`);
    expect(shown.body.status.availableResources.cpu).toBe(`${NODE_CPU_M - 6000}m`);

    let stats = await h.client.get(statistics(p.name));
    expect(stats.status, stats.text).toBe(200);
    expect(stats.body).toEqual({
      statistics: {
        total: 4,
        items: [
          { type: 'train', total: 2, status: { ...ZERO, Running: 2 } },
          { type: 'infer', total: 1, status: { ...ZERO, Running: 1 } },
          { type: 'notebook', total: 1, status: { ...ZERO, Pending: 1 } },
        ],
      },
    });

    // Two minutes on, w4 fails; w3 still does not fit (3.8 cores free on the first node).
    await h.advance(120_000);
    expect(await statuses(h, p.name)).toEqual({ w1: 'Running', w2: 'Running', w3: 'Pending', w4: 'Failed' });
    // One jump over w1's end (600 s) and w3's whole run (600 s to 900 s): each at its own time.
    await h.advance(880_000);
    expect(await statuses(h, p.name)).toEqual({ w1: 'Completed', w2: 'Running', w3: 'Completed', w4: 'Failed' });
    const after = (await list(h, p.name)).items;
    const by = Object.fromEntries(after.map((w: any) => [w.jobName, w]));
    expect(by.w3).toMatchObject({ runningDuration: 300, pendingDuration: 600, hostIps: p.ips[0] });
    expect(by.w1).toMatchObject({ runningDuration: 600, pendingDuration: 0 });
    expect(by.w4).toMatchObject({ runningDuration: 120 });
    expect(by.w2).toMatchObject({ runningDuration: 1000, pendingDuration: 0 });

    stats = await h.client.get(statistics(p.name));
    expect(stats.body.statistics).toEqual({
      total: 4,
      items: [
        { type: 'train', total: 2, status: { ...ZERO, Completed: 1, Failed: 1 } },
        { type: 'infer', total: 1, status: { ...ZERO, Running: 1 } },
        { type: 'notebook', total: 1, status: { ...ZERO, Completed: 1 } },
      ],
    });
  });

  it('filters by type, status and node IP, sorts and pages', async () => {
    const p = await twoNodePool(h);
    const submitted = [];
    for (const [name, type, cpu] of [
      ['a', 'train', '7'],
      ['b', 'infer', '7'],
      ['c', 'notebook', '7'],
      ['d', 'train', '500m'],
    ] as const) {
      submitted.push(await submit(h, { pool: p.name, type, name, resources: { cpu } }));
      await h.advance(1000);
    }
    const names = async (query: string) => (await list(h, p.name, query)).items.map((w: any) => w.jobName);
    expect(await names('')).toEqual(['d', 'c', 'b', 'a']);
    expect(await names('?sort=create_time&ascend=true')).toEqual(['a', 'b', 'c', 'd']);
    expect(await names('?type=train')).toEqual(['d', 'a']);
    expect(await names('?type=train&type=notebook')).toEqual(['d', 'c', 'a']);
    expect(await names('?type=infer,notebook')).toEqual(['c', 'b']);
    expect(await names('?status=Pending')).toEqual(['c']);
    expect(await names('?status=Running&type=train')).toEqual(['d', 'a']);
    expect(await names(`?hostip=${p.ips[1]}`)).toEqual(['b']);
    expect(await names(`?hostip=${p.ips[0]},${p.ips[1]}`)).toEqual(['d', 'b', 'a']);
    // With hostip, offset and limit are ignored (HW).
    expect(await names(`?hostip=${p.ips[0]}&offset=1&limit=1`)).toEqual(['d', 'a']);
    const page = await list(h, p.name, '?offset=1&limit=2');
    expect(page.total).toBe(4);
    expect(page.items.map((w: any) => w.jobName)).toEqual(['c', 'b']);
    expect((await list(h, p.name, '?type=x-infer')).total).toBe(0);
    expect((await list(h, p.name, '?status=Pending')).items[0]).toMatchObject({ pendingPosition: 1 });
  });

  it('a node that leaves ends its training jobs and puts its inference services back in the queue', async () => {
    const p = await twoNodePool(h);
    await submit(h, { pool: p.name, type: 'train', name: 'job', resources: { cpu: '5' } });
    await submit(h, { pool: p.name, type: 'infer', name: 'svc', resources: { cpu: '5' } });
    await submit(h, { pool: p.name, type: 'infer', name: 'svc2', resources: { cpu: '5' } });
    expect(await statuses(h, p.name)).toEqual({ job: 'Running', svc: 'Running', svc2: 'Pending' });
    // The first node goes: its job ends Terminated; the service on the second node stays.
    const res = await h.client.post(action(p.name, 'batch-delete'), { deleteNodeNames: [p.nodes[0]] });
    expect(res.status, res.text).toBe(200);
    await h.settle();
    expect(await statuses(h, p.name)).toEqual({ job: 'Terminated', svc: 'Running', svc2: 'Pending' });
    // Growing the pool again brings a node up, and the waiting service is placed on it.
    const grown = await h.client.patch(`/v2/{project_id}/pools/${p.name}`, {
      spec: { resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 2 }] },
    });
    expect(grown.status, grown.text).toBe(200);
    await h.advance(60_000);
    const now = (await list(h, p.name)).items;
    const svc2 = now.find((w: any) => w.jobName === 'svc2');
    expect(svc2.status).toBe('Running');
    expect(svc2.hostIps).not.toBe(p.ips[1]);
    // Deleting the second node (svc's) requeues svc; no room is left for it.
    const second = await h.client.post(action(p.name, 'batch-delete'), { deleteNodeNames: [p.nodes[1]] });
    expect(second.status, second.text).toBe(200);
    await h.settle();
    const svc = (await list(h, p.name)).items.find((w: any) => w.jobName === 'svc');
    expect(svc).toMatchObject({ status: 'Pending', hostIps: '', pendingPosition: 1 });
  });

  it('refuses bad input with the envelope and changes nothing', async () => {
    const p = await twoNodePool(h);
    await submit(h, { pool: p.name, type: 'train', name: 'kept', resources: { cpu: '1' } });
    for (const query of [
      '?type=training',
      '?status=running',
      '?status=Running,Done',
      '?sort=name',
      '?limit=501',
      '?limit=-1',
      '?offset=x',
      '?offset=99999999999',
      '?hostip=10.0.0',
      '?ascend=maybe',
    ]) {
      expectError(await h.client.get(workloads(p.name, query)), 400, 'ModelArts.50004000');
    }
    expectError(await h.client.get(workloads('no-such-pool')), 404, 'ModelArts.50015001');
    expectError(await h.client.get(statistics('no-such-pool')), 404, 'ModelArts.50015001');

    const good = { project: h.projectId, pool: p.name, type: 'train', name: 'x', resources: { cpu: '1' } };
    for (const body of [
      { ...good, type: 'batch' },
      { ...good, resources: { cpu: 'lots' } },
      { ...good, resources: { memory: '3 apples' } },
      { ...good, resources: { cpu: '0' } },
      { ...good, resources: {} },
      { ...good, durationSeconds: 0 },
      { ...good, outcome: 'Exploded' },
      { ...good, flavor: 'no.such.flavor' },
      { ...good, extra: true },
    ]) {
      const res = await submitRaw(h, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_code).toBe('ModelArts.50004000');
    }
    expect((await submitRaw(h, { ...good, pool: 'no-such-pool' })).status).toBe(404);
    expect(await statuses(h, p.name)).toEqual({ kept: 'Running' });
  });

  it('a pool being deleted ends all its workloads Terminated', async () => {
    const p = await twoNodePool(h);
    await submit(h, { pool: p.name, type: 'infer', name: 'svc', resources: { cpu: '7' } });
    await submit(h, { pool: p.name, type: 'train', name: 'queued', resources: { cpu: '16' } });
    // The teardown waits, so the pool and its workloads can still be read.
    await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolDelete: { mode: 'manual' } });
    try {
      const res = await h.client.delete(`/v2/{project_id}/pools/${p.name}`);
      expect(res.status, res.text).toBe(200);
      await h.settle();
      expect(await statuses(h, p.name)).toEqual({ svc: 'Terminated', queued: 'Terminated' });
    } finally {
      await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolDelete: { mode: 'auto', seconds: 0 } });
    }
  });
});
