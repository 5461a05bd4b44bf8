// The six node-pool operations through the official SDK core's own HTTP client (HcClient → axios,
// AK/SK signing), each request in the shape ModelArtsClient's request builders give it: method, URL
// template, content type (application/json;charset=UTF-8 for createNodePool and patchNodePool), query.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { displayName, networkBody, poolBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, sdkClient, TempDirs } from '../identity/helpers.js';
import { CPU_8 } from '../pools/helpers.js';
import { defaultOf, SDK_JSON } from './helpers.js';

const dirs = new TempDirs();
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
    ATELIER_POOL_DELETE_SECONDS: '0',
    ATELIER_ENGINE_INTERVAL_MS: '20',
  });
});
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

describe("node pools through the SDK's client", () => {
  const client = () => sdkClient({ endpoint: server.address, ak, sk, projectId });
  const until = async (url: string, done: (body: any) => boolean) =>
    waitFor(async () => (await client().call({ method: 'GET', url })).body, { until: done, interval: 20 });

  it('createNodePool, listNodePools, showNodePool, patchNodePool, listNodePoolNodes, deleteNodePool', async () => {
    const network = await client().call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    expect(network.status, network.errorMsg).toBe(200);
    await until(`/v1/{project_id}/networks/${network.body.metadata.name}`, (b) => b?.status?.phase === 'Active');
    const created = await client().call({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      body: poolBody(network.body.metadata.name, {
        name: displayName('sdk'),
        resources: [{ flavor: CPU_8, count: 1 }],
      }),
    });
    expect(created.status, created.errorMsg).toBe(200);
    const pool = created.body.metadata.name as string;
    const base = `/v2/{project_id}/pools/${pool}/nodepools`;
    await until(`/v2/{project_id}/pools/${pool}`, (b) => b?.status?.phase === 'Running');

    const np = await client().call({
      method: 'POST',
      url: base,
      contentType: SDK_JSON,
      body: {
        apiVersion: 'v2',
        kind: 'NodePool',
        metadata: { name: 'sdk-np', annotations: { 'os.modelarts/billing.mode': '0' } },
        spec: { resources: { flavor: CPU_8, count: 1, maxCount: 1 } },
      },
    });
    expect(np.status, np.errorMsg).toBe(200);
    expect(np.body).toMatchObject({ kind: 'NodePool', metadata: { name: 'sdk-np' } });
    await until(`${base}/sdk-np`, (b) => b?.status?.resources?.available?.count === 1);

    const listed = await client().call({ method: 'GET', url: base });
    expect(listed.status, listed.errorMsg).toBe(200);
    expect(listed.body.items.map((i: any) => i.metadata.name)).toEqual([defaultOf(CPU_8), 'sdk-np']);

    const shown = await client().call({ method: 'GET', url: `${base}/sdk-np`, query: { limit: '10', continue: '' } });
    expect(shown.status, shown.errorMsg).toBe(200);
    expect(shown.body.spec.resources).toMatchObject({ flavor: CPU_8, count: 1, nodePool: 'sdk-np' });

    const patched = await client().call({
      method: 'PATCH',
      url: `${base}/sdk-np`,
      contentType: SDK_JSON,
      body: { spec: { resources: { flavor: CPU_8, count: 2, maxCount: 2 } } },
    });
    expect(patched.status, patched.errorMsg).toBe(200);
    await until(`${base}/sdk-np`, (b) => b?.status?.resources?.available?.count === 2);

    const nodes = await client().call({ method: 'GET', url: `${base}/sdk-np/nodes`, query: { limit: '1' } });
    expect(nodes.status, nodes.errorMsg).toBe(200);
    expect(nodes.body.items).toHaveLength(1);
    expect(nodes.body.metadata.continue).toEqual(expect.any(String));
    const rest = await client().call({
      method: 'GET',
      url: `${base}/sdk-np/nodes`,
      query: { limit: '1', continue: nodes.body.metadata.continue },
    });
    expect(rest.status, rest.errorMsg).toBe(200);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.items[0].metadata.name).not.toBe(nodes.body.items[0].metadata.name);

    const deleted = await client().call({ method: 'DELETE', url: `${base}/sdk-np` });
    expect(deleted.status, deleted.errorMsg).toBe(200);
    expect(deleted.body.metadata.name).toBe('sdk-np');
    const missing = await client().call({ method: 'GET', url: `${base}/sdk-np` });
    expect([missing.status, missing.errorCode]).toEqual([404, 'ModelArts.50035002']);
    const last = await client().call({ method: 'DELETE', url: `${base}/${defaultOf(CPU_8)}` });
    expect([last.status, last.errorCode]).toEqual([400, 'ModelArts.50004000']);
  });
});
