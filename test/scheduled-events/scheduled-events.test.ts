import { beforeAll, describe, expect, it } from 'vitest';
import { listEventsOf } from '../../src/events/event.store.js';
import { admin, adminOk, useAdminHarness } from '../admin/helpers.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { showJob } from '../jobs/helpers.js';
import { CPU_8, show } from '../pools/helpers.js';
import { allNodes, namesOf, runningPool } from '../nodes/helpers.js';

const EVENTS = '/v1/{project_id}/scheduled-events';
const REBOOT_MS = 20_000;
const HOUR = 3_600_000;

describe('scheduled events: published by the emulator, listed, accepted, run on their node', () => {
  const h = useAdminHarness({
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_NODE_REBOOT_SECONDS: String(REBOOT_MS / 1000),
    ATELIER_NODE_RESET_SECONDS: String(REBOOT_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
  });
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const publish = (body: Record<string, unknown>) =>
    adminOk(h, 'POST', '/_atelier/scheduled-events', { project: h.projectId, ...body }, 201);
  const list = async (query = '') => {
    const res = await h.client.get(`${EVENTS}${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body as { events: any[]; count: number };
  };
  const ids = async (query = '') => (await list(query)).events.map((e) => e.id);
  const phaseOf = async (pool: string, node: string) =>
    (await allNodes(h.client, pool)).find((n) => n.metadata.name === node).status.phase;

  it('publish → inquiring; accept → scheduled; at the window start the node reboots; the event completes', async () => {
    const pool = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const [a, b] = namesOf(await allNodes(h.client, pool));
    const start = h.clock.now().getTime() + HOUR;
    const event = await publish({ pool, node: a, type: 'node_reboot', startTime: iso(start) });
    const node = (await allNodes(h.client, pool)).find((n) => n.metadata.name === a);
    expect(event).toEqual({
      id: expect.stringMatching(/^se-[0-9a-f]{12}$/),
      catalog: 'software',
      type: 'node_reboot',
      description: expect.any(String),
      state: 'inquiring',
      instanceType: 'standard',
      instanceId: node.metadata.labels['os.modelarts.node/underlying.instance.id'],
      nodeName: a,
      poolName: pool,
      poolDisplayName: (await show(h.client, pool)).metadata.labels['os.modelarts/name'],
      publishTime: iso(h.clock.now().getTime()),
      startTime: iso(start),
      finishTime: iso(start + HOUR),
      probeMsg: '',
      jobProgress: '0%',
      redeployType: ['SOFT', 'HARD'],
      underLyingInstanceId: node.metadata.labels['os.modelarts.node/underlying.instance.id'],
    });
    expect(await ids(`?id=${event.id}`)).toEqual([event.id]);
    // Nothing happens to an event nobody accepted, even in its window.
    await h.advance(HOUR + 1_000);
    expect((await list(`?id=${event.id}`)).events[0].state).toBe('inquiring');

    const notBefore = h.clock.now().getTime() + 60_000;
    const accepted = await h.client.post(`${EVENTS}/${event.id}/accept`, {
      notBefore: iso(notBefore),
      redeployConfig: { type: 'SOFT', autoFlow: 'true' },
    });
    expect(accepted.status, accepted.text).toBe(200);
    expect([accepted.body.state, accepted.body.notBefore]).toEqual(['scheduled', iso(notBefore)]);
    // Accepting twice: refused, nothing changed.
    expectError(await h.client.post(`${EVENTS}/${event.id}/accept`, {}), 400, 'ModelArts.50004000');
    await h.advance(59_000);
    expect(await phaseOf(pool, a)).toBe('Available');
    await h.advance(1_000);
    const executing = (await list(`?id=${event.id}`)).events[0];
    expect([executing.state, executing.jobProgress]).toEqual(['executing', '50%']);
    expect(await phaseOf(pool, a)).toBe('Checking');
    expect(await phaseOf(pool, b)).toBe('Available');
    await h.advance(REBOOT_MS);
    await h.advance(1_000);
    expect(await phaseOf(pool, a)).toBe('Available');
    const done = (await list(`?id=${event.id}`)).events[0];
    expect([done.state, done.jobProgress, done.probeMsg]).toEqual(['completed', '100%', '']);
    // The reboot was a job like batch-reboot's, with the roll-up and its events.
    const jobs = await h.client.get(`/v2/{project_id}/jobs?resource=pools&name=${pool}`);
    expect(jobs.body.items).toHaveLength(1);
    expect(JSON.parse(jobs.body.items[0].inputs)).toEqual({ nodeNames: [a], scheduledEvent: event.id });
    expect((await showJob(h, jobs.body.items[0].jobId)).phase).toBe('Success');
    const rollUps = (await listEventsOf(h.context.database.db, h.projectId, 'pools', pool))
      .filter((e) => e.reason === 'PoolResourcesStatusChange')
      .map((e) => /from (\S+) to (\S+),/.exec(e.message)?.slice(1).join(' → '));
    expect(rollUps.slice(-2)).toEqual(['2/0/0/0 → 1/1/0/0', '1/1/0/0 → 2/0/0/0']);
  });

  it('an event that needs no accept starts scheduled; a redeploy resets; a node not Available fails the event', async () => {
    const pool = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const [a, b] = namesOf(await allNodes(h.client, pool));
    const redeploy = await publish({ pool, node: a, type: 'node_redeploy', needsAccept: false });
    expect([redeploy.state, redeploy.catalog]).toEqual(['scheduled', 'hardware']);
    await h.settle();
    expect(await phaseOf(pool, a)).toBe('Checking');
    // b is made Abnormal: a reboot takes only Available nodes, so its event fails, saying why.
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'nodeAbnormal', name: b }, 201);
    const reboot = await publish({ pool, node: b, type: 'node_reboot', needsAccept: false });
    await h.advance(1_000);
    const failed = (await list(`?id=${reboot.id}`)).events[0];
    expect(failed.state).toBe('failed');
    expect(failed.probeMsg).toMatch(/only Available nodes/);
    await h.advance(REBOOT_MS);
    await h.advance(1_000);
    expect((await list(`?id=${redeploy.id}`)).events[0].state).toBe('completed');
    const jobs = await h.client.get(`/v2/{project_id}/jobs?resource=pools&name=${pool}&type=reset-nodes`);
    expect(jobs.body.items.map((j: any) => j.phase)).toEqual(['Success']);
    await adminOk(h, 'DELETE', '/_atelier/faults');
  });

  it('every filter of ListScheduledEvents, count before paging; bad values refused', async () => {
    const pool = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    const [a, b] = namesOf(await allNodes(h.client, pool));
    const far = iso(h.clock.now().getTime() + 100 * HOUR);
    const t0 = h.clock.now().getTime();
    const e1 = await publish({ pool, node: a, type: 'system-maintenance', startTime: far });
    h.clock.advance(60_000);
    const e2 = await publish({ pool, node: b, type: 'node_localdisk_recovery', startTime: far });
    h.clock.advance(60_000);
    const e3 = await publish({ pool, node: b, type: 'node_reboot', startTime: far, needsAccept: false });
    const q = `?poolName=${pool}`;
    expect(await ids(q)).toEqual([e3.id, e2.id, e1.id]);
    expect(await ids(`${q}&state=inquiring`)).toEqual([e2.id, e1.id]);
    expect(await ids(`${q}&state=inquiring&state=scheduled`)).toEqual([e3.id, e2.id, e1.id]);
    expect(await ids(`${q}&state=scheduled,completed`)).toEqual([e3.id]);
    expect(await ids(`${q}&type=system-maintenance&type=node_reboot`)).toEqual([e3.id, e1.id]);
    expect(await ids(`${q}&nodeName=${b}`)).toEqual([e3.id, e2.id]);
    expect(await ids(`${q}&id=${e2.id}`)).toEqual([e2.id]);
    expect(await ids(`${q}&publishStartTime=${iso(t0 + 60_000)}`)).toEqual([e3.id, e2.id]);
    expect(await ids(`${q}&publishEndTime=${iso(t0 + 60_000)}`)).toEqual([e2.id, e1.id]);
    expect(await ids(`${q}&workspaceId=0`)).toHaveLength(3);
    expect(await ids(`${q}&workspaceId=ws-other`)).toEqual([]);
    expect(await list(`${q}&limit=1&offset=1`)).toEqual({ count: 3, events: [expect.objectContaining({ id: e2.id })] });
    expect(await ids('?poolName=pool-nope')).toEqual([]);
    for (const bad of [
      'state=sleeping',
      'type=node-reboot',
      'limit=0',
      'limit=101',
      'offset=-1',
      'publishStartTime=yesterday',
      `publishStartTime=${iso(t0 + HOUR)}&publishEndTime=${iso(t0)}`,
    ]) {
      expectError(await h.client.get(`${EVENTS}?${bad}`), 400, 'ModelArts.50004000');
    }
  });

  it('accept: unknown, of another project or workspace → 404; bad notBefore or redeploy type → 400, nothing changed', async () => {
    const pool = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
    const [a] = namesOf(await allNodes(h.client, pool));
    const start = h.clock.now().getTime() + HOUR;
    const event = await publish({ pool, node: a, startTime: iso(start), redeployType: ['HARD'] });
    const accept = (body: unknown, query = '', client = h.client) =>
      client.post(`${EVENTS}/${event.id}/accept${query}`, body);
    const other = await h.newProject();
    expectError(await accept({}, '', other), 404, 'ModelArts.50005101');
    expectError(await h.client.post(`${EVENTS}/se-000000000000/accept`, {}), 404, 'ModelArts.50005101');
    expectError(await accept({}, '?workspaceId=ws-other'), 404, 'ModelArts.50005101');
    expectError(await accept({}, '?workspaceId=0&workspaceId=1'), 400, 'ModelArts.50004000');
    expectError(await accept({ notBefore: iso(start - 2 * HOUR) }), 400, 'ModelArts.50004000');
    expectError(await accept({ notBefore: iso(start + 2 * HOUR) }), 400, 'ModelArts.50004000');
    expectError(await accept({ notBefore: 'tomorrow' }), 400, 'ModelArts.50004000');
    expectError(await accept({ redeployConfig: { type: 'SOFT' } }), 400, 'ModelArts.50004000');
    expect((await list(`?id=${event.id}`)).events[0].state).toBe('inquiring');
    const ok = await accept({ redeployConfig: { type: 'HARD' } }, '?workspaceId=0&workspaceId=0');
    expect(ok.status, ok.text).toBe(200);
    expect([ok.body.state, ok.body.notBefore]).toEqual(['scheduled', iso(start)]);
  });

  it('the emulator control refuses an unknown pool or node, and a reversed window', async () => {
    const pool = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
    const [a] = namesOf(await allNodes(h.client, pool));
    const post = (body: Record<string, unknown>) =>
      admin(h, 'POST', '/_atelier/scheduled-events', { project: h.projectId, ...body });
    expect((await post({ pool: 'pool-nope', node: a })).status).toBe(404);
    expect((await post({ pool, node: 'os-node-created-nope0' })).status).toBe(404);
    const now = h.clock.now().getTime();
    expect((await post({ pool, node: a, startTime: iso(now + HOUR), finishTime: iso(now) })).status).toBe(400);
    expect((await post({ pool, node: a, type: 'reboot' })).status).toBe(400);
  });
});
