import { beforeAll, describe, expect, it } from 'vitest';
import { displayName, expectError, networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  createNetwork,
  DESCRIPTION,
  freshWorkspace,
  listNames,
  NAME_LABEL,
  NETWORKS,
  networkPath,
  networkQuota,
  observable,
  RFC3339_SECONDS,
  showNetwork,
  WORKSPACE_LABEL,
  wireTime,
} from './helpers.js';

describe('POST /v1/{project_id}/networks', () => {
  const h = useHarness({ ATELIER_NETWORK_QUOTA: '100' });

  it('answers the full Network object in phase Creating', async () => {
    const name = displayName('net');
    const createdAt = h.clock.now();
    const res = await h.client.post(NETWORKS, networkBody(name));
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({
      apiVersion: 'v1',
      kind: 'Network',
      metadata: {
        name: expect.stringMatching(new RegExp(`^${name}-[0-9a-f]{32}$`)),
        creationTimestamp: wireTime(createdAt),
        labels: { [NAME_LABEL]: name, [WORKSPACE_LABEL]: '0' },
        annotations: {},
      },
      spec: { cidr: '192.168.128.0/17', ipv6enable: false, connection: {} },
      status: { phase: 'Creating', connectionStatus: {} },
    });
    expect(res.body.metadata.creationTimestamp).toMatch(RFC3339_SECONDS);
    expect(await showNetwork(h.client, res.body.metadata.name)).toEqual(res.body);
  });

  it('prints the creation time in whole seconds even when the clock has milliseconds', async () => {
    h.clock.advance(1_789);
    const at = h.clock.now();
    const body = await createNetwork(h.client, networkBody());
    expect(body.metadata.creationTimestamp).toMatch(RFC3339_SECONDS);
    expect(body.metadata.creationTimestamp).toBe(wireTime(new Date(Math.floor(at.getTime() / 1000) * 1000)));
    await h.settle();
  });

  it('generates a new metadata.name for every network, even with the same display name elsewhere', async () => {
    const name = displayName('gen');
    const a = await createNetwork(h.client, networkBody(name));
    const b = await createNetwork(h.client, networkBody(name, { workspaceId: freshWorkspace() }));
    expect(a.metadata.name).not.toBe(b.metadata.name);
    for (const n of [a, b]) expect(n.metadata.name).toMatch(new RegExp(`^${name}-[0-9a-f]{32}$`));
  });

  it('moves to Active only once the default two seconds have passed', async () => {
    const created = await createNetwork(h.client, networkBody());
    const name = created.metadata.name;
    await h.settle();
    expect((await showNetwork(h.client, name)).status.phase).toBe('Creating');
    await h.advance(1_999);
    expect((await showNetwork(h.client, name)).status.phase).toBe('Creating');
    await h.advance(1);
    const active = await showNetwork(h.client, name);
    expect(active.status.phase).toBe('Active');
    // Nothing else about the object changes when it becomes Active, but that it has its subnet (decision 23).
    const { subnets, ...status } = active.status;
    expect(subnets).toEqual([{ networkId: expect.any(String), cidr: created.spec.cidr }]);
    expect({ ...active, status: { ...status, phase: 'Creating' } }).toEqual(created);
  });

  it('echoes the optional fields it was given', async () => {
    const name = displayName('full');
    const workspace = freshWorkspace();
    const body = await createNetwork(h.client, {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: {
        labels: { [NAME_LABEL]: name, [WORKSPACE_LABEL]: workspace },
        annotations: { [DESCRIPTION]: 'training network, team a' },
      },
      spec: { cidr: '10.0.0.0/8', ipv6enable: true },
    });
    expect(body.metadata.labels).toEqual({ [NAME_LABEL]: name, [WORKSPACE_LABEL]: workspace });
    expect(body.metadata.annotations).toEqual({ [DESCRIPTION]: 'training network, team a' });
    expect(body.spec).toEqual({ cidr: '10.0.0.0/8', ipv6enable: true, connection: {} });
  });

  it('accepts what Terraform sends: an empty peerConnectionList, shown back as connection {}', async () => {
    const body = networkBody();
    const created = await createNetwork(h.client, {
      ...body,
      spec: { ...body.spec, connection: { peerConnectionList: [] } },
    });
    expect(created.spec.connection).toEqual({});
    expect(created.status.connectionStatus).toEqual({});
  });

  it('connects peers and SFS Turbo given at create time along with the network', async () => {
    const body = networkBody(undefined, { cidr: '172.16.0.0/16' });
    const created = await createNetwork(h.client, {
      ...body,
      spec: {
        ...body.spec,
        connection: {
          peerConnectionList: [
            { peerVpcId: 'vpc-a', peerSubnetId: 'subnet-a' },
            { peerVpcId: 'vpc-b', peerSubnetId: 'subnet-b', defaultGateWay: true },
          ],
          sfsTurboConnectionList: [{ name: 'turbo-1', sfsId: 'sfs-1' }],
        },
      },
    });
    expect(created.spec.connection).toEqual({
      peerConnectionList: [
        { peerVpcId: 'vpc-a', peerSubnetId: 'subnet-a', defaultGateWay: false },
        { peerVpcId: 'vpc-b', peerSubnetId: 'subnet-b', defaultGateWay: true },
      ],
      sfsTurboConnectionList: [{ name: 'turbo-1', sfsId: 'sfs-1' }],
    });
    expect(created.status.connectionStatus).toEqual({
      peerConnectionStatus: [
        { peerVpcId: 'vpc-a', peerSubnetId: 'subnet-a', defaultGateWay: false, phase: 'Connecting' },
        { peerVpcId: 'vpc-b', peerSubnetId: 'subnet-b', defaultGateWay: true, phase: 'Connecting' },
      ],
      sfsTurboStatus: [
        {
          name: 'turbo-1',
          sfsId: 'sfs-1',
          connectionType: 'VpcPort',
          ipAddr: expect.stringMatching(/^172\.16\.\d+\.\d+$/),
          status: 'Creating',
        },
      ],
    });
    await h.advance(2_000);
    const active = await showNetwork(h.client, created.metadata.name);
    expect(active.status.phase).toBe('Active');
    expect(active.status.connectionStatus.peerConnectionStatus.map((p: any) => p.phase)).toEqual(['Active', 'Active']);
    expect(active.status.connectionStatus.sfsTurboStatus).toEqual([
      { ...created.status.connectionStatus.sfsTurboStatus[0], status: 'Active' },
    ]);
  });

  it('accepts display names at the length bounds, 4 and 32 characters', async () => {
    const four = `n${process.pid.toString(36)}`.slice(0, 3) + 'z';
    const long = `${displayName('edge')}-`.padEnd(31, 'x') + '9';
    expect(four).toHaveLength(4);
    expect(long).toHaveLength(32);
    for (const name of [four, long]) {
      const body = await createNetwork(h.client, networkBody(name, { workspaceId: freshWorkspace() }));
      expect(body.metadata.labels[NAME_LABEL]).toBe(name);
      expect(body.metadata.name).toHaveLength(name.length + 33);
    }
  });

  it.each([
    ['10.0.0.0/8'],
    ['10.20.30.0/24'],
    ['172.16.0.0/12'],
    ['172.31.255.0/24'],
    ['192.168.0.0/16'],
    ['192.168.7.0/24'],
  ])('accepts the private block %s', async (cidr) => {
    const body = await createNetwork(h.client, networkBody(undefined, { cidr }));
    expect(body.spec.cidr).toBe(cidr);
  });
});

describe('POST /v1/{project_id}/networks with a configured creation time', () => {
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '5' });

  it('stays Creating until ATELIER_NETWORK_CREATE_SECONDS have passed', async () => {
    const { metadata } = await createNetwork(h.client, networkBody());
    await h.advance(2_000);
    expect((await showNetwork(h.client, metadata.name)).status.phase).toBe('Creating');
    await h.advance(2_999);
    expect((await showNetwork(h.client, metadata.name)).status.phase).toBe('Creating');
    await h.advance(1);
    expect((await showNetwork(h.client, metadata.name)).status.phase).toBe('Active');
  });
});

describe('POST /v1/{project_id}/networks refuses what it cannot accept, changing nothing', () => {
  let workspace: string;
  const h = useHarness();
  beforeAll(async () => {
    workspace = freshWorkspace();
    // Something already there, so "nothing changed" is not just "still empty".
    await createNetwork(h.client, networkBody());
    await createNetwork(h.client, networkBody(undefined, { workspaceId: workspace }));
  });

  const base = () => networkBody(displayName('bad'));
  const withLabels = (labels: Record<string, unknown>) => {
    const b = base();
    return { ...b, metadata: { labels: { ...b.metadata.labels, ...labels } } };
  };
  const withSpec = (spec: Record<string, unknown>) => ({ ...base(), spec: { ...base().spec, ...spec } });
  const withDescription = (description: unknown) => ({
    ...base(),
    metadata: { ...base().metadata, annotations: { [DESCRIPTION]: description } },
  });
  const withoutName = () => {
    const b = base();
    return { ...b, metadata: { labels: { [WORKSPACE_LABEL]: '0' } } };
  };

  const refusals: Array<[string, () => unknown]> = [
    ['apiVersion v2', () => ({ ...base(), apiVersion: 'v2' })],
    ['kind Pool', () => ({ ...base(), kind: 'Pool' })],
    [
      'no apiVersion',
      () => {
        const { apiVersion: _, ...rest } = base();
        return rest;
      },
    ],
    ['no name label', withoutName],
    ['no metadata', () => ({ apiVersion: 'v1', kind: 'Network', spec: { cidr: '192.168.0.0/16' } })],
    ['no spec', () => ({ apiVersion: 'v1', kind: 'Network', metadata: base().metadata })],
    ['no cidr', () => ({ ...base(), spec: {} })],
    ['a 3-character name', () => withLabels({ [NAME_LABEL]: 'abc' })],
    ['an uppercase name', () => withLabels({ [NAME_LABEL]: 'Net-train' })],
    ['a name ending in a hyphen', () => withLabels({ [NAME_LABEL]: 'net-train-' })],
    ['a name starting with a digit', () => withLabels({ [NAME_LABEL]: '1net-train' })],
    ['a name with an underscore', () => withLabels({ [NAME_LABEL]: 'net_train' })],
    ['a 33-character name', () => withLabels({ [NAME_LABEL]: 'n'.repeat(33) })],
    ['an empty name', () => withLabels({ [NAME_LABEL]: '' })],
    ['a public CIDR', () => withSpec({ cidr: '8.8.8.0/24' })],
    ['a CIDR just outside 172.16.0.0/12', () => withSpec({ cidr: '172.32.0.0/16' })],
    ['a CIDR wider than its private block', () => withSpec({ cidr: '192.168.0.0/15' })],
    ['a CIDR with host bits set', () => withSpec({ cidr: '192.168.1.1/24' })],
    ['a /25 CIDR', () => withSpec({ cidr: '192.168.1.0/25' })],
    ['a CIDR without a prefix', () => withSpec({ cidr: '192.168.0.0' })],
    ['an octet above 255', () => withSpec({ cidr: '192.168.256.0/24' })],
    ['a leading zero', () => withSpec({ cidr: '192.168.01.0/24' })],
    ['a garbage CIDR', () => withSpec({ cidr: 'not-a-cidr' })],
    ['an empty CIDR', () => withSpec({ cidr: '' })],
    ['an unknown top-level field', () => ({ ...base(), status: { phase: 'Active' } })],
    ['an unknown metadata field', () => ({ ...base(), metadata: { ...base().metadata, name: 'mine' } })],
    ['an unknown spec field', () => withSpec({ vpcId: 'vpc-1' })],
    ['an unknown connection field', () => withSpec({ connection: { vpnList: [] } })],
    [
      'an unknown peer field',
      () => withSpec({ connection: { peerConnectionList: [{ peerVpcId: 'v', peerSubnetId: 's', mtu: 1500 }] } }),
    ],
    ['a numeric cidr', () => withSpec({ cidr: 3232235520 })],
    ['a string ipv6enable', () => withSpec({ ipv6enable: 'true' })],
    ['a numeric name label', () => withLabels({ [NAME_LABEL]: 1234 })],
    ['a numeric workspace label', () => withLabels({ [WORKSPACE_LABEL]: 7 })],
    ['labels as an array', () => ({ ...base(), metadata: { labels: ['a'] } })],
    ['a body that is an array', () => [base()]],
    [
      'peerConnectionList as an object',
      () => withSpec({ connection: { peerConnectionList: { peerVpcId: 'v', peerSubnetId: 's' } } }),
    ],
    ['a peer without peerSubnetId', () => withSpec({ connection: { peerConnectionList: [{ peerVpcId: 'v' }] } })],
    [
      'a peer with an empty peerVpcId',
      () => withSpec({ connection: { peerConnectionList: [{ peerVpcId: '', peerSubnetId: 's' }] } }),
    ],
    [
      'a string defaultGateWay',
      () =>
        withSpec({ connection: { peerConnectionList: [{ peerVpcId: 'v', peerSubnetId: 's', defaultGateWay: 'no' }] } }),
    ],
    ['an SFS item without sfsId', () => withSpec({ connection: { sfsTurboConnectionList: [{ name: 'turbo' }] } })],
    ['a description with !', () => withDescription('hello!')],
    ['a description with <', () => withDescription('a<b')],
    ['a description with =', () => withDescription('a=b')],
    ['a description with &', () => withDescription('a & b')],
    ['a description with a double quote', () => withDescription('say "hi"')],
    ['a description with a single quote', () => withDescription("it's")],
    ['a 101-character description', () => withDescription('d'.repeat(101))],
    ['a numeric description', () => withDescription(42)],
    [
      'the same peer twice',
      () =>
        withSpec({
          connection: {
            peerConnectionList: [
              { peerVpcId: 'vpc-1', peerSubnetId: 'subnet-1' },
              { peerVpcId: 'vpc-1', peerSubnetId: 'subnet-1', defaultGateWay: true },
            ],
          },
        }),
    ],
    [
      'the same SFS Turbo twice',
      () =>
        withSpec({
          connection: {
            sfsTurboConnectionList: [
              { name: 'a', sfsId: 'sfs-1' },
              { name: 'b', sfsId: 'sfs-1' },
            ],
          },
        }),
    ],
  ];

  it.each(refusals)('400 ModelArts.50004000 for %s', async (_, body) => {
    const before = await observable(h.client, ['0', workspace]);
    const res = await h.client.post(NETWORKS, body());
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toMatch(/^Bad request\. /);
    expect(await observable(h.client, ['0', workspace])).toEqual(before);
  });

  it('names the offending field in the message', async () => {
    const cidr = await h.client.post(NETWORKS, withSpec({ cidr: '8.8.8.0/24' }));
    expect(cidr.body.error_msg).toContain('spec.cidr');
    const name = await h.client.post(NETWORKS, withLabels({ [NAME_LABEL]: 'Upper' }));
    expect(name.body.error_msg).toContain(NAME_LABEL);
    const unknown = await h.client.post(NETWORKS, withSpec({ vpcId: 'x' }));
    expect(unknown.body.error_msg).toContain('vpcId');
  });

  it('accepts a description of exactly 100 characters', async () => {
    const body = await createNetwork(h.client, {
      ...networkBody(undefined, { workspaceId: freshWorkspace() }),
      metadata: {
        labels: { [NAME_LABEL]: displayName('desc'), [WORKSPACE_LABEL]: freshWorkspace() },
        annotations: { [DESCRIPTION]: 'd'.repeat(100) },
      },
    });
    expect(body.metadata.annotations[DESCRIPTION]).toHaveLength(100);
  });

  it('400 ModelArts.50004000 for malformed JSON', async () => {
    const before = await observable(h.client, ['0', workspace]);
    for (const rawBody of ['{"apiVersion": "v1",', '{apiVersion: v1}', 'null x', '{"a":1}}']) {
      const res = await h.client.request('POST', NETWORKS, { rawBody });
      expectError(res, 400, 'ModelArts.50004000');
    }
    expect(await observable(h.client, ['0', workspace])).toEqual(before);
  });

  it('400 ModelArts.50004000 for a create without a body', async () => {
    const before = await observable(h.client, ['0', workspace]);
    expectError(await h.client.post(NETWORKS), 400, 'ModelArts.50004000');
    expectError(await h.client.request('POST', NETWORKS, { rawBody: 'null' }), 400, 'ModelArts.50004000');
    expect(await observable(h.client, ['0', workspace])).toEqual(before);
  });

  it('400 ModelArts.50004100 for a body that is not JSON', async () => {
    const before = await observable(h.client, ['0', workspace]);
    const json = JSON.stringify(base());
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await h.client.request('POST', NETWORKS, { rawBody: json, headers: { 'content-type': type } });
      expectError(res, 400, 'ModelArts.50004100');
    }
    expect(await observable(h.client, ['0', workspace])).toEqual(before);
  });

  it('accepts JSON whatever the case of the content type and its charset', async () => {
    const res = await h.client.request('POST', NETWORKS, {
      rawBody: JSON.stringify(networkBody(undefined, { workspaceId: freshWorkspace() })),
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    expect(res.status, res.text).toBe(200);
  });
});

describe('duplicate display names', () => {
  const h = useHarness();

  it('409 ModelArts.50025000 for the same display name in the same workspace', async () => {
    const name = displayName('dup');
    const first = await createNetwork(h.client, networkBody(name));
    const before = await observable(h.client);
    const again = await h.client.post(NETWORKS, networkBody(name, { cidr: '10.1.0.0/16' }));
    expectError(again, 409, 'ModelArts.50025000');
    expect(await observable(h.client)).toEqual(before);
    // An explicit "0" is the same workspace as no label at all.
    expectError(await h.client.post(NETWORKS, networkBody(name, { workspaceId: '0' })), 409, 'ModelArts.50025000');
    expect((await showNetwork(h.client, first.metadata.name)).spec.cidr).toBe('192.168.128.0/17');
  });

  it('409 once the first network is Active, too', async () => {
    const name = displayName('dupa');
    await createNetwork(h.client, networkBody(name));
    await h.advance(2_000);
    expectError(await h.client.post(NETWORKS, networkBody(name)), 409, 'ModelArts.50025000');
  });

  it('allows the same display name in another workspace', async () => {
    const name = displayName('dupw');
    const ws = freshWorkspace();
    const a = await createNetwork(h.client, networkBody(name));
    const b = await createNetwork(h.client, networkBody(name, { workspaceId: ws }));
    expect(b.metadata.labels[WORKSPACE_LABEL]).toBe(ws);
    expect(await listNames(h.client, { workspaceId: ws })).toEqual([b.metadata.name]);
    expect(await listNames(h.client)).toContain(a.metadata.name);
    expectError(await h.client.post(NETWORKS, networkBody(name, { workspaceId: ws })), 409, 'ModelArts.50025000');
  });

  it('lets exactly one of several simultaneous creates with one name through', async () => {
    const name = displayName('race');
    const results = await Promise.all([1, 2, 3, 4].map(() => h.client.post(NETWORKS, networkBody(name))));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expectError(r, 409, 'ModelArts.50025000');
    expect((await listNames(h.client)).filter((n) => n.startsWith(`${name}-`))).toHaveLength(1);
  });

  it('frees the display name once the network is gone', async () => {
    const name = displayName('reuse');
    const first = await createNetwork(h.client, networkBody(name));
    await h.advance(2_000);
    expect((await h.client.delete(networkPath(first.metadata.name))).status).toBe(200);
    await h.advance(2_000);
    expectError(await h.client.get(networkPath(first.metadata.name)), 404, 'ModelArts.50025001');
    const second = await createNetwork(h.client, networkBody(name));
    expect(second.metadata.name).not.toBe(first.metadata.name);
  });
});

describe('the network quota', () => {
  const h = useHarness({ ATELIER_NETWORK_QUOTA: '2' });

  it('refuses the third network with a message naming the quota and its limit', async () => {
    const a = await createNetwork(h.client, networkBody());
    await createNetwork(h.client, networkBody(undefined, { workspaceId: freshWorkspace() }));
    expect(await networkQuota(h.client)).toEqual({ quota: 2, used: 2 });

    const before = await observable(h.client);
    const third = await h.client.post(NETWORKS, networkBody());
    expectError(third, 400, 'ModelArts.50004000');
    expect(third.body.error_msg).toMatch(/network quota/i);
    expect(third.body.error_msg).toMatch(/\b2\b/);
    expect(await observable(h.client)).toEqual(before);

    // Networks in every workspace count, and Active ones as much as Creating ones.
    await h.advance(2_000);
    expectError(
      await h.client.post(NETWORKS, networkBody(undefined, { workspaceId: freshWorkspace() })),
      400,
      'ModelArts.50004000',
    );

    // A deleted network counts until it is gone (decision 2), then the next one fits.
    expect((await h.client.delete(networkPath(a.metadata.name))).status).toBe(200);
    expectError(await h.client.post(NETWORKS, networkBody()), 400, 'ModelArts.50004000');
    await h.advance(2_000);
    expectError(await h.client.get(networkPath(a.metadata.name)), 404, 'ModelArts.50025001');
    expect(await networkQuota(h.client)).toEqual({ quota: 2, used: 1 });
    await createNetwork(h.client, networkBody());
    expect(await networkQuota(h.client)).toEqual({ quota: 2, used: 2 });
  });

  it('never lets simultaneous creates exceed the quota', async () => {
    // Make room for exactly one more.
    const names = await listNames(h.client);
    expect((await h.client.delete(networkPath(names[0]))).status).toBe(200);
    await h.advance(2_000);
    expect(await networkQuota(h.client)).toEqual({ quota: 2, used: 1 });

    const results = await Promise.all([1, 2, 3, 4].map(() => h.client.post(NETWORKS, networkBody())));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    expect(await networkQuota(h.client)).toEqual({ quota: 2, used: 2 });
  });
});
