import { describe, expect, it } from 'vitest';
import { activeNetwork, displayName, expectError, networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  createNetwork,
  DESCRIPTION,
  freshWorkspace,
  listNames,
  NAME_LABEL,
  networkPath,
  networkQuota,
  showNetwork,
  WORKSPACE_LABEL,
} from './helpers.js';

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

const peers = (...list: Array<[string, string, boolean?]>) => ({
  spec: {
    connection: {
      peerConnectionList: list.map(([peerVpcId, peerSubnetId, defaultGateWay]) => ({
        peerVpcId,
        peerSubnetId,
        ...(defaultGateWay === undefined ? {} : { defaultGateWay }),
      })),
    },
  },
});
const sfs = (...list: Array<[string, string]>) => ({
  spec: { connection: { sfsTurboConnectionList: list.map(([name, sfsId]) => ({ name, sfsId })) } },
});

describe('PATCH /v1/{project_id}/networks/{network_name}', () => {
  const active = () => activeNetwork(h.client, h.settle);
  const patch = async (name: string, body: unknown, headers?: Record<string, string>) => {
    const res = await h.client.patch(networkPath(name), body, headers);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    // The answer is what a GET shows from now on.
    expect(await showNetwork(h.client, name)).toEqual(res.body);
    return res.body;
  };
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_NETWORK_QUOTA: '100' });

  it('sets, replaces and removes the description', async () => {
    const name = await active();
    const before = await showNetwork(h.client, name);
    const set = await patch(name, { metadata: { annotations: { [DESCRIPTION]: 'first words' } } });
    expect(set).toEqual({ ...before, metadata: { ...before.metadata, annotations: { [DESCRIPTION]: 'first words' } } });
    const replaced = await patch(name, { metadata: { annotations: { [DESCRIPTION]: 'second words' } } });
    expect(replaced.metadata.annotations).toEqual({ [DESCRIPTION]: 'second words' });
    const removed = await patch(name, { metadata: { annotations: { [DESCRIPTION]: null } } });
    expect(removed).toEqual(before);
  });

  it('accepts application/merge-patch+json as well as application/json', async () => {
    const name = await active();
    const res = await patch(name, { metadata: { annotations: { [DESCRIPTION]: 'via merge patch' } } }, MERGE_PATCH);
    expect(res.metadata.annotations[DESCRIPTION]).toBe('via merge patch');
    const withCharset = await patch(
      name,
      { metadata: { annotations: { [DESCRIPTION]: 'with charset' } } },
      { 'content-type': 'application/merge-patch+json; charset=utf-8' },
    );
    expect(withCharset.metadata.annotations[DESCRIPTION]).toBe('with charset');
  });

  it('400 ModelArts.50004100 for a body in another content type, changing nothing', async () => {
    const name = await active();
    const before = await showNetwork(h.client, name);
    const body = JSON.stringify({ metadata: { annotations: { [DESCRIPTION]: 'sneaky' } } });
    for (const type of ['text/plain', 'application/json-patch+json']) {
      const res = await h.client.request('PATCH', networkPath(name), {
        rawBody: body,
        headers: { 'content-type': type },
      });
      expectError(res, 400, 'ModelArts.50004100');
    }
    expect(await showNetwork(h.client, name)).toEqual(before);
  });

  it('leaves everything as it was for an empty patch', async () => {
    const name = await active();
    const before = await showNetwork(h.client, name);
    expect(await patch(name, {})).toEqual(before);
    expect(await patch(name, { metadata: {}, spec: {} })).toEqual(before);
  });

  it('moves a network to another workspace', async () => {
    const name = await active();
    const ws = freshWorkspace();
    const used = (await networkQuota(h.client)).used;
    const moved = await patch(name, { metadata: { labels: { [WORKSPACE_LABEL]: ws } } });
    expect(moved.metadata.labels).toEqual({ [NAME_LABEL]: expect.any(String), [WORKSPACE_LABEL]: ws });
    expect(await listNames(h.client, { workspaceId: ws })).toEqual([name]);
    expect(await listNames(h.client)).not.toContain(name);
    expect((await networkQuota(h.client)).used).toBe(used);
    // ...and back again.
    await patch(name, { metadata: { labels: { [WORKSPACE_LABEL]: '0' } } });
    expect(await listNames(h.client)).toContain(name);
    expect(await listNames(h.client, { workspaceId: ws })).toEqual([]);
  });

  it('409 ModelArts.50025000 when the target workspace has a network of the same display name', async () => {
    const display = displayName('mv');
    const ws = freshWorkspace();
    const here = await createNetwork(h.client, networkBody(display));
    await createNetwork(h.client, networkBody(display, { workspaceId: ws }));
    await h.settle();
    const before = await showNetwork(h.client, here.metadata.name);
    const res = await h.client.patch(networkPath(here.metadata.name), {
      metadata: { labels: { [WORKSPACE_LABEL]: ws } },
    });
    expectError(res, 409, 'ModelArts.50025000');
    expect(await showNetwork(h.client, here.metadata.name)).toEqual(before);
  });

  it('turns IPv6 on, but never off again', async () => {
    const name = await active();
    expect((await patch(name, { spec: { ipv6enable: false } })).spec.ipv6enable).toBe(false);
    const on = await patch(name, { spec: { ipv6enable: true } });
    expect(on.spec.ipv6enable).toBe(true);
    expect((await patch(name, { spec: { ipv6enable: true } })).spec.ipv6enable).toBe(true);
    const off = await h.client.patch(networkPath(name), { spec: { ipv6enable: false } });
    expectError(off, 400, 'ModelArts.50004000');
    expect(off.body.error_msg).toContain('ipv6enable');
    expect(await showNetwork(h.client, name)).toEqual(on);
    // A patch that does not mention ipv6enable keeps it on.
    expect((await patch(name, { metadata: { annotations: { [DESCRIPTION]: 'x' } } })).spec.ipv6enable).toBe(true);
  });

  it('attaches peers, which connect once the engine has run, and detaches them with []', async () => {
    const name = await active();
    const attached = await patch(name, peers(['vpc-1', 'subnet-1'], ['vpc-2', 'subnet-2', true]), MERGE_PATCH);
    expect(attached.spec.connection).toEqual({
      peerConnectionList: [
        { peerVpcId: 'vpc-1', peerSubnetId: 'subnet-1', defaultGateWay: false },
        { peerVpcId: 'vpc-2', peerSubnetId: 'subnet-2', defaultGateWay: true },
      ],
    });
    expect(attached.status).toEqual({
      phase: 'Active',
      subnets: [expect.objectContaining({ networkId: expect.any(String) })],
      connectionStatus: {
        peerConnectionStatus: [
          { peerVpcId: 'vpc-1', peerSubnetId: 'subnet-1', defaultGateWay: false, phase: 'Connecting' },
          { peerVpcId: 'vpc-2', peerSubnetId: 'subnet-2', defaultGateWay: true, phase: 'Connecting' },
        ],
      },
    });
    await h.settle();
    const connected = await showNetwork(h.client, name);
    expect(connected.status.connectionStatus.peerConnectionStatus.map((p: any) => p.phase)).toEqual([
      'Active',
      'Active',
    ]);

    // Arrays are replaced whole: keeping vpc-1 and adding vpc-3 leaves vpc-1 Active.
    const changed = await patch(name, peers(['vpc-1', 'subnet-1'], ['vpc-3', 'subnet-3']), MERGE_PATCH);
    expect(changed.status.connectionStatus.peerConnectionStatus).toEqual([
      { peerVpcId: 'vpc-1', peerSubnetId: 'subnet-1', defaultGateWay: false, phase: 'Active' },
      { peerVpcId: 'vpc-3', peerSubnetId: 'subnet-3', defaultGateWay: false, phase: 'Connecting' },
    ]);
    await h.settle();
    expect(
      (await showNetwork(h.client, name)).status.connectionStatus.peerConnectionStatus.map((p: any) => p.phase),
    ).toEqual(['Active', 'Active']);

    // A description change leaves the peers alone.
    const described = await patch(name, { metadata: { annotations: { [DESCRIPTION]: 'peered' } } });
    expect(described.spec.connection.peerConnectionList).toHaveLength(2);

    const detached = await patch(name, { spec: { connection: { peerConnectionList: [] } } }, MERGE_PATCH);
    expect(detached.spec.connection).toEqual({});
    expect(detached.status.connectionStatus).toEqual({});
    await h.settle();
    expect((await showNetwork(h.client, name)).status.connectionStatus).toEqual({});
  });

  it('adds and removes SFS Turbo connections: Creating → Active, removed → Deleting → gone', async () => {
    const name = await active();
    const added = await patch(name, sfs(['turbo-a', 'sfs-a'], ['turbo-b', 'sfs-b']));
    expect(added.spec.connection).toEqual({
      sfsTurboConnectionList: [
        { name: 'turbo-a', sfsId: 'sfs-a' },
        { name: 'turbo-b', sfsId: 'sfs-b' },
      ],
    });
    const statusOf = (n: any) => n.status.connectionStatus.sfsTurboStatus?.map((s: any) => [s.sfsId, s.status]);
    expect(statusOf(added)).toEqual([
      ['sfs-a', 'Creating'],
      ['sfs-b', 'Creating'],
    ]);
    for (const item of added.status.connectionStatus.sfsTurboStatus) {
      expect(item).toEqual({
        name: expect.any(String),
        sfsId: expect.any(String),
        connectionType: 'VpcPort',
        ipAddr: expect.stringMatching(/^192\.168\.\d+\.\d+$/),
        status: 'Creating',
      });
    }
    await h.settle();
    const settled = await showNetwork(h.client, name);
    expect(statusOf(settled)).toEqual([
      ['sfs-a', 'Active'],
      ['sfs-b', 'Active'],
    ]);

    const removed = await patch(name, sfs(['turbo-b', 'sfs-b']));
    expect(removed.spec.connection).toEqual({ sfsTurboConnectionList: [{ name: 'turbo-b', sfsId: 'sfs-b' }] });
    expect(statusOf(removed)).toEqual([
      ['sfs-b', 'Active'],
      ['sfs-a', 'Deleting'],
    ]);
    // The surviving attachment keeps its address.
    const addressOf = (n: any, id: string) =>
      n.status.connectionStatus.sfsTurboStatus.find((s: any) => s.sfsId === id).ipAddr;
    expect(addressOf(removed, 'sfs-b')).toBe(addressOf(settled, 'sfs-b'));
    await h.settle();
    expect(statusOf(await showNetwork(h.client, name))).toEqual([['sfs-b', 'Active']]);

    const none = await patch(name, sfs());
    expect(none.spec.connection).toEqual({});
    expect(statusOf(none)).toEqual([['sfs-b', 'Deleting']]);
    await h.settle();
    expect((await showNetwork(h.client, name)).status.connectionStatus).toEqual({});
  });

  it('never gives two SFS Turbo attachments the same address', async () => {
    const name = await active();
    const addresses = (n: any) => n.status.connectionStatus.sfsTurboStatus.map((s: any) => s.ipAddr);
    await patch(name, sfs(['a', 'sfs-a'], ['b', 'sfs-b']));
    await h.settle();
    await patch(name, sfs(['b', 'sfs-b']));
    // While sfs-a is still being torn down, and after it is gone.
    const whileDeleting = await patch(name, sfs(['b', 'sfs-b'], ['c', 'sfs-c']));
    expect(new Set(addresses(whileDeleting)).size).toBe(3);
    await h.settle();
    const later = await patch(name, sfs(['b', 'sfs-b'], ['c', 'sfs-c'], ['d', 'sfs-d']));
    expect(new Set(addresses(later)).size).toBe(3);
    await h.settle();
    const settled = await showNetwork(h.client, name);
    expect(settled.status.connectionStatus.sfsTurboStatus.map((s: any) => s.sfsId)).toEqual([
      'sfs-b',
      'sfs-c',
      'sfs-d',
    ]);
    expect(new Set(addresses(settled)).size).toBe(3);
  });

  it('detaches with null as well as with []', async () => {
    const name = await active();
    await patch(name, {
      spec: {
        connection: {
          peerConnectionList: [{ peerVpcId: 'v', peerSubnetId: 's' }],
          sfsTurboConnectionList: [{ name: 'n', sfsId: 'i' }],
        },
      },
    });
    await h.settle();
    const res = await patch(name, { spec: { connection: { peerConnectionList: null } } }, MERGE_PATCH);
    expect(res.spec.connection).toEqual({ sfsTurboConnectionList: [{ name: 'n', sfsId: 'i' }] });
    expect(res.status.connectionStatus.peerConnectionStatus).toBeUndefined();
  });

  it('400 ModelArts.50004000 for a PATCH without a body', async () => {
    const name = await active();
    const before = await showNetwork(h.client, name);
    expectError(await h.client.patch(networkPath(name)), 400, 'ModelArts.50004000');
    expect(await showNetwork(h.client, name)).toEqual(before);
  });

  it('keeps peers and SFS Turbo lists apart: patching one leaves the other', async () => {
    const name = await active();
    await patch(name, peers(['vpc-k', 'subnet-k']));
    await patch(name, sfs(['turbo-k', 'sfs-k']));
    await h.settle();
    const both = await showNetwork(h.client, name);
    expect(both.spec.connection.peerConnectionList).toHaveLength(1);
    expect(both.spec.connection.sfsTurboConnectionList).toHaveLength(1);
    expect(both.status.connectionStatus.peerConnectionStatus[0].phase).toBe('Active');
    expect(both.status.connectionStatus.sfsTurboStatus[0].status).toBe('Active');
  });

  it.each([
    ['spec.cidr', { spec: { cidr: '10.0.0.0/16' } }],
    ['the name label', { metadata: { labels: { [NAME_LABEL]: 'renamed' } } }],
    ['metadata.name', { metadata: { name: 'other-name' } }],
    ['apiVersion', { apiVersion: 'v2' }],
    ['kind', { kind: 'Pool' }],
    ['status', { status: { phase: 'Abnormal' } }],
    ['an unknown label', { metadata: { labels: { tier: 'gold' } } }],
    ['an unknown spec field', { spec: { vpcId: 'vpc-1' } }],
    ['a null workspace', { metadata: { labels: { [WORKSPACE_LABEL]: null } } }],
    ['an empty workspace', { metadata: { labels: { [WORKSPACE_LABEL]: '' } } }],
    ['a string ipv6enable', { spec: { ipv6enable: 'true' } }],
    ['a description with forbidden characters', { metadata: { annotations: { [DESCRIPTION]: 'a<b>' } } }],
    ['a 101-character description', { metadata: { annotations: { [DESCRIPTION]: 'd'.repeat(101) } } }],
    ['a peer without a subnet', { spec: { connection: { peerConnectionList: [{ peerVpcId: 'vpc-1' }] } } }],
    ['duplicate peers', peers(['vpc-1', 'subnet-1'], ['vpc-1', 'subnet-1', true])],
    ['duplicate SFS Turbo ids', sfs(['a', 'sfs-1'], ['b', 'sfs-1'])],
    ['an SFS item with an empty name', sfs(['', 'sfs-1'])],
    ['a body that is an array', [{ spec: { ipv6enable: true } }]],
    ['a body that is a string', 'ipv6'],
  ])('400 ModelArts.50004000 for %s, changing nothing', async (_, body) => {
    const name = await active();
    await patch(name, { metadata: { annotations: { [DESCRIPTION]: 'before' } } });
    const before = await showNetwork(h.client, name);
    for (const headers of [undefined, MERGE_PATCH]) {
      expectError(await h.client.patch(networkPath(name), body, headers), 400, 'ModelArts.50004000');
    }
    await h.settle();
    expect(await showNetwork(h.client, name)).toEqual(before);
  });

  it('400 ModelArts.50004000 for malformed JSON', async () => {
    const name = await active();
    const before = await showNetwork(h.client, name);
    const res = await h.client.request('PATCH', networkPath(name), { rawBody: '{"spec": {', headers: MERGE_PATCH });
    expectError(res, 400, 'ModelArts.50004000');
    expect(await showNetwork(h.client, name)).toEqual(before);
  });

  it('404 ModelArts.50025001 for an unknown network', async () => {
    const res = await h.client.patch(networkPath(`${displayName('ghost')}-0123456789abcdef0123456789abcdef`), {
      spec: { ipv6enable: true },
    });
    expectError(res, 404, 'ModelArts.50025001');
  });

  it('400 ModelArts.50004000 for a network being deleted', async () => {
    const name = await active();
    const deleting = await h.client.delete(networkPath(name));
    expect(deleting.status).toBe(200);
    const res = await h.client.patch(networkPath(name), { metadata: { annotations: { [DESCRIPTION]: 'too late' } } });
    expectError(res, 400, 'ModelArts.50004000');
    expect(await showNetwork(h.client, name)).toEqual(deleting.body);
    await h.advance(2_000);
    expectError(await h.client.patch(networkPath(name), {}), 404, 'ModelArts.50025001');
  });
});

describe('PATCH while a network is still Creating', () => {
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '5' });

  it('400 ModelArts.50004000 (decision 9), and the network still becomes Active on time', async () => {
    const created = await createNetwork(h.client, networkBody());
    const name = created.metadata.name;
    await h.advance(3_000);
    for (const [body, headers] of [
      [peers(['vpc-early', 'subnet-early']), MERGE_PATCH],
      [{ metadata: { annotations: { [DESCRIPTION]: 'early' } } }, undefined],
      [{}, undefined],
    ] as const) {
      expectError(await h.client.patch(networkPath(name), body, headers), 400, 'ModelArts.50004000');
    }
    expect(await showNetwork(h.client, name)).toEqual(created);
    await h.advance(1_999);
    expect((await showNetwork(h.client, name)).status.phase).toBe('Creating');
    await h.advance(1);
    expect((await showNetwork(h.client, name)).status.phase).toBe('Active');
    const res = await h.client.patch(networkPath(name), peers(['vpc-early', 'subnet-early']), MERGE_PATCH);
    expect(res.status, res.text).toBe(200);
  });
});

describe('peer connections take the configured time', () => {
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '4' });

  it('are not held back by a later patch that leaves the connections alone', async () => {
    const { metadata } = await createNetwork(h.client, networkBody());
    await h.advance(4_000);
    expect((await h.client.patch(networkPath(metadata.name), peers(['vpc-d', 'subnet-d']))).status).toBe(200);
    await h.advance(2_000);
    const described = await h.client.patch(networkPath(metadata.name), {
      metadata: { annotations: { [DESCRIPTION]: 'meanwhile' } },
    });
    expect(described.status, described.text).toBe(200);
    expect(described.body.status.connectionStatus.peerConnectionStatus[0].phase).toBe('Connecting');
    await h.advance(2_000);
    expect((await showNetwork(h.client, metadata.name)).status.connectionStatus.peerConnectionStatus[0].phase).toBe(
      'Active',
    );
  });

  it('restart the wait for a changed connection list', async () => {
    const { metadata } = await createNetwork(h.client, networkBody());
    await h.advance(4_000);
    expect((await h.client.patch(networkPath(metadata.name), peers(['vpc-e', 'subnet-e']))).status).toBe(200);
    await h.advance(2_000);
    expect(
      (await h.client.patch(networkPath(metadata.name), peers(['vpc-e', 'subnet-e'], ['vpc-f', 'subnet-f']))).status,
    ).toBe(200);
    await h.advance(2_000);
    const phases = (n: any) => n.status.connectionStatus.peerConnectionStatus.map((p: any) => p.phase);
    // The peer added two seconds ago has not had its four seconds yet.
    expect(phases(await showNetwork(h.client, metadata.name))[1]).toBe('Connecting');
    await h.advance(2_000);
    expect(phases(await showNetwork(h.client, metadata.name))).toEqual(['Active', 'Active']);
  });

  it('stay Connecting until the connection time has passed', async () => {
    const { metadata } = await createNetwork(h.client, networkBody());
    await h.advance(4_000);
    const res = await h.client.patch(networkPath(metadata.name), peers(['vpc-slow', 'subnet-slow']), MERGE_PATCH);
    expect(res.status, res.text).toBe(200);
    await h.advance(3_999);
    expect((await showNetwork(h.client, metadata.name)).status.connectionStatus.peerConnectionStatus[0].phase).toBe(
      'Connecting',
    );
    await h.advance(1);
    expect((await showNetwork(h.client, metadata.name)).status.connectionStatus.peerConnectionStatus[0].phase).toBe(
      'Active',
    );
  });
});
