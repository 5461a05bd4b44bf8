// The Terraform provider's calls, replayed against Atelier on each database (issue 13): the data
// sources as they read, and a network from apply to destroy — create, wait Active, the subnet id,
// connections attached and detached, a second plan with no change, destroy and wait for 404. The
// client (./provider.ts) signs and encodes as the provider's Go SDK and reads as the provider reads;
// the provider's own waits (20 s delays and polls) run on the harness's clock.
//
// The pool resource (create → order → node drivers → scopes → read; scale; destroy) is
// ./pool-flow.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { displayName, networkBody, poolBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { providerFor, type NetworkConfig, type Provider, type ProviderHttpError } from './provider.js';

describe('the Terraform provider, call for call', () => {
  const h = useHarness({ ATELIER_NETWORK_QUOTA: '100', ATELIER_POOL_QUOTA: '100' });
  let provider: Provider;
  let sdkNetwork: string;
  let sdkPool: string;
  beforeAll(async () => {
    provider = providerFor(h);
    // Something for the data sources to read, made with the SDK-signed client.
    const network = await h.client.post('/v1/{project_id}/networks', networkBody());
    expect(network.status, network.text).toBe(200);
    sdkNetwork = network.body.metadata.name;
    await h.advance(5_000);
    const created = await h.client.post('/v2/{project_id}/pools', poolBody(sdkNetwork));
    expect(created.status, created.text).toBe(200);
    sdkPool = created.body.metadata.name;
  });

  /** Method and path of each call since `from`, the project id replaced by {pid}. */
  const callsSince = (from: number) =>
    provider.calls.slice(from).map((c) => `${c.method} ${c.url.replace(h.projectId, '{pid}')} ${c.status}`);

  it('never signs host, and adds X-Project-Id unsigned', async () => {
    const from = provider.calls.length;
    await provider.dataResourceFlavors();
    for (const call of provider.calls.slice(from)) {
      expect(call.signedHeaders).toEqual(['accept', 'content-type', 'user-agent', 'x-sdk-date']);
    }
  });

  it('data sources: resource flavors, networks (with a label selector) and pools', async () => {
    const from = provider.calls.length;
    const flavors = await provider.dataResourceFlavors();
    expect(flavors.length).toBeGreaterThan(0);
    const networks = await provider.dataNetworks();
    expect(networks.map((n: any) => n.metadata.name)).toContain(sdkNetwork);
    const shown = await h.client.get(`/v1/{project_id}/networks/${sdkNetwork}`);
    const byName = await provider.dataNetworks(`os.modelarts/name=${shown.body.metadata.labels['os.modelarts/name']}`);
    expect(byName.map((n: any) => n.metadata.name)).toEqual([sdkNetwork]);
    const inWorkspace = await provider.dataResourcePools({ workspaceId: '0' });
    expect(inWorkspace.map((p: any) => p.metadata.name)).toContain(sdkPool);
    expect((await provider.dataResourcePools()).map((p: any) => p.metadata.name)).toContain(sdkPool);
    await h.advance(60_000);
    const created = await provider.dataResourcePools({ status: 'created' });
    expect(created.map((p: any) => p.metadata.name)).toContain(sdkPool);
    expect(callsSince(from)).toEqual([
      'GET /v1/{pid}/resourceflavors 200',
      'GET /v1/{pid}/networks?limit=500 200',
      expect.stringMatching(
        /^GET \/v1\/\{pid\}\/networks\?labelSelector=os\.modelarts%2Fname%3D[a-z0-9-]+&limit=500 200$/,
      ),
      'GET /v2/{pid}/pools?workspaceId=0 200',
      'GET /v2/{pid}/pools 200',
      'GET /v2/{pid}/pools?status=created 200',
    ]);
  });

  it('network: create, wait Active, connections on and off, no change on a second plan, destroy', async () => {
    const from = provider.calls.length;
    const config: NetworkConfig = {
      name: displayName('tf-net'),
      cidr: '10.168.0.0/16',
      peerConnections: [],
      sfsTurbos: [],
    };
    // apply 1: the network alone.
    let state = await provider.createNetwork(config);
    expect(state.subnetId).not.toBe('');
    expect(state.read).toEqual({
      name: config.name,
      cidr: config.cidr,
      workspaceId: '0',
      peerConnections: [],
      sfsTurbos: [],
      status: 'Active',
      subnetId: state.subnetId,
    });
    // apply 2: a peering and an SFS Turbo.
    const connected: NetworkConfig = {
      ...config,
      peerConnections: [{ vpcId: 'vpc-peer-1', subnetId: 'subnet-peer-1' }],
      sfsTurbos: [{ id: 'sfs-turbo-1', name: 'turbo-1' }],
    };
    state = await provider.updateNetwork(state, connected);
    expect(state.read!.peerConnections).toEqual(connected.peerConnections);
    expect(state.read!.sfsTurbos).toEqual([{ id: 'sfs-turbo-1', name: 'turbo-1', uri: expect.any(String) }]);
    expect(state.read!.sfsTurbos[0]!.uri).not.toBe('');
    // A second plan: the refreshed state equals the configuration, so nothing to apply.
    const refreshed = await provider.readNetwork(state.id);
    expect(refreshed).toEqual(state.read);
    // apply 3: both removed (the provider sends null for each side).
    state = await provider.updateNetwork(state, config);
    expect(state.read!.peerConnections).toEqual([]);
    expect(state.read!.sfsTurbos).toEqual([]);
    // destroy.
    await provider.deleteNetwork(state.id);
    await expect(provider.showNetwork(state.id)).rejects.toMatchObject({
      status: 404,
    } satisfies Partial<ProviderHttpError>);

    const id = state.id;
    const calls = callsSince(from).map((c) => c.replace(id, '{id}'));
    const show = 'GET /v1/{pid}/networks/{id} 200';
    expect(calls[0]).toBe('POST /v1/{pid}/networks 200');
    // Active after the provider's first 20 s delay (the network takes 2 s): one poll, the subnet read, the Read.
    expect(calls.slice(1, 4)).toEqual([show, show, show]);
    expect(calls[4]).toBe('PATCH /v1/{pid}/networks/{id} 200');
    expect(calls.at(-3)).toBe('DELETE /v1/{pid}/networks/{id} 200');
    expect(calls.at(-2)).toBe('GET /v1/{pid}/networks/{id} 404');
    expect(calls.filter((c) => c.startsWith('PATCH'))).toHaveLength(2);
  });
});
