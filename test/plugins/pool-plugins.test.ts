import { describe, expect, it } from 'vitest';
import { activeNetwork, expectError, poolBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { GPU_FLAVOR, listPlugins, newPool, NPU_FLAVOR, pluginBody, pluginPhases, plugins, QUICK } from './helpers.js';

describe('the plug-ins a new pool gets (decision 29)', () => {
  const h = useHarness({ ...QUICK, ATELIER_POOL_CREATE_SECONDS: '10', ATELIER_PLUGIN_INSTALL_SECONDS: '2' });

  it('a CPU pool gets volcano, Pending until the pool has nodes and the install time has passed', async () => {
    const pool = await newPool(h, h.client);
    const [volcano] = await listPlugins(h.client, pool);
    expect(volcano).toEqual({
      apiVersion: 'v2',
      kind: 'Plugin',
      metadata: { name: 'volcano', creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
      spec: { template: { name: 'volcano', version: '1.12.9', inputs: {} } },
      status: { phase: 'Pending', values: '{}', resources: [] },
    });
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Pending' });
    await h.advance(10_000); // the pool is Running now; the plug-in takes two seconds more
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Pending' });
    await h.advance(2_000);
    const [running] = await listPlugins(h.client, pool);
    expect(running.status).toEqual({ phase: 'Running', version: '1.12.9', values: '{}', resources: [] });
  });

  it('a GPU pool gets the GPU driver at the version its spec.driver names, an NPU pool the NPU driver', async () => {
    const gpu = await newPool(h, h.client, { flavor: GPU_FLAVOR, driver: { gpuVersion: '470.57.02' } });
    const npu = await newPool(h, h.client, { flavor: NPU_FLAVOR });
    await h.advance(12_000);
    expect(await pluginPhases(h.client, gpu)).toEqual({ volcano: 'Running', 'gpu-driver': 'Running' });
    expect(await pluginPhases(h.client, npu)).toEqual({ volcano: 'Running', 'npu-driver': 'Running' });
    const driver = (await listPlugins(h.client, gpu)).find((p) => p.metadata.name === 'gpu-driver');
    expect(driver.status.version).toBe('470.57.02');
    const npuDriver = (await listPlugins(h.client, npu)).find((p) => p.metadata.name === 'npu-driver');
    expect(npuDriver.status.version).toBe('24.1.0');
  });

  it("each scope of the pool shows its scope plug-in's phase (status.scope[].plugins), in ShowPool and ListPools", async () => {
    const client = await h.newProject();
    const network = await activeNetwork(client, h.settle);
    const body = poolBody(network, { scope: ['Train', 'Infer'], resources: [{ flavor: GPU_FLAVOR, count: 1 }] });
    const created = await client.post('/v2/{project_id}/pools', body);
    expect(created.status, created.text).toBe(200);
    const pool = created.body.metadata.name as string;
    const pending = [{ name: 'volcano', phase: 'Pending' }];
    expect(created.body.status.scope.map((s: any) => s.plugins)).toEqual([pending, pending]);
    await h.advance(12_000);
    const shown = await client.get(`/v2/{project_id}/pools/${pool}`);
    expect(shown.body.status.scope).toEqual([
      { scopeType: 'Train', state: 'Enabled', plugins: [{ name: 'volcano', phase: 'Running' }] },
      { scopeType: 'Infer', state: 'Enabled', plugins: [{ name: 'volcano', phase: 'Running' }] },
    ]);
    const listed = await client.get('/v2/{project_id}/pools');
    expect(listed.body.items.map((p: any) => p.status.scope)).toEqual([shown.body.status.scope]);
  });
});

describe('POST /v2/{project_id}/pools/{pool_name}/plugins', () => {
  const h = useHarness(QUICK);

  it('installs a plug-in: Pending in the answer, Running after the engine ran', async () => {
    const pool = await newPool(h, h.client);
    const res = await h.client.post(plugins(pool), pluginBody('node-local-dns', { inputs: { replicas: 2 } }));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      apiVersion: 'v2',
      kind: 'Plugin',
      metadata: { name: 'node-local-dns' },
      spec: { template: { name: 'node-local-dns', version: '1.6.63', inputs: { replicas: 2 } } },
      status: { phase: 'Pending', values: '{"replicas":2}' },
    });
    await h.settle();
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Running', 'node-local-dns': 'Running' });
  });

  it('refuses what a client gets wrong with the envelope, and installs nothing', async () => {
    const pool = await newPool(h, h.client);
    const before = await listPlugins(h.client, pool);
    const refusals: Array<[unknown, number, string]> = [
      [pluginBody('no-such-template'), 404, 'ModelArts.50005101'],
      [pluginBody('volcano'), 409, 'ModelArts.50015002'],
      [pluginBody('node-local-dns', { version: '0.0.1' }), 400, 'ModelArts.50004000'],
      [pluginBody('gpu-driver'), 400, 'ModelArts.50004000'],
      [{ ...pluginBody('node-local-dns'), kind: 'Pool' }, 400, 'ModelArts.50004000'],
      [{ apiVersion: 'v2', kind: 'Plugin', spec: {} }, 400, 'ModelArts.50004000'],
      [pluginBody('node-local-dns', { inputs: 'not an object' }), 400, 'ModelArts.50004000'],
      [{ ...pluginBody('node-local-dns'), colour: 'red' }, 400, 'ModelArts.50004000'],
    ];
    for (const [body, status, code] of refusals) {
      const res = await h.client.post(plugins(pool), body);
      expectError(res, status, code);
    }
    expectError(await h.client.post(plugins('no-such-pool'), pluginBody('node-local-dns')), 404, 'ModelArts.50015001');
    expectError(await h.client.get(plugins('no-such-pool')), 404, 'ModelArts.50015001');
    await h.settle();
    expect(await listPlugins(h.client, pool)).toEqual(before.map((p) => ({ ...p, status: { ...p.status } })));
  });

  it('installing the same template twice is a 409, the first install stays', async () => {
    const pool = await newPool(h, h.client);
    expect((await h.client.post(plugins(pool), pluginBody('node-local-dns'))).status).toBe(200);
    expectError(await h.client.post(plugins(pool), pluginBody('node-local-dns')), 409, 'ModelArts.50015002');
    await h.settle();
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Running', 'node-local-dns': 'Running' });
  });

  it('needs a Running pool (400 while it is being created)', async () => {
    const h2 = h;
    const pool = await newPool(h2, h2.client, { settle: false });
    expectError(await h.client.post(plugins(pool), pluginBody('node-local-dns')), 400, 'ModelArts.50004000');
    await h.settle();
    expect(await pluginPhases(h.client, pool)).toEqual({ volcano: 'Running' });
  });

  it('plug-ins go with their pool', async () => {
    const pool = await newPool(h, h.client);
    expect((await h.client.post(plugins(pool), pluginBody('node-local-dns'))).status).toBe(200);
    expect((await h.client.delete(`/v2/{project_id}/pools/${pool}`)).status).toBe(200);
    await h.settle();
    expectError(await h.client.get(plugins(pool)), 404, 'ModelArts.50015001');
    const left = await h.context.database.db
      .selectFrom('pool_plugins')
      .select('name')
      .where('pool_name', '=', pool)
      .execute();
    expect(left).toEqual([]);
  });
});
