// Tenancy (issue item 3; auth-errors.md §3.3 step 13): accounts own projects, a credential or token is
// granted specific projects, and nothing another account owns can be used — or even found to exist.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type ApiResponse } from '../helpers/client.js';
import { activeNetwork, networkBody, poolBody } from '../helpers/fixtures.js';
import { startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import { expectForbidden, NETWORKS, POOLS, QUOTAS, STATISTICS } from './helpers.js';

/** Everything of a refusal but what differs per request: the request id, the date, the project id. */
function refusalShape(res: ApiResponse, projectId: string) {
  const { 'x-request-id': requestId, date: _date, ...headers } = res.headers;
  expect(requestId).toEqual(expect.any(String));
  return {
    status: res.status,
    headers,
    body: { ...res.body, error_msg: String(res.body.error_msg).split(projectId).join('<project>') },
  };
}

describe('tenancy', () => {
  let h: Harness;
  /** Account A is the harness's bootstrap account; B is a second account with its own project. */
  let a: ApiClient;
  let b: ApiClient;
  let bCredential: { accessKey: string; secretKey: string };
  let bAccountId: string;
  let network: string;
  let pool: string;

  beforeAll(async () => {
    h = await startHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_POOL_CREATE_SECONDS: '0' });
    a = h.client;
    const identity = h.context.identity;
    const accountB = await identity.createAccount(uniqueId('acctb'));
    bAccountId = accountB.id;
    const projectB = await identity.createProject(accountB.id, { id: randomBytes(16).toString('hex') });
    bCredential = await identity.createCredential(accountB.id, [projectB.id]);
    b = ApiClient.inject(h.app, projectB.id, bCredential);

    network = await activeNetwork(a, h.settle);
    const created = await a.post(POOLS, poolBody(network));
    expect(created.status, created.text).toBe(200);
    pool = created.body.metadata.name;
    await h.settle();
  });
  afterAll(() => h.close());

  /** What A can see of its own resources; a refused request from B must leave it unchanged. */
  const aView = async () => {
    const shownNetwork = await a.get(`${NETWORKS}/${network}`);
    const shownPool = await a.get(`${POOLS}/${pool}`);
    expect(shownNetwork.status, shownNetwork.text).toBe(200);
    expect(shownPool.status, shownPool.text).toBe(200);
    return { network: shownNetwork.body, pool: shownPool.body, quotas: (await a.get(QUOTAS)).body };
  };

  it("each account's credential works on its own project", async () => {
    expect((await a.get(QUOTAS)).status).toBe(200);
    expect((await b.get(QUOTAS)).status).toBe(200);
  });

  it("B cannot see, change or delete A's pools and networks through the path: 403, never 404", async () => {
    const before = await aView();
    const asB = b.withProject(h.projectId);
    const attempts: Array<Promise<ApiResponse>> = [
      asB.get(QUOTAS),
      asB.get(STATISTICS),
      asB.get(NETWORKS),
      asB.get(`${NETWORKS}/${network}`),
      asB.patch(`${NETWORKS}/${network}`, { metadata: { annotations: { 'os.modelarts/description': 'B was here' } } }),
      asB.delete(`${NETWORKS}/${network}`),
      asB.post(NETWORKS, networkBody()),
      asB.get(POOLS),
      asB.get(`${POOLS}/${pool}`),
      asB.patch(`${POOLS}/${pool}`, { metadata: { labels: { owner: 'b' } } }),
      asB.delete(`${POOLS}/${pool}`),
      asB.post(POOLS, poolBody(network)),
    ];
    for (const res of await Promise.all(attempts)) expectForbidden(res);
    await h.settle();
    expect(await aView()).toEqual(before);
  });

  it('a path project that disagrees with X-Project-Id → 403, whichever side names the foreign project', async () => {
    // B's own project in the path, A's in the (signed) header.
    expectForbidden(await b.get(QUOTAS, { 'x-project-id': h.projectId }));
    expectForbidden(await b.get(`${NETWORKS}/${network}`, { 'x-project-id': h.projectId }));
    // A's project in the path, B's own in the header.
    expectForbidden(await b.withProject(h.projectId).get(QUOTAS, { 'x-project-id': b.projectId }));
    // Even the owner may not send a header naming another project, or one that does not exist.
    expectForbidden(await a.get(QUOTAS, { 'x-project-id': b.projectId }));
    expectForbidden(await a.get(QUOTAS, { 'x-project-id': uniqueId('ghost') }));
  });

  it("B's token is refused on A's project too", async () => {
    const { token } = await h.context.identity.issueToken(bAccountId, b.projectId);
    const byToken = b.withCredentials({ token });
    expect((await byToken.get(QUOTAS)).status).toBe(200);
    expectForbidden(await byToken.withProject(h.projectId).get(`${NETWORKS}/${network}`));
    expectForbidden(await byToken.get(QUOTAS, { 'x-project-id': h.projectId }));
  });

  it('a project of the same account that was not granted → 403', async () => {
    const sibling = await h.newProject();
    expect((await sibling.get(QUOTAS)).status).toBe(200);
    expectForbidden(await sibling.withProject(h.projectId).get(`${NETWORKS}/${network}`));
    expectForbidden(await h.clientFor(sibling.projectId).get(QUOTAS));
  });

  it("the refusal for A's existing project and for a project that does not exist are the same", async () => {
    // Same length as A's id, so even the content length matches.
    const ghost = h.projectId.replace(/[0-9]/g, '7').replace(/^proj/, 'zzzz');
    expect(ghost).toHaveLength(h.projectId.length);
    const paths = [QUOTAS, `${NETWORKS}/${network}`, `${POOLS}/${pool}`, `${POOLS}/${pool}-missing`];
    for (const path of paths) {
      const existing = await b.withProject(h.projectId).get(path);
      const missing = await b.withProject(ghost).get(path);
      expectForbidden(existing);
      expectForbidden(missing);
      expect(refusalShape(missing, ghost)).toEqual(refusalShape(existing, h.projectId));
    }
    // Whether A has a network of that name makes no difference either.
    const real = await b.withProject(h.projectId).delete(`${NETWORKS}/${network}`);
    const invented = await b.withProject(h.projectId).delete(`${NETWORKS}/${network}x`);
    expect(refusalShape(invented, h.projectId)).toEqual(refusalShape(real, h.projectId));
  });

  it("B's own project does not show A's resources, and answers for A's names as for made-up ones", async () => {
    const listed = await b.get(`${NETWORKS}?limit=500`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([]);
    expect((await b.get(`${POOLS}?limit=500`)).body.items).toEqual([]);
    const aName = await b.get(`${NETWORKS}/${network}`);
    const madeUp = await b.get(`${NETWORKS}/${network.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))}`);
    expect(aName.status).toBe(404);
    expect(madeUp.status).toBe(404);
    expect(aName.body.error_code).toBe(madeUp.body.error_code);
    expect((await b.get(`${POOLS}/${pool}`)).status).toBe(404);
  });

  it("an account cannot grant itself another account's project", async () => {
    const identity = h.context.identity;
    await expect(identity.createCredential(bAccountId, [h.projectId])).rejects.toThrow(
      /does not belong to this account/,
    );
    await expect(identity.issueToken(bAccountId, h.projectId)).rejects.toThrow(/does not belong to this account/);
    await expect(identity.grant('credential', bCredential.accessKey, bAccountId, [h.projectId])).rejects.toThrow(
      /does not belong/,
    );
    h.context.identity.forget();
    expectForbidden(await b.withProject(h.projectId).get(QUOTAS));
  });
});
