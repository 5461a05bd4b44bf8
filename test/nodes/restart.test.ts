import { beforeAll, describe, expect, it } from 'vitest';
import { listEventsOf } from '../../src/events/event.store.js';
import { adminOk, useAdminHarness } from '../admin/helpers.js';
import type { ApiResponse } from '../helpers/client.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { showJob } from '../jobs/helpers.js';
import { CPU_8, GPU_T4, show } from '../pools/helpers.js';
import { action, allNodes, namesOf, runningPool } from './helpers.js';

const REBOOT_MS = 30_000;
const RESET_MS = 50_000;

describe('batch-reboot and batch-reset: the nodes go Checking and come back, a job tells', () => {
  const h = useAdminHarness({
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_NODE_REBOOT_SECONDS: String(REBOOT_MS / 1000),
    ATELIER_NODE_RESET_SECONDS: String(RESET_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const post = (name: string, verb: string, body: unknown) => h.client.post(action(name, verb), body);
  const phases = async (name: string) =>
    Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n.status.phase]));
  const rollUps = async (name: string) =>
    (await listEventsOf(h.context.database.db, h.projectId, 'pools', name))
      .filter((e) => e.reason === 'PoolResourcesStatusChange')
      .map((e) => /from (\S+) to (\S+),/.exec(e.message)?.slice(1).join(' → '));

  /** Expects a 4xx that leaves the pool and every node exactly as they were. */
  const expectRefused = async (name: string, verb: string, body: unknown, message?: RegExp) => {
    const before = { pool: await show(h.client, name), nodes: await allNodes(h.client, name) };
    const res: ApiResponse = await post(name, verb, body);
    expectError(res, 400, 'ModelArts.50004000');
    if (message) expect(res.body.error_msg).toMatch(message);
    expect({ pool: await show(h.client, name), nodes: await allNodes(h.client, name) }).toEqual(before);
  };

  it('reboot: job_id and nodeNames; Checking (abnormal bucket, driver Pending) for the reboot time; then Available and Success', async () => {
    const name = await runningPool(h, net, [{ flavor: GPU_T4, count: 3 }]);
    const [a, b, c] = namesOf(await allNodes(h.client, name));
    const res = await post(name, 'batch-reboot', { nodeNames: [a, b] });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^job-[0-9a-f]{8}$/), nodeNames: [a, b] });
    const jobId = res.body.job_id as string;
    expect((await showJob(h, jobId)).phase).toBe('Pending');
    expect(await phases(name)).toEqual({ [a]: 'Checking', [b]: 'Checking', [c]: 'Available' });
    const shown = await show(h.client, name);
    expect(shown.status.phase).toBe('Running');
    expect(shown.status.resources.abnormal).toEqual([expect.objectContaining({ flavor: GPU_T4, count: 2 })]);
    const rebooting = (await allNodes(h.client, name)).find((n) => n.metadata.name === a);
    expect(rebooting.status.driver.phase).toBe('Pending');

    await h.settle();
    expect((await showJob(h, jobId)).phase).toBe('Running');
    await h.advance(REBOOT_MS - 1_000);
    expect(await phases(name)).toEqual({ [a]: 'Checking', [b]: 'Checking', [c]: 'Available' });
    await h.advance(1_000);
    expect(await phases(name)).toEqual({ [a]: 'Available', [b]: 'Available', [c]: 'Available' });
    const job = await showJob(h, jobId);
    expect([job.phase, job.type, job.message]).toEqual(['Success', 'reboot-node', '']);
    expect(JSON.parse(job.involvedObjects)).toEqual({ pools: [name], nodes: [a, b] });
    const back = await show(h.client, name);
    expect(back.status.resources.abnormal).toBeUndefined();
    expect(back.status.resources.available).toEqual([expect.objectContaining({ count: 3 })]);
    expect((await allNodes(h.client, name)).every((n) => n.status.driver.phase === 'Running')).toBe(true);
    expect(await rollUps(name)).toEqual([
      '0/0/0/0 → 0/0/3/0',
      '0/0/3/0 → 3/0/0/0',
      '3/0/0/0 → 1/2/0/0',
      '1/2/0/0 → 3/0/0/0',
    ]);
    // ListJobs finds it by pool and type.
    const listed = await h.client.get(`/v2/{project_id}/jobs?resource=pools&name=${name}&type=reboot-node`);
    expect(listed.body.items.map((j: { jobId: string }) => j.jobId)).toEqual([jobId]);
  });

  it('reset: the job_id alone; new image and runtime on the nodes; a drained node is drained no more', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const [a, b] = namesOf(await allNodes(h.client, name));
    expect((await post(name, 'batch-drain', { nodeNames: [a] })).status).toBe(200);
    const res = await post(name, 'batch-reset', {
      nodeNames: [a],
      rollingConfig: { strategy: 'node', maxUnavailable: 1 },
      nodeConfig: { os: 'EulerOS 2.10', imageId: 'img-2', imageType: 'private', runtime: 'containerd' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^job-/) });
    await h.settle();
    await h.advance(REBOOT_MS);
    expect(await phases(name)).toEqual({ [a]: 'Checking', [b]: 'Available' });
    await h.advance(RESET_MS - REBOOT_MS);
    const node = (await allNodes(h.client, name)).find((n) => n.metadata.name === a);
    expect(node.status.phase).toBe('Available');
    expect(node.spec.os).toMatchObject({ name: 'EulerOS 2.10', imageId: 'img-2', imageType: 'private' });
    expect(node.spec.extendParams.runtime).toBe('containerd');
    expect(node.status.taints ?? []).toEqual([]);
    expect(node.metadata.annotations['os.modelarts.node/drain']).toBeUndefined();
    const job = await showJob(h, res.body.job_id);
    expect([job.phase, job.type]).toEqual(['Success', 'reset-nodes']);
    expect(JSON.parse(job.inputs).rollingConfig).toEqual({ strategy: 'node', maxUnavailable: 1 });
  });

  it('a nodeReboot fault keeps a node from coming back: it ends Abnormal, the pool Abnormal, the job Failed naming it', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 3 }]);
    const [a, b] = namesOf(await allNodes(h.client, name));
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'nodeReboot', name: b }, 201);
    const res = await post(name, 'batch-reboot', { nodeNames: [a, b] });
    expect(res.status, res.text).toBe(200);
    await h.settle();
    await h.advance(REBOOT_MS);
    expect((await phases(name))[b]).toBe('Abnormal');
    expect((await phases(name))[a]).toBe('Available');
    const job = await showJob(h, res.body.job_id);
    expect(job.phase).toBe('Failed');
    expect(job.message).toContain(`${b} (Abnormal)`);
    expect((await show(h.client, name)).status.phase).toBe('Abnormal');
    // Clearing the fault heals the node and the pool.
    await adminOk(h, 'DELETE', '/_atelier/faults');
    await h.settle();
    expect((await phases(name))[b]).toBe('Available');
    expect((await show(h.client, name)).status.phase).toBe('Running');
  });

  it('refusals change nothing: unknown names, duplicates, empty lists, a node already rebooting, bad bodies', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const [a, b] = namesOf(await allNodes(h.client, name));
    const reset = (nodeNames: string[]) => ({ nodeNames, rollingConfig: { strategy: 'node', maxUnavailable: 1 } });
    await expectRefused(
      name,
      'batch-reboot',
      { nodeNames: [a, 'os-node-created-nope0'] },
      /no node os-node-created-nope0/,
    );
    await expectRefused(name, 'batch-reboot', { nodeNames: [a, a] }, /named more than once/);
    await expectRefused(name, 'batch-reboot', { nodeNames: [] });
    await expectRefused(name, 'batch-reboot', {});
    await expectRefused(name, 'batch-reset', reset([b, 'nope']));
    await expectRefused(name, 'batch-reset', { nodeNames: [a] }, /rollingConfig/);
    await expectRefused(name, 'batch-reset', { ...reset([a]), rollingConfig: { strategy: 'node', maxUnavailable: 0 } });
    await expectRefused(name, 'batch-reset', { ...reset([a]), nodeConfig: { runtime: 'podman' } });
    expect((await post(name, 'batch-reboot', { nodeNames: [a] })).status).toBe(200);
    await expectRefused(name, 'batch-reboot', { nodeNames: [a] }, /only Available nodes can be restarted: .*Checking/);
    await expectRefused(name, 'batch-reset', reset([a, b]), /Checking/);
    await h.settle();
    await h.advance(REBOOT_MS);
  });

  it('a pool being deleted, an unknown pool, a pool of another project: refused', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
    const [a] = namesOf(await allNodes(h.client, name));
    const other = await h.newProject();
    const foreign = await other.post(action(name, 'batch-reboot'), { nodeNames: [a] });
    expectError(foreign, 404, 'ModelArts.50015001');
    expectError(await post('pool-nope', 'batch-reboot', { nodeNames: [a] }), 404, 'ModelArts.50015001');
    expect((await h.client.delete(`/v2/{project_id}/pools/${name}`)).status).toBe(200);
    const res = await post(name, 'batch-reboot', { nodeNames: [a] });
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toMatch(/Deleting/);
  });

  it('a pool deleted while its nodes reboot: the job ends Failed, nothing is left behind', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const [a] = namesOf(await allNodes(h.client, name));
    const res = await post(name, 'batch-reboot', { nodeNames: [a] });
    await h.settle();
    expect((await h.client.delete(`/v2/{project_id}/pools/${name}`)).status).toBe(200);
    await h.advance(600_000);
    expect((await h.client.get(`/v2/{project_id}/pools/${name}`)).status).toBe(404);
    const job = await showJob(h, res.body.job_id);
    expect(job.phase).toBe('Failed');
    expect(job.message).toContain(name);
  });
});
