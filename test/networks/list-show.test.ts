import { describe, expect, it } from 'vitest';
import { displayName, expectError, networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  createNetwork,
  freshWorkspace,
  listAll,
  listNames,
  NAME_LABEL,
  NETWORKS,
  networkPath,
  showNetwork,
  WORKSPACE_LABEL,
} from './helpers.js';

/** A create body with extra labels, for selector tests. */
function labelled(name: string, workspace: string, labels: Record<string, string> = {}) {
  const body = networkBody(name, { workspaceId: workspace });
  return { ...body, metadata: { labels: { ...body.metadata.labels, ...labels } } };
}

describe('GET /v1/{project_id}/networks/{network_name}', () => {
  const h = useHarness();

  it('answers the network as created', async () => {
    const created = await createNetwork(h.client, networkBody());
    const res = await h.client.get(networkPath(created.metadata.name));
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual(created);
  });

  it('404 ModelArts.50025001 for unknown names', async () => {
    const created = await createNetwork(h.client, networkBody());
    const unknown = [
      `${created.metadata.labels[NAME_LABEL]}-00000000000000000000000000000000`,
      // The display name alone is not the network's name.
      created.metadata.labels[NAME_LABEL],
      created.metadata.name.toUpperCase(),
      'x',
      // Longer than the 63 characters the SDK documents: still just unknown (§2.2, N10).
      `${'n'.repeat(32)}-${'a'.repeat(32)}`,
      'n'.repeat(200),
    ];
    for (const name of unknown) {
      const res = await h.client.get(networkPath(name));
      expectError(res, 404, 'ModelArts.50025001');
      expect(res.body.error_msg).toMatch(/^Network not exist/);
    }
  });

  // Bug outside src/networks: errors the router raises before any route runs (src/app.ts) are
  // answered by Fastify itself, in its own JSON and without X-Request-Id, instead of the
  // ModelArts envelope decision 13 asks of every response.
  const routerErrorInEnvelope = async (path: string) => {
    const res = await h.client.get(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body?.error_code).toMatch(/^(ModelArts|APIGW)\./);
    expectError(res, res.status, res.body.error_code);
  };
  it('answers a network name longer than the router allows in the error envelope', () =>
    routerErrorInEnvelope(networkPath('n'.repeat(300))));
  it('answers a malformed percent-escape in the network name in the error envelope', () =>
    routerErrorInEnvelope(`${NETWORKS}/%E0%A4%A`));

  it("keeps each project's networks to itself", async () => {
    const other = await h.newProject();
    const mine = await createNetwork(h.client, networkBody());
    // The same display name is free in another project.
    const theirs = await createNetwork(other, networkBody(mine.metadata.labels[NAME_LABEL]));

    expectError(await other.get(networkPath(mine.metadata.name)), 404, 'ModelArts.50025001');
    expectError(await h.client.get(networkPath(theirs.metadata.name)), 404, 'ModelArts.50025001');
    expect(await listNames(other)).toEqual([theirs.metadata.name]);
    expect(await listNames(h.client)).not.toContain(theirs.metadata.name);
    expectError(await other.delete(networkPath(mine.metadata.name)), 404, 'ModelArts.50025001');
    expectError(
      await other.patch(networkPath(mine.metadata.name), { spec: { ipv6enable: true } }),
      404,
      'ModelArts.50025001',
    );
    expect(await showNetwork(h.client, mine.metadata.name)).toEqual(mine);
  });
});

describe('GET /v1/{project_id}/networks', () => {
  const h = useHarness({ ATELIER_NETWORK_QUOTA: '100' });

  it('answers a NetworkList of full objects, workspace "0" by default', async () => {
    const inDefault = await createNetwork(h.client, networkBody());
    const ws = freshWorkspace();
    const inOther = await createNetwork(h.client, networkBody(undefined, { workspaceId: ws }));
    await h.advance(2_000);

    const res = await h.client.get(NETWORKS);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({ apiVersion: 'v1', kind: 'NetworkList', metadata: {}, items: expect.any(Array) });
    const names = res.body.items.map((n: any) => n.metadata.name);
    expect(names).toContain(inDefault.metadata.name);
    expect(names).not.toContain(inOther.metadata.name);
    for (const item of res.body.items) expect(item.metadata.labels[WORKSPACE_LABEL]).toBe('0');
    expect(res.body.items.find((n: any) => n.metadata.name === inDefault.metadata.name)).toEqual(
      await showNetwork(h.client, inDefault.metadata.name),
    );

    expect(await listNames(h.client, { workspaceId: '0' })).toEqual(names);
    expect(await listNames(h.client, { workspaceId: ws })).toEqual([inOther.metadata.name]);
    expect(await listNames(h.client, { workspaceId: freshWorkspace() })).toEqual([]);
  });

  it('lists in creation order', async () => {
    const ws = freshWorkspace();
    const created: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      created.push((await createNetwork(h.client, networkBody(undefined, { workspaceId: ws }))).metadata.name);
      h.clock.advance(1_000);
    }
    expect(await listNames(h.client, { workspaceId: ws })).toEqual(created);
  });

  it('filters with labelSelector: =, ==, !=, in, notin, exists, not exists and AND', async () => {
    const ws = freshWorkspace();
    const gold = await createNetwork(h.client, labelled(displayName('gold'), ws, { tier: 'gold', team: 'a' }));
    const silver = await createNetwork(h.client, labelled(displayName('silver'), ws, { tier: 'silver', team: 'b' }));
    const plain = await createNetwork(h.client, labelled(displayName('plain'), ws));
    const [g, s, p] = [gold, silver, plain].map((n) => n.metadata.name);
    const select = (labelSelector: string) => listNames(h.client, { workspaceId: ws, labelSelector });

    expect(await select('tier=gold')).toEqual([g]);
    expect(await select('tier==silver')).toEqual([s]);
    expect(await select(`${NAME_LABEL}=${plain.metadata.labels[NAME_LABEL]}`)).toEqual([p]);
    // Kubernetes semantics: != also selects networks without the label.
    expect(await select('tier!=gold')).toEqual([s, p]);
    expect(await select('tier in (gold,silver)')).toEqual([g, s]);
    expect(await select('tier in (bronze)')).toEqual([]);
    expect(await select('tier notin (gold)')).toEqual([s, p]);
    expect(await select('tier')).toEqual([g, s]);
    expect(await select('!tier')).toEqual([p]);
    expect(await select(NAME_LABEL)).toEqual([g, s, p]);
    expect(await select('tier,team=b')).toEqual([s]);
    expect(await select('tier=gold,team=b')).toEqual([]);
    expect(await select(`${WORKSPACE_LABEL}=${ws}`)).toEqual([g, s, p]);
    expect(await select('')).toEqual([g, s, p]);
    expect((await listAll(h.client, { workspaceId: ws, labelSelector: 'tier=gold' }))[0]).toEqual(
      await showNetwork(h.client, g),
    );
  });

  it('accepts the selector unencoded in the query, as Terraform sends it', async () => {
    const ws = freshWorkspace();
    const name = displayName('tf');
    const created = await createNetwork(h.client, labelled(name, ws));
    await createNetwork(h.client, labelled(displayName('tf'), ws));
    const res = await h.client.get(`${NETWORKS}?labelSelector=os.modelarts/name=${name}&workspaceId=${ws}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((n: any) => n.metadata.name)).toEqual([created.metadata.name]);
    // Terraform puts workspaceId nowhere: the default workspace is searched.
    const none = await h.client.get(`${NETWORKS}?labelSelector=os.modelarts/name=${name}`);
    expect(none.status, none.text).toBe(200);
    expect(none.body.items).toEqual([]);
  });

  it.each([
    ['tier=', 'tier==='],
    ['a stray comma', 'tier=gold,'],
    ['an unclosed set', 'tier in (gold'],
    ['an empty set member', 'tier in (a,,b)'],
    ['a bad operator', 'tier ~ gold'],
    ['a value with a space', 'tier=gold plated'],
    ['a lone !', '!'],
  ])('400 ModelArts.50004000 for an invalid selector (%s)', async (_, labelSelector) => {
    const res = await h.client.get(`${NETWORKS}?${new URLSearchParams({ labelSelector })}`);
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toContain('labelSelector');
  });

  it('pages with limit and continue through every network', async () => {
    const ws = freshWorkspace();
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      created.push((await createNetwork(h.client, networkBody(undefined, { workspaceId: ws }))).metadata.name);
    }
    const page = async (query: Record<string, string>) => {
      const res = await h.client.get(`${NETWORKS}?${new URLSearchParams({ workspaceId: ws, ...query })}`);
      expect(res.status, res.text).toBe(200);
      return res.body;
    };

    const first = await page({ limit: '2' });
    expect(first.items.map((n: any) => n.metadata.name)).toEqual(created.slice(0, 2));
    expect(first.metadata).toEqual({ continue: expect.any(String), remainingItemCount: 3 });
    expect(first.metadata.continue).not.toBe('');

    const second = await page({ limit: '2', continue: first.metadata.continue });
    expect(second.items.map((n: any) => n.metadata.name)).toEqual(created.slice(2, 4));
    expect(second.metadata).toEqual({ continue: expect.any(String), remainingItemCount: 1 });

    const third = await page({ limit: '2', continue: second.metadata.continue });
    expect(third.items.map((n: any) => n.metadata.name)).toEqual(created.slice(4));
    expect(third.metadata).toEqual({});

    // A page size that divides the list exactly ends without a continue token.
    const whole = await page({ limit: '5' });
    expect(whole.items).toHaveLength(5);
    expect(whole.metadata).toEqual({});
    // limit=0 and no limit mean the default page of 500.
    expect((await page({ limit: '0' })).items).toHaveLength(5);
    expect((await page({})).items).toHaveLength(5);
    // An empty continue is the first page.
    expect((await page({ limit: '2', continue: '' })).items.map((n: any) => n.metadata.name)).toEqual(
      created.slice(0, 2),
    );
  });

  it('pages a filtered list by what the selector keeps', async () => {
    const ws = freshWorkspace();
    const wanted: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const body = labelled(displayName('sel'), ws, { parity: i % 2 === 0 ? 'even' : 'odd' });
      const name = (await createNetwork(h.client, body)).metadata.name;
      if (i % 2 === 0) wanted.push(name);
    }
    const first = await h.client.get(
      `${NETWORKS}?${new URLSearchParams({ workspaceId: ws, labelSelector: 'parity=even', limit: '2' })}`,
    );
    expect(first.body.items.map((n: any) => n.metadata.name)).toEqual(wanted.slice(0, 2));
    expect(first.body.metadata.remainingItemCount).toBe(1);
    expect(await listNames(h.client, { workspaceId: ws, labelSelector: 'parity=even', limit: '1' })).toEqual(wanted);
  });

  it('does not repeat or skip networks when one is removed between pages', async () => {
    const ws = freshWorkspace();
    const created: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      created.push((await createNetwork(h.client, networkBody(undefined, { workspaceId: ws }))).metadata.name);
    }
    await h.advance(2_000);
    const first = await h.client.get(`${NETWORKS}?${new URLSearchParams({ workspaceId: ws, limit: '2' })}`);
    expect((await h.client.delete(networkPath(created[1]))).status).toBe(200);
    await h.advance(2_000);
    const second = await h.client.get(
      `${NETWORKS}?${new URLSearchParams({ workspaceId: ws, limit: '2', continue: first.body.metadata.continue })}`,
    );
    expect(second.body.items.map((n: any) => n.metadata.name)).toEqual(created.slice(2));
    expect(second.body.metadata).toEqual({});
  });

  it.each([
    ['garbage', 'garbage!!'],
    ['base64 of something we never issued', Buffer.from('{"id":"x"}').toString('base64url')],
    ['base64 of a negative position', Buffer.from('{"id":-1}').toString('base64url')],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
  ])('400 ModelArts.50004000 for a continue token that is %s', async (_, token) => {
    const res = await h.client.get(`${NETWORKS}?${new URLSearchParams({ continue: token })}`);
    expectError(res, 400, 'ModelArts.50004000');
  });

  it.each([['-1'], ['501'], ['abc'], ['1.5']])('400 ModelArts.50004000 for limit=%s', async (limit) => {
    expectError(await h.client.get(`${NETWORKS}?limit=${limit}`), 400, 'ModelArts.50004000');
  });
});
