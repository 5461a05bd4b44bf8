import { beforeAll, describe, expect, it } from 'vitest';
import { FlavorCatalogue } from '../../src/flavors/flavor.catalogue.js';
import { BUILTIN_FLAVORS } from '../../src/flavors/builtin-flavors.js';
import { activeNetwork, expectError, networkBody, poolBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { useSdkServer } from '../identity/helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const CPU_8 = 'modelarts.vm.cpu.8ud';
const GPU_V100 = 'modelarts.bm.gpu.8v100';
const GPU_A100 = 'modelarts.bm.gpu.8a100';

const VM_TEMPLATE = {
  dockerBaseSize: 50,
  dockerLvmConfig: { dockerThinPool: 90, kubernetesLV: 10, dockerDiskType: 'evs', lvType: 'linear' },
  osList: [
    { name: 'EulerOS 2.10', preferred: true, eos: false, offline: false },
    { name: 'Ubuntu 22.04', preferred: false, eos: false, offline: false },
  ],
};

describe('node configuration (nodepools-nodes-jobs.md §5)', () => {
  const h = useHarness({
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '60',
    ATELIER_POOL_DELETE_SECONDS: '60',
  });
  let network: string;
  beforeAll(async () => {
    network = await activeNetwork(h.client, h.settle);
  });

  const createPool = async (resources: Array<{ flavor: string; count: number }>) => {
    const res = await h.client.post('/v2/{project_id}/pools', poolBody(network, { resources }));
    expect(res.status, res.text).toBe(200);
    return res.body.metadata.name as string;
  };

  it('GET nodeconfigtemplates/{name}: a template a flavor names', async () => {
    const flavors = await h.client.get('/v1/{project_id}/resourceflavors');
    const cpu = flavors.body.items.find((f: any) => f.metadata.name === CPU_8);
    expect(cpu.spec.nodeConfigTemplate).toBe('modelarts-vm-default');
    const res = await h.client.get(`/v1/{project_id}/nodeconfigtemplates/${cpu.spec.nodeConfigTemplate}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      apiVersion: 'v1',
      kind: 'NodeConfigTemplate',
      metadata: { name: 'modelarts-vm-default' },
      spec: VM_TEMPLATE,
    });
    // Every template a built-in flavor names is served.
    for (const item of flavors.body.items) {
      const named = await h.client.get(`/v1/{project_id}/nodeconfigtemplates/${item.spec.nodeConfigTemplate}`);
      expect(named.status, named.text).toBe(200);
    }
  });

  it('unknown template → 404 ModelArts.50005101 naming it', async () => {
    for (const name of ['no-such-template', 'MODELARTS-VM-DEFAULT', 'constructor', 'hasOwnProperty']) {
      const res = await h.client.get(`/v1/{project_id}/nodeconfigtemplates/${name}`);
      expectError(res, 404, 'ModelArts.50005101');
      expect(res.body.error_msg).toBe(`Node config template ${name} not found.`);
    }
  });

  it('GET pools/{name}/node-config: no settings, a phase that follows the pool', async () => {
    const name = await createPool([{ flavor: CPU_8, count: 1 }]);
    const path = `/v2/{project_id}/pools/${name}/node-config`;
    const creating = await h.client.get(path);
    expect(creating.status, creating.text).toBe(200);
    expect(creating.body).toEqual({
      apiVersion: 'v2',
      kind: 'NodeConfig',
      metadata: { name },
      spec: { configs: {} },
      status: { phase: 'Pending' },
    });
    await h.advance(60_000);
    expect((await h.client.get(path)).body.status.phase).toBe('Running');
    expect((await h.client.delete(`/v2/{project_id}/pools/${name}`)).status).toBe(200);
    expect((await h.client.get(path)).body.status.phase).toBe('Deleting');
  });

  it('GET pools/{name}/node-config-template: one entry per template, with the flavors built from it', async () => {
    const name = await createPool([
      { flavor: GPU_V100, count: 1 },
      { flavor: CPU_8, count: 1 },
      { flavor: GPU_A100, count: 1 },
    ]);
    const res = await h.client.get(`/v2/{project_id}/pools/${name}/node-config-template`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.apiVersion).toBe('v2');
    expect(res.body.kind).toBe('NodeConfigTemplate');
    expect(res.body.metadata).toEqual({ name });
    expect(res.body.spec.templates.map((t: any) => [t.configs.name, t.configs.flavors])).toEqual([
      ['modelarts-bms-gpu', [GPU_V100, GPU_A100]],
      ['modelarts-vm-default', [CPU_8]],
    ]);
    const shown = await h.client.get('/v1/{project_id}/nodeconfigtemplates/modelarts-bms-gpu');
    const { name: _name, flavors: _flavors, ...spec } = res.body.spec.templates[0].configs;
    expect(spec).toEqual(shown.body.spec);
  });

  it('unknown pool, or a pool of another project → 404 ModelArts.50015001', async () => {
    const name = await createPool([{ flavor: CPU_8, count: 1 }]);
    const other = await h.newProject();
    for (const suffix of ['node-config', 'node-config-template']) {
      expectError(await h.client.get(`/v2/{project_id}/pools/no-such-pool/${suffix}`), 404, 'ModelArts.50015001');
      expectError(await other.get(`/v2/{project_id}/pools/${name}/${suffix}`), 404, 'ModelArts.50015001');
    }
  });

  it('a flavors file naming an unknown template is refused at start', () => {
    const [first] = BUILTIN_FLAVORS;
    const flavor = { ...first.flavor, spec: { ...first.flavor.spec, nodeConfigTemplate: 'nope' } };
    expect(() => new FlavorCatalogue([{ flavor }])).toThrow(/names node config template nope/);
    // A flavor naming none is built from the default template.
    const { nodeConfigTemplate: _none, ...bare } = first.flavor.spec;
    const catalogue = new FlavorCatalogue([{ flavor: { ...first.flavor, spec: bare } }]);
    expect(catalogue.nodeConfigTemplate(first.flavor.metadata.name)).toBe('modelarts-vm-default');
  });
});

describe("node configuration through the SDK's own HTTP client", () => {
  const sdk = useSdkServer({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_POOL_CREATE_SECONDS: '0' });

  it('showNodeConfigTemplate, showPoolNodeConfig, showPoolNodeConfigTemplate', async () => {
    const client = sdk.client();
    const template = await client.call({
      method: 'GET',
      url: '/v1/{project_id}/nodeconfigtemplates/modelarts-bms-npu',
    });
    expect(template.status).toBe(200);
    expect(template.body.spec.dockerBaseSize).toBe(100);
    const missing = await client.call({ method: 'GET', url: '/v1/{project_id}/nodeconfigtemplates/none' });
    expect([missing.status, missing.errorCode]).toEqual([404, 'ModelArts.50005101']);

    const net = await client.call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    expect(net.status, net.errorMsg).toBe(200);
    const networkName = net.body.metadata.name as string;
    await waitFor(
      async () => (await client.call({ method: 'GET', url: `/v1/{project_id}/networks/${networkName}` })).body,
      { until: (b) => b?.status?.phase === 'Active', interval: 20 },
    );
    const pool = await client.call({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      body: poolBody(networkName, { resources: [{ flavor: CPU_8, count: 1 }] }),
    });
    expect(pool.status, pool.errorMsg).toBe(200);
    const name = pool.body.metadata.name as string;
    const config = await waitFor(
      async () => (await client.call({ method: 'GET', url: `/v2/{project_id}/pools/${name}/node-config` })).body,
      { until: (b) => b?.status?.phase === 'Running', interval: 20 },
    );
    expect(config.metadata.name).toBe(name);
    const templates = await client.call({ method: 'GET', url: `/v2/{project_id}/pools/${name}/node-config-template` });
    expect(templates.status).toBe(200);
    expect(templates.body.spec.templates[0].configs).toEqual({
      name: 'modelarts-vm-default',
      flavors: [CPU_8],
      ...VM_TEMPLATE,
    });
    const unknown = await client.call({ method: 'GET', url: '/v2/{project_id}/pools/none/node-config' });
    expect([unknown.status, unknown.errorCode]).toEqual([404, 'ModelArts.50015001']);
  });
});
