// What the Terraform provider reads from and sends to a network beyond the SDK's calls
// (orders-billing-terraform.md §3.1; decision 23): status.subnets[0].networkId once Active, SFS Turbo
// attachments carrying that subnet id, and null lists clearing a connection side.
import { describe, expect, it } from 'vitest';
import { activeNetwork, expectError, networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { listAll, networkPath, NETWORKS, showNetwork } from './helpers.js';

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('networks as the Terraform provider uses them', () => {
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_NETWORK_QUOTA: '100' });

  it('status.subnets: none while Creating; one, with a stable UUID networkId and the cidr, once Active', async () => {
    const created = await h.client.post(NETWORKS, networkBody(undefined, { cidr: '10.168.0.0/16' }));
    expect(created.status, created.text).toBe(200);
    const name = created.body.metadata.name as string;
    expect(created.body.status.subnets).toBeUndefined();
    expect((await showNetwork(h.client, name)).status.subnets).toBeUndefined();
    await h.settle();
    const active = await showNetwork(h.client, name);
    expect(active.status.phase).toBe('Active');
    expect(active.status.subnets).toEqual([{ networkId: expect.stringMatching(UUID), cidr: '10.168.0.0/16' }]);
    expect((await showNetwork(h.client, name)).status.subnets).toEqual(active.status.subnets);
    const listed = (await listAll(h.client)).find((n) => n.metadata.name === name);
    expect(listed.status.subnets).toEqual(active.status.subnets);
    const other = await showNetwork(h.client, await activeNetwork(h.client, h.settle));
    expect(other.status.subnets[0].networkId).not.toBe(active.status.subnets[0].networkId);
  });

  it('keeps an SFS Turbo attachment with its subnetId; connectionStatus follows; null lists clear', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const subnetId = (await showNetwork(h.client, name)).status.subnets[0].networkId as string;
    const patch = (body: unknown) => h.client.patch(networkPath(name), body, MERGE_PATCH);
    const attached = await patch({
      spec: {
        connection: {
          peerConnectionList: [{ peerSubnetId: 'subnet-p', peerVpcId: 'vpc-p' }],
          sfsTurboConnectionList: [{ name: 'turbo-1', sfsId: 'sfs-1', subnetId }],
        },
      },
    });
    expect(attached.status, attached.text).toBe(200);
    expect(attached.body.spec.connection.sfsTurboConnectionList).toEqual([
      { name: 'turbo-1', sfsId: 'sfs-1', subnetId },
    ]);
    expect(attached.body.status.connectionStatus.sfsTurboStatus).toEqual([
      expect.objectContaining({ sfsId: 'sfs-1', status: 'Creating' }),
    ]);
    await h.settle();
    const settled = await showNetwork(h.client, name);
    expect(settled.spec.connection.peerConnectionList).toEqual([
      { peerSubnetId: 'subnet-p', peerVpcId: 'vpc-p', defaultGateWay: false },
    ]);
    expect(settled.status.connectionStatus.sfsTurboStatus).toEqual([
      expect.objectContaining({ sfsId: 'sfs-1', status: 'Active', ipAddr: expect.any(String) }),
    ]);
    const cleared = await patch({ spec: { connection: { peerConnectionList: null, sfsTurboConnectionList: null } } });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.spec.connection).toEqual({});
    await h.settle();
    expect((await showNetwork(h.client, name)).status.connectionStatus).toEqual({});
  });

  it('400 for an SFS Turbo attachment with an empty subnetId, changing nothing', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const before = await showNetwork(h.client, name);
    const res = await h.client.patch(
      networkPath(name),
      { spec: { connection: { sfsTurboConnectionList: [{ name: 'n', sfsId: 's', subnetId: '' }] } } },
      MERGE_PATCH,
    );
    expectError(res, 400, 'ModelArts.50004000');
    expect(await showNetwork(h.client, name)).toEqual(before);
  });
});
