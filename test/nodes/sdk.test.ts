// The node operations through the official SDK's own HTTP client (HcClient, sent in the shape the generated
// ModelArtsClient's request builders give: method, path, query strings, JSON body with application/json).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { displayName, networkBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, sdkClient, TempDirs } from '../identity/helpers.js';
import { CPU_8 } from '../pools/helpers.js';

const dirs = new TempDirs();
const ADMIN_TOKEN = 'sdk-test-admin-token-0123456789';
let server: RunningServer;
const projectId = randomBytes(16).toString('hex');
const ak = `AK${randomBytes(9).toString('hex').toUpperCase()}`;
const sk = randomBytes(20).toString('base64url');

beforeAll(async () => {
  server = await listen(dirs.make(), {
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: ak,
    ATELIER_BOOTSTRAP_SK: sk,
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_ENGINE_INTERVAL_MS: '20',
    ATELIER_ADMIN_TOKEN: ADMIN_TOKEN,
  });
});
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

describe("node operations through the SDK's own HTTP client", () => {
  it('listPoolNodes, showPoolNode and the batch actions answer 2xx as the SDK models them', async () => {
    const client = sdkClient({ endpoint: server.address, ak, sk, projectId });
    const net = await client.call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    expect(net.status, net.errorMsg).toBe(200);
    const netName = net.body.metadata.name as string;
    await waitFor(
      async () => (await client.call({ method: 'GET', url: `/v1/{project_id}/networks/${netName}` })).body,
      { until: (b) => b?.status?.phase === 'Active', interval: 20 },
    );
    const created = await client.call({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      body: {
        apiVersion: 'v2',
        kind: 'Pool',
        metadata: { labels: { 'os.modelarts/name': displayName('sdk') } },
        spec: {
          type: 'Dedicate',
          scope: ['Train'],
          network: { name: netName },
          resources: [{ flavor: CPU_8, count: 3 }],
        },
      },
    });
    expect(created.status, created.errorMsg).toBe(200);
    const pool = created.body.metadata.name as string;
    const base = `/v2/{project_id}/pools/${pool}/nodes`;
    await waitFor(async () => (await client.call({ method: 'GET', url: `/v2/{project_id}/pools/${pool}` })).body, {
      until: (b) => b?.status?.phase === 'Running',
      interval: 20,
    });

    // listPoolNodes: the SDK sends limit as a string query parameter.
    const page = await client.call({ method: 'GET', url: base, query: { limit: '2' } });
    expect(page.status, page.errorMsg).toBe(200);
    expect(page.body.kind).toBe('NodeList');
    expect(page.body.items).toHaveLength(2);
    const rest = await client.call({
      method: 'GET',
      url: base,
      query: { limit: '2', continue: page.body.metadata.continue },
    });
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.metadata).toEqual({});
    const names = [...page.body.items, ...rest.body.items].map((n: { metadata: { name: string } }) => n.metadata.name);

    const shown = await client.call({ method: 'GET', url: `${base}/${names[0]}` });
    expect(shown.status, shown.errorMsg).toBe(200);
    expect(shown.body.metadata.name).toBe(names[0]);

    const lock = await client.call({
      method: 'POST',
      url: `${base}/batch-lock`,
      body: { nodeNames: [names[0]], actions: ['delete'] },
    });
    expect([lock.status, lock.body.nodes]).toEqual([200, [{ name: names[0], status: 'success' }]]);
    const unlock = await client.call({
      method: 'POST',
      url: `${base}/batch-unlock`,
      body: { nodeNames: [names[0]], actions: ['delete'] },
    });
    expect([unlock.status, unlock.body.nodes]).toEqual([200, [{ name: names[0], status: 'success' }]]);
    const update = await client.call({
      method: 'POST',
      url: `${base}/batch-update`,
      body: { nodeNames: [names[1]], action: 'openHaRedundant', haRedundantEffect: 'NoSchedule' },
    });
    expect([update.status, update.body.successNodeNames, update.body.failNodeNames]).toEqual([200, [names[1]], []]);
    const bind = await client.call({
      method: 'POST',
      url: `${base}/batch-bind`,
      body: { nodes: [{ name: names[1], quotaName: 'q1' }] },
    });
    expect(bind.status, bind.errorMsg).toBe(200);
    const drain = await client.call({ method: 'POST', url: `${base}/batch-drain`, body: { nodeNames: [names[1]] } });
    expect(drain.status, drain.errorMsg).toBe(200);
    const del = await client.call({
      method: 'POST',
      url: `${base}/batch-delete`,
      body: { deleteNodeNames: [names[2]] },
    });
    expect(del.status, del.errorMsg).toBe(200);
    // What the Terraform provider does next: poll the unpaged list until the name is gone.
    await waitFor(async () => (await client.call({ method: 'GET', url: base })).body, {
      until: (b) => b?.items?.length === 2,
      interval: 20,
    });

    const missing = await client.call({ method: 'GET', url: `${base}/os-node-created-zzzzz` });
    expect([missing.status, missing.errorCode]).toEqual([404, 'ModelArts.50035001']);
    const refused = await client.call({
      method: 'POST',
      url: `${base}/batch-delete`,
      body: { deleteNodeNames: names.slice(0, 2) },
    });
    expect([refused.status, refused.errorCode]).toEqual([400, 'ModelArts.50004000']);
  });

  it('batch-reboot, -reset and -migrate, listScheduledEvents and acceptScheduledEvent answer as the SDK models them', async () => {
    const client = sdkClient({ endpoint: server.address, ak, sk, projectId });
    const net = await client.call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    const netName = net.body.metadata.name as string;
    await waitFor(
      async () => (await client.call({ method: 'GET', url: `/v1/{project_id}/networks/${netName}` })).body,
      { until: (b) => b?.status?.phase === 'Active', interval: 20 },
    );
    const poolOf = async (count: number) => {
      const created = await client.call({
        method: 'POST',
        url: '/v2/{project_id}/pools',
        body: {
          apiVersion: 'v2',
          kind: 'Pool',
          metadata: { labels: { 'os.modelarts/name': displayName('sdk') } },
          spec: {
            type: 'Dedicate',
            scope: ['Train'],
            network: { name: netName },
            resources: [{ flavor: CPU_8, count }],
          },
        },
      });
      const name = created.body.metadata.name as string;
      await waitFor(async () => (await client.call({ method: 'GET', url: `/v2/{project_id}/pools/${name}` })).body, {
        until: (b) => b?.status?.phase === 'Running',
        interval: 20,
      });
      return name;
    };
    const [a, b] = [await poolOf(3), await poolOf(1)];
    const base = `/v2/{project_id}/pools/${a}/nodes`;
    const names = (await client.call({ method: 'GET', url: base })).body.items.map((n: any) => n.metadata.name);
    const jobDone = (jobId: string) =>
      waitFor(async () => (await client.call({ method: 'GET', url: `/v2/{project_id}/jobs/${jobId}` })).body, {
        until: (j) => j?.phase === 'Success',
        interval: 20,
      });

    const reboot = await client.call({ method: 'POST', url: `${base}/batch-reboot`, body: { nodeNames: [names[0]] } });
    expect([reboot.status, reboot.body.nodeNames]).toEqual([200, [names[0]]]);
    await jobDone(reboot.body.job_id);
    const reset = await client.call({
      method: 'POST',
      url: `${base}/batch-reset`,
      body: { nodeNames: [names[1]], rollingConfig: { strategy: 'node', maxUnavailable: 1 } },
    });
    expect(reset.status, reset.errorMsg).toBe(200);
    await jobDone(reset.body.job_id);
    const migrate = await client.call({
      method: 'POST',
      url: `${base}/batch-migrate`,
      body: { migrateNodeNames: [names[2]], fromClusterName: a, toClusterName: b },
    });
    expect(migrate.status, migrate.errorMsg).toBe(200);
    await jobDone(migrate.body.job_id);
    // batchResizePoolNodes: the SDK models the answer as an untyped object; it carries the order's name.
    const resize = await client.call({
      method: 'POST',
      url: `${base}/batch-resize`,
      body: {
        nodes: [{ deleteNodeNames: [names[0]] }],
        source: { flavor: CPU_8 },
        target: { flavor: 'modelarts.vm.cpu.16ud' },
      },
    });
    expect(resize.status, resize.errorMsg).toBe(200);
    expect(resize.body.orderName).toMatch(new RegExp(`^${a}-resizeNodes-[a-z0-9]{5}$`));
    await waitFor(
      async () => (await client.call({ method: 'GET', url: `/v1/{project_id}/orders/${resize.body.orderName}` })).body,
      { until: (o) => o?.items?.[0]?.status === 'succeed', interval: 20 },
    );

    const published = await fetch(`${server.address}/_atelier/scheduled-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project: projectId, pool: a, node: names[0] }),
    });
    expect(published.status).toBe(201);
    const listed = await client.call({
      method: 'GET',
      url: '/v1/{project_id}/scheduled-events',
      query: { workspaceId: '0', state: 'inquiring', poolName: a, limit: '10', offset: '0' },
    });
    expect([listed.status, listed.body.count]).toEqual([200, 1]);
    const accepted = await client.call({
      method: 'POST',
      url: `/v1/{project_id}/scheduled-events/${listed.body.events[0].id}/accept`,
      query: { workspaceId: '0' },
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: {},
    });
    expect([accepted.status, accepted.body.state]).toEqual([200, 'scheduled']);
  });
});
