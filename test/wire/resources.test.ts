// The wire of the ModelArts resource operations, pinned: quotas, os-user-config, flavors, networks,
// pools, statistics and events, in one world built step by step on the manual clock. The tests of a
// describe run in order and share that world; every request's status, headers and body is snapshotted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { pinner, WireNormaliser } from './normalise.js';

const SECOND = 1000;

function poolBody(name: string, network: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: { labels: { 'os.modelarts/name': name, ...labels }, annotations: { 'os.modelarts/description': 'd' } },
    spec: {
      type: 'Dedicate',
      scope: ['Train'],
      network: { name: network },
      resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 2 }],
    },
  };
}

function networkBody(name: string, workspaceId = '0') {
  return {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: {
      labels: { 'os.modelarts/name': name, 'os.modelarts/workspace.id': workspaceId, team: 'ml' },
      annotations: { 'os.modelarts/description': 'wire network' },
    },
    spec: { cidr: '192.168.0.0/16' },
  };
}

describe('wire: resource operations', () => {
  let h: Harness;
  let n: WireNormaliser;
  const pin = pinner(() => n);
  const names: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({
      ATELIER_NETWORK_CREATE_SECONDS: '2',
      ATELIER_NETWORK_DELETE_SECONDS: '2',
      ATELIER_POOL_CREATE_SECONDS: '5',
      ATELIER_POOL_DELETE_SECONDS: '3',
      ATELIER_POOL_SCALE_SECONDS: '3',
    });
    n = new WireNormaliser({ t0: h.clock.now(), known: { project: h.projectId, ak: h.credentials.accessKey } });
  });
  afterAll(() => h.close());

  it('ShowOsQuota, ShowOsConfig, ListResourceFlavors, ShowPoolStatistics on an empty project', async () => {
    pin(await h.client.get('/v1/{project_id}/quotas'), 'ShowOsQuota empty');
    pin(await h.client.get('/v1/{project_id}/os-user-config'), 'ShowOsConfig');
    pin(await h.client.get('/v1/{project_id}/resourceflavors'), 'ListResourceFlavors');
    pin(await h.client.get('/v2/{project_id}/statistics/pools'), 'ShowPoolStatistics empty');
  });

  it('CreateNetwork, ShowNetwork while Creating and once Active', async () => {
    const created = await h.client.post('/v1/{project_id}/networks', networkBody('wire-net'));
    pin(created, 'CreateNetwork');
    names.net = created.body.metadata.name;
    pin(await h.client.get(`/v1/{project_id}/networks/${names.net}`), 'ShowNetwork Creating');
    await h.advance(2 * SECOND);
    pin(await h.client.get(`/v1/{project_id}/networks/${names.net}`), 'ShowNetwork Active');
  });

  it('ListNetworks: the default workspace, paged with limit and continue, by workspace and label', async () => {
    await h.advance(SECOND);
    const second = await h.client.post('/v1/{project_id}/networks', networkBody('wire-net-2'));
    expect(second.status, second.text).toBe(200);
    await h.advance(SECOND);
    const other = await h.client.post('/v1/{project_id}/networks', networkBody('wire-net-ws', 'ws-1'));
    expect(other.status, other.text).toBe(200);
    names.netWs = other.body.metadata.name;
    await h.advance(2 * SECOND);
    pin(await h.client.get('/v1/{project_id}/networks'), 'ListNetworks default workspace');
    const first = await h.client.get('/v1/{project_id}/networks?limit=1');
    pin(first, 'ListNetworks limit=1 page 1');
    expect(first.body.metadata.continue).toEqual(expect.any(String));
    pin(
      await h.client.get(`/v1/{project_id}/networks?limit=1&continue=${first.body.metadata.continue}`),
      'ListNetworks limit=1 page 2',
    );
    pin(await h.client.get('/v1/{project_id}/networks?workspaceId=ws-1'), 'ListNetworks workspaceId=ws-1');
    pin(await h.client.get('/v1/{project_id}/networks?labelSelector=team%3Dnone'), 'ListNetworks labelSelector none');
  });

  it('PatchNetwork', async () => {
    pin(
      await h.client.request('PATCH', `/v1/{project_id}/networks/${names.netWs}`, {
        body: { metadata: { annotations: { 'os.modelarts/description': 'patched' } } },
        headers: { 'content-type': 'application/merge-patch+json' },
      }),
      'PatchNetwork merge-patch',
    );
  });

  it('CreatePool, ShowPool while Creating and once Running, ShowOsQuota in use', async () => {
    await h.advance(SECOND);
    const created = await h.client.post('/v2/{project_id}/pools', poolBody('wire-pool', names.net, { team: 'ml' }));
    pin(created, 'CreatePool');
    names.pool = created.body.metadata.name;
    pin(await h.client.get(`/v2/{project_id}/pools/${names.pool}`), 'ShowPool Creating');
    pin(await h.client.get('/v2/{project_id}/statistics/pools'), 'ShowPoolStatistics one creating');
    await h.advance(5 * SECOND);
    pin(await h.client.get(`/v2/{project_id}/pools/${names.pool}`), 'ShowPool Running');
    pin(await h.client.get('/v1/{project_id}/quotas'), 'ShowOsQuota in use');
  });

  it('ListPools: default, by status bucket, label selector and workspace', async () => {
    await h.advance(SECOND);
    const failing = await h.client.post(
      '/v2/{project_id}/pools',
      poolBody('wire-failing', names.net, { 'atelier.io/simulate': 'CreationFailed' }),
    );
    expect(failing.status, failing.text).toBe(200);
    await h.advance(5 * SECOND);
    await h.advance(SECOND);
    const waiting = await h.client.post('/v2/{project_id}/pools', poolBody('wire-waiting', names.net));
    expect(waiting.status, waiting.text).toBe(200);
    pin(await h.client.get('/v2/{project_id}/pools'), 'ListPools default');
    pin(await h.client.get('/v2/{project_id}/pools?status=failed'), 'ListPools status=failed');
    pin(await h.client.get('/v2/{project_id}/pools?status=pending'), 'ListPools status=pending');
    pin(await h.client.get('/v2/{project_id}/pools?labelSelector=team%3Dml'), 'ListPools labelSelector team=ml');
    pin(await h.client.get('/v2/{project_id}/pools?workspaceId=ws-none'), 'ListPools workspaceId none');
    pin(await h.client.get('/v2/{project_id}/statistics/pools'), 'ShowPoolStatistics mixed');
    await h.advance(5 * SECOND);
  });

  it('PatchPool: a scale with merge-patch, settled', async () => {
    const patched = await h.client.request('PATCH', `/v2/{project_id}/pools/${names.pool}`, {
      body: { spec: { resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 3 }] } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    pin(patched, 'PatchPool scale');
    await h.advance(3 * SECOND);
    pin(await h.client.get(`/v2/{project_id}/pools/${names.pool}`), 'ShowPool scaled');
  });

  it('DeletePool, ListPools status=deleting, then gone', async () => {
    await h.advance(SECOND);
    pin(await h.client.delete(`/v2/{project_id}/pools/${names.pool}`), 'DeletePool');
    pin(await h.client.get('/v2/{project_id}/pools?status=deleting'), 'ListPools status=deleting');
    await h.advance(3 * SECOND);
    pin(await h.client.get(`/v2/{project_id}/pools/${names.pool}`), 'ShowPool after deletion');
  });

  it('ListEvents of the deleted pool: continue paging and offset paging, both orders', async () => {
    const events = (query: string) => h.client.get(`/v1/{project_id}/events?resource=pools&name=${names.pool}${query}`);
    pin(await events(''), 'ListEvents all');
    const page1 = await events('&limit=2');
    pin(page1, 'ListEvents limit=2 page 1');
    pin(await events(`&limit=2&continue=${page1.body.metadata.continue}`), 'ListEvents limit=2 page 2');
    pin(await events('&limit=2&offset=2'), 'ListEvents limit=2 offset=2');
    pin(await events('&limit=2&offset=1&ascend=false'), 'ListEvents limit=2 offset=1 newest first');
    pin(await h.client.get(`/v1/{project_id}/events?resource=networks&name=${names.net}`), 'ListEvents of a network');
  });

  it('DeleteNetwork, then gone', async () => {
    pin(await h.client.delete(`/v1/{project_id}/networks/${names.netWs}`), 'DeleteNetwork');
    await h.advance(2 * SECOND);
    pin(await h.client.get(`/v1/{project_id}/networks/${names.netWs}`), 'ShowNetwork after deletion');
  });
});
