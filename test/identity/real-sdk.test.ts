// The official @huaweicloud/huaweicloud-sdk-core against a real listening server (issue item 1: "the
// official Huawei Cloud SDKs authenticate unchanged"). Two ways: requests the SDK builds and signs,
// captured and sent with fetch; and the SDK's own HTTP client (HcClient → axios) end to end.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { displayName, networkBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { sdkRequest } from '../helpers/sdk-signer.js';
import { expectUnauthorized, listen, sdkClient, sendWire, TempDirs } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const dirs = new TempDirs();
let server: RunningServer;
let endpoint: string;
const projectId = randomBytes(16).toString('hex');
const ak = `AK${randomBytes(9).toString('hex').toUpperCase()}`;
const sk = randomBytes(20).toString('base64url');

beforeAll(async () => {
  server = await listen(dirs.make(), {
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: ak,
    ATELIER_BOOTSTRAP_SK: sk,
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_NETWORK_DELETE_SECONDS: '0',
    ATELIER_ENGINE_INTERVAL_MS: '20',
  });
  endpoint = server.address;
});
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

const DESCRIPTION = 'os.modelarts/description';

describe('requests built and signed by the official SDK, sent to a listening server', () => {
  const viaSdk = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const wire = await sdkRequest({
      method,
      url: `${endpoint}${path.replace('{project_id}', projectId)}`,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers,
      ak,
      sk,
    });
    return { wire, res: await sendWire(endpoint, wire) };
  };

  it('GET quotas', async () => {
    const { wire, res } = await viaSdk('GET', '/v1/{project_id}/quotas');
    expect(wire.headers.Authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=\w+, SignedHeaders=content-type;host;x-project-id;x-sdk-date, /,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.quotas.resources.map((r: { type: string }) => r.type)).toEqual(['pool', 'network']);
  });

  it('GET quotas signed with a derived key (V11-HMAC-SHA256)', async () => {
    const wire = await sdkRequest({
      method: 'GET',
      url: `${endpoint}/v1/${projectId}/quotas`,
      ak,
      sk,
      derived: { regionId: 'local', service: 'modelarts' },
    });
    expect(wire.headers.Authorization).toMatch(/^V11-HMAC-SHA256 Credential=/);
    const res = await sendWire(endpoint, wire);
    expect(res.status, res.text).toBe(200);
  });

  it('temporary credentials (X-Security-Token, signed by the SDK) → 401: Atelier issues none', async () => {
    const wire = await sdkRequest({
      method: 'GET',
      url: `${endpoint}/v1/${projectId}/quotas`,
      ak,
      sk,
      securityToken: 'sts-token-from-elsewhere',
    });
    expect(wire.headers.Authorization).toContain('x-security-token');
    const res = await sendWire(endpoint, wire);
    expectUnauthorized(res, /temporary credentials \(X-Security-Token\) are not supported/, [
      'sts-token-from-elsewhere',
    ]);
  });

  it('GET pool statistics with workspaceId', async () => {
    const { res } = await viaSdk('GET', '/v2/{project_id}/statistics/pools?workspaceId=0');
    expect(res.status, res.text).toBe(200);
    expect(res.body.statistics).toBeDefined();
  });

  it('a network: POST with a JSON body, PATCH (application/json), a labelSelector list, DELETE', async () => {
    const display = displayName('sdkw');
    const created = await viaSdk('POST', '/v1/{project_id}/networks', networkBody(display));
    expect(created.res.status, created.res.text).toBe(200);
    const name = created.res.body.metadata.name as string;
    await waitFor(async () => (await viaSdk('GET', `/v1/{project_id}/networks/${name}`)).res.body?.status?.phase, {
      until: (p) => p === 'Active',
      interval: 20,
    });

    const patched = await viaSdk('PATCH', `/v1/{project_id}/networks/${name}`, {
      metadata: { annotations: { [DESCRIPTION]: 'from the SDK' } },
    });
    expect(patched.wire.headers['Content-Type'] ?? patched.wire.headers['content-type']).toBe('application/json');
    expect(patched.res.status, patched.res.text).toBe(200);
    expect(patched.res.body.metadata.annotations[DESCRIPTION]).toBe('from the SDK');

    // `/` and `=` inside a query value: the SDK sends %2F and %3D and signs the decoded value re-encoded.
    const selector = encodeURIComponent(`os.modelarts/name=${display}`);
    const listed = await viaSdk('GET', `/v1/{project_id}/networks?labelSelector=${selector}&limit=10`);
    expect(listed.wire.url).toContain('labelSelector=os.modelarts%2Fname%3D');
    expect(listed.res.status, listed.res.text).toBe(200);
    expect(listed.res.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([name]);

    const deleted = await viaSdk('DELETE', `/v1/{project_id}/networks/${name}`);
    expect(deleted.res.status, deleted.res.text).toBe(200);
  });
});

describe("the SDK's own HTTP client, end to end", () => {
  const client = () => sdkClient({ endpoint, ak, sk, projectId });

  it('GET quotas and GET statistics with workspaceId', async () => {
    const quotas = await client().call({ method: 'GET', url: '/v1/{project_id}/quotas' });
    expect(quotas.status).toBe(200);
    expect(quotas.body.quotas.resources).toHaveLength(2);
    const statistics = await client().call({
      method: 'GET',
      url: '/v2/{project_id}/statistics/pools',
      query: { workspaceId: '0' },
    });
    expect(statistics.status).toBe(200);
    expect(statistics.body.statistics).toBeDefined();
  });

  it('a network: POST, PATCH as application/json and as merge-patch, a labelSelector list, DELETE', async () => {
    const display = displayName('sdkc');
    // Generated clients declare `application/json;charset=UTF-8` for bodies; the SDK sends application/json.
    const created = await client().call({
      method: 'POST',
      url: '/v1/{project_id}/networks',
      body: networkBody(display),
      contentType: 'application/json;charset=UTF-8',
    });
    expect(created.status, created.errorMsg).toBe(200);
    const name = created.body.metadata.name as string;
    const path = `/v1/{project_id}/networks/${name}`;
    await waitFor(async () => (await client().call({ method: 'GET', url: path })).body?.status?.phase, {
      until: (p) => p === 'Active',
      interval: 20,
    });

    const patched = await client().call({
      method: 'PATCH',
      url: path,
      body: { metadata: { annotations: { [DESCRIPTION]: 'json' } } },
    });
    expect(patched.status, patched.errorMsg).toBe(200);
    expect(patched.body.metadata.annotations[DESCRIPTION]).toBe('json');
    // With a non-JSON content type the SDK signs X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD instead of the body.
    const merged = await client().call({
      method: 'PATCH',
      url: path,
      body: { metadata: { annotations: { [DESCRIPTION]: 'merge' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(merged.status, merged.errorMsg).toBe(200);
    expect(merged.body.metadata.annotations[DESCRIPTION]).toBe('merge');

    const listed = await client().call({
      method: 'GET',
      url: '/v1/{project_id}/networks',
      query: { labelSelector: `os.modelarts/name=${display},os.modelarts/workspace.id=0`, limit: '10' },
    });
    expect(listed.status, listed.errorMsg).toBe(200);
    expect(listed.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([name]);

    const deleted = await client().call({ method: 'DELETE', url: path });
    expect(deleted.status, deleted.errorMsg).toBe(200);
    await waitFor(async () => (await client().call({ method: 'GET', url: path })).status, {
      until: (s) => s === 404,
      interval: 20,
    });
  });

  it('built with a region instead of a project id, finds its project through GET /v3/projects?name=', async () => {
    // The SDK's IAM call is a GET that carries and signs the body `{}`.
    const identity = server.context.identity;
    const account = await identity.requireAccount('default');
    const region = uniqueId('region');
    const project = await identity.createProject(account.id, { name: region });
    const credential = await identity.createCredential(account.id, [project.id]);
    const regional = sdkClient({ endpoint, ak: credential.accessKey, sk: credential.secretKey, region });
    const display = displayName('sdkr');
    const created = await regional.call({
      method: 'POST',
      url: '/v1/{project_id}/networks',
      body: networkBody(display),
    });
    expect(created.status, created.errorMsg).toBe(200);
    // It landed in the project named like the region, and nowhere else.
    const mine = await sdkClient({
      endpoint,
      ak: credential.accessKey,
      sk: credential.secretKey,
      projectId: project.id,
    }).call({
      method: 'GET',
      url: '/v1/{project_id}/networks',
      query: { labelSelector: `os.modelarts/name=${display}` },
    });
    expect(mine.body.items).toHaveLength(1);
    const bootstrap = await client().call({
      method: 'GET',
      url: '/v1/{project_id}/networks',
      query: { labelSelector: `os.modelarts/name=${display}` },
    });
    expect(bootstrap.body.items).toHaveLength(0);
  });

  it('an operation header (X-ModelArts-User-ID) is signed and accepted', async () => {
    const res = await client().call({
      method: 'GET',
      url: '/v2/{project_id}/pools/no-such-pool',
      headers: { 'X-ModelArts-User-ID': 'user-42' },
    });
    // Authenticated and authorised: the answer is about the pool, not the caller.
    expect(res).toMatchObject({ status: 404, errorCode: 'ModelArts.50015001' });
  });

  it('a wrong secret key → ClientRequestException 401 APIGW.0301 with the request id', async () => {
    const wrong = sdkClient({ endpoint, ak, sk: `${sk}x`, projectId });
    const res = await wrong.call({ method: 'GET', url: '/v1/{project_id}/quotas' });
    expect(res).toMatchObject({ status: 401, errorCode: 'APIGW.0301', requestId: expect.any(String) });
    expect(res.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expect(res.errorMsg).not.toContain(sk);
  });

  it('a project the credential was not granted → 403 ModelArts.0210', async () => {
    const other = sdkClient({ endpoint, ak, sk, projectId: randomBytes(16).toString('hex') });
    const res = await other.call({ method: 'GET', url: '/v1/{project_id}/quotas' });
    expect(res).toMatchObject({ status: 403, errorCode: 'ModelArts.0210', requestId: expect.any(String) });
  });
});
