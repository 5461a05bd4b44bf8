// Every plug-in and tag operation through the official SDK core's own HTTP client (HcClient → axios,
// AK/SK signing), each request in the shape the SDK's ModelArtsClient request builders give it: method,
// URL template, content type, query and body (a DELETE with a body for batchDeletePoolTags).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_OPERATIONS } from '../../src/http/operations.js';
import type { RunningServer } from '../../src/server.js';
import { displayName, networkBody, poolBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, sdkClient, TempDirs } from '../identity/helpers.js';
import { GPU_FLAVOR } from './helpers.js';

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
    ATELIER_PLUGIN_INSTALL_SECONDS: '0',
    ATELIER_ENGINE_INTERVAL_MS: '20',
  });
});
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

describe('plug-ins and tags through the SDK client', () => {
  const client = () => sdkClient({ endpoint: server.address, ak, sk, projectId });
  const until = async (url: string, done: (body: any) => boolean) =>
    waitFor(async () => (await client().call({ method: 'GET', url })).body, { until: done, interval: 20 });
  let pool: string;

  beforeAll(async () => {
    const network = await client().call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    expect(network.status, network.errorMsg).toBe(200);
    const networkName = network.body.metadata.name as string;
    await until(`/v1/{project_id}/networks/${networkName}`, (b) => b?.status?.phase === 'Active');
    const created = await client().call({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      body: poolBody(networkName, { name: displayName('sdk'), resources: [{ flavor: GPU_FLAVOR, count: 1 }] }),
    });
    expect(created.status, created.errorMsg).toBe(200);
    pool = created.body.metadata.name;
    await until(`/v2/{project_id}/pools/${pool}`, (b) => b?.status?.phase === 'Running');
  });

  it('listPluginTemplates and showPluginTemplate', async () => {
    const list = await client().call({
      method: 'GET',
      url: '/v2/{project_id}/plugintemplates',
      query: { poolName: pool },
    });
    expect(list.status, list.errorMsg).toBe(200);
    expect(list.body.items.map((t: any) => t.metadata.name)).toContain('gpu-driver');
    const show = await client().call({ method: 'GET', url: '/v1/{project_id}/plugintemplates/gpu-driver' });
    expect(show.status, show.errorMsg).toBe(200);
    expect(Object.keys(show.body.spec.versions)).toEqual(['535.54.03', '470.57.02']);
    const missing = await client().call({ method: 'GET', url: '/v1/{project_id}/plugintemplates/nothing' });
    expect(missing.status).toBe(404);
    expect(missing.errorCode).toBe('ModelArts.50005101');
  });

  it('listPoolPlugins and createPoolPlugin (application/json;charset=UTF-8), a second install → 409', async () => {
    const url = `/v2/{project_id}/pools/${pool}/plugins`;
    const body = { apiVersion: 'v2', kind: 'Plugin', spec: { template: { name: 'node-local-dns', inputs: {} } } };
    const contentType = 'application/json;charset=UTF-8';
    const created = await client().call({ method: 'POST', url, body, contentType });
    expect(created.status, created.errorMsg).toBe(200);
    expect(created.body.metadata.name).toBe('node-local-dns');
    const again = await client().call({ method: 'POST', url, body, contentType });
    expect(again.status).toBe(409);
    expect(again.errorCode).toBe('ModelArts.50015002');
    const listed = await until(url, (b) => b?.items?.every((p: any) => p.status.phase === 'Running'));
    expect(listed.items.map((p: any) => p.metadata.name)).toEqual(['volcano', 'gpu-driver', 'node-local-dns']);
  });

  it('batchCreatePoolTags, showPoolTags, listPoolTags (limit, offset), batchDeletePoolTags', async () => {
    const tags = `/v1/{project_id}/pools/${pool}/tags`;
    const created = await client().call({
      method: 'POST',
      url: `${tags}/create`,
      body: {
        tags: [
          { key: 'env', value: 'dev' },
          { key: 'team', value: 'cv' },
        ],
      },
    });
    expect(created.status, created.errorMsg).toBe(200);
    const shown = await client().call({ method: 'GET', url: tags });
    expect(shown.status, shown.errorMsg).toBe(200);
    expect(shown.body.tags).toEqual([
      { key: 'env', value: 'dev', values: ['dev'] },
      { key: 'team', value: 'cv', values: ['cv'] },
    ]);
    const page = await client().call({
      method: 'GET',
      url: '/v1/{project_id}/pools/tags',
      query: { limit: '1', offset: '1' },
    });
    expect(page.status, page.errorMsg).toBe(200);
    expect(page.body.tags).toEqual([{ key: 'team', values: ['cv'] }]);
    const deleted = await client().call({
      method: 'DELETE',
      url: `${tags}/delete`,
      body: { tags: [{ key: 'env' }, { key: 'team', value: 'cv' }] },
    });
    expect(deleted.status, deleted.errorMsg).toBe(200);
    expect(deleted.body.tags).toEqual([]);
    expect((await client().call({ method: 'GET', url: tags })).body.tags).toEqual([]);
  });
});

describe('the operations list', () => {
  // Method and path of each operation as the SDK's ModelArtsClient request builders give them.
  const SDK_PATHS: Record<string, string> = {
    ListPluginTemplates: 'GET /v2/{project_id}/plugintemplates',
    ShowPluginTemplate: 'GET /v1/{project_id}/plugintemplates/{plugintemplate_name}',
    ListPoolPlugins: 'GET /v2/{project_id}/pools/{pool_name}/plugins',
    CreatePoolPlugin: 'POST /v2/{project_id}/pools/{pool_name}/plugins',
    ShowPoolTags: 'GET /v1/{project_id}/pools/{pool_name}/tags',
    ListPoolTags: 'GET /v1/{project_id}/pools/tags',
    BatchCreatePoolTags: 'POST /v1/{project_id}/pools/{pool_name}/tags/create',
    BatchDeletePoolTags: 'DELETE /v1/{project_id}/pools/{pool_name}/tags/delete',
  };

  it("names the plug-in and tag operations at the SDK's paths", () => {
    const listed = Object.fromEntries(
      KNOWN_OPERATIONS.map((op) => [op.operationId, `${op.method} ${op.url.replace(/:(\w+)/g, '{$1}')}`]),
    );
    for (const [operation, path] of Object.entries(SDK_PATHS)) expect(listed[operation], operation).toBe(path);
  });
});
