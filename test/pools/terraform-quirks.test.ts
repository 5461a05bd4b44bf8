// Pool bodies as the Terraform provider sends them (orders-billing-terraform.md §3.2; decisions 20 and
// 21): the fields it configures are kept and read back with the types its Read sets, spec.clusters
// null is accepted and not shown, and the echoes of a PATCH (the old maxCount and AZ split next to a
// new count, every other field as last read, keys sorted) are accepted and normalised.
import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { CPU_8, createPool, eventsOf, mergePatch, POOLS, show } from './helpers.js';
import { displayName } from '../helpers/fixtures.js';

const CREATE_MS = 1_000;
const SCALE_MS = 1_000;
const DESCRIPTION = 'os.modelarts/description';

/** One resource as the provider configures it, every optional field set. */
const configured = () => ({
  azs: [{ az: 'region-1a', count: 1 }],
  count: 1,
  creatingStep: { step: 1, type: 'hyperinstance' },
  dataVolumes: [{ count: 1, extendParams: { volumeGroup: 'vguser1' }, size: '100', volumeType: 'SSD' }],
  driver: { version: '535.54.03' },
  extendParams: { dockerBaseSize: '50', post_install: 'ZWNobyBoaQ==' },
  flavor: CPU_8,
  labels: { team: 'a' },
  nodePool: 'np-1',
  os: { imageId: 'img-1', name: 'EulerOS 2.0' },
  rootVolume: { extendParams: { iops: 3000 }, size: '200', volumeType: 'GPSSD' },
  tags: [{ key: 'owner', value: 'team-a' }],
  taints: [{ effect: 'NoSchedule', key: 'dedicated', value: 'a' }],
});

describe('pools as the Terraform provider sends them', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
    ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const providerBody = (resources: unknown[]) => ({
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: { annotations: { [DESCRIPTION]: 'from terraform' }, labels: { 'os.modelarts/name': displayName('tf') } },
    spec: { clusters: null, network: { name: net }, resources, scope: ['Train'], type: 'Dedicate' },
  });

  async function runningPool(resources: unknown[] = [configured()]): Promise<any> {
    const created = await createPool(h.client, providerBody(resources));
    await h.advance(CREATE_MS);
    const shown = await show(h.client, created.metadata.name);
    expect(shown.status.phase).toBe('Running');
    return shown;
  }

  it('keeps every configured field, with the types the provider reads; spec.clusters null is not shown', async () => {
    const created = await createPool(h.client, providerBody([configured()]));
    expect(created.spec).not.toHaveProperty('clusters');
    const shown = await show(h.client, created.metadata.name);
    expect(shown.spec).not.toHaveProperty('clusters');
    expect(shown.spec.resources).toEqual([{ ...configured(), maxCount: 1 }]);
    const [r] = shown.spec.resources;
    expect(typeof r.count).toBe('number');
    expect(typeof r.maxCount).toBe('number');
    expect(typeof r.rootVolume.size).toBe('string');
    expect(typeof r.dataVolumes[0].size).toBe('string');
    expect(typeof r.creatingStep.step).toBe('number');
    expect(Array.isArray(r.azs) && Array.isArray(r.taints) && Array.isArray(r.tags)).toBe(true);
    const listed = (await h.client.get(POOLS)).body.items.find((p: any) => p.metadata.name === created.metadata.name);
    expect(listed.spec).toEqual(shown.spec);
  });

  it('a scale with the old maxCount and AZ split echoed: normalised, everything else kept', async () => {
    const before = await runningPool();
    const echoed = { ...before.spec.resources[0], count: 2 };
    expect(echoed.maxCount).toBe(1);
    const res = await mergePatch(h.client, before.metadata.name, {
      metadata: { annotations: { [DESCRIPTION]: 'from terraform' } },
      spec: { resources: [echoed], scope: ['Train'] },
    });
    expect(res.status, res.text).toBe(200);
    const [r] = res.body.spec.resources;
    expect(r).toEqual({ ...configured(), count: 2, maxCount: 2, azs: [{ az: 'region-1a', count: 2 }] });
    await h.advance(SCALE_MS);
    expect((await show(h.client, before.metadata.name)).spec.resources).toEqual(res.body.spec.resources);
  });

  it('an AZ split echoed across zones is spread again on scale-out and scale-in', async () => {
    const before = await runningPool([
      {
        ...configured(),
        count: 3,
        azs: [
          { az: 'region-1a', count: 2 },
          { az: 'region-1b', count: 1 },
        ],
      },
    ]);
    const name = before.metadata.name;
    const up = await mergePatch(h.client, name, { spec: { resources: [{ ...before.spec.resources[0], count: 5 }] } });
    expect(up.status, up.text).toBe(200);
    expect(up.body.spec.resources[0].azs).toEqual([
      { az: 'region-1a', count: 3 },
      { az: 'region-1b', count: 2 },
    ]);
    await h.advance(SCALE_MS);
    const now = await show(h.client, name);
    const down = await mergePatch(h.client, name, { spec: { resources: [{ ...now.spec.resources[0], count: 1 }] } });
    expect(down.status, down.text).toBe(200);
    expect(down.body.spec.resources[0]).toMatchObject({ count: 1, maxCount: 1, azs: [{ az: 'region-1b', count: 1 }] });
  });

  it('a description change with every resource echoed back, keys sorted: no scale, shown at once', async () => {
    const before = await runningPool();
    const name = before.metadata.name;
    const sortedKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort());
    const scaling = async () => (await eventsOf(h, name)).filter((e) => e.reason === 'PoolScaling').length;
    const scalesBefore = await scaling();
    const res = await mergePatch(h.client, name, {
      metadata: { annotations: { [DESCRIPTION]: 'second words' } },
      spec: { resources: before.spec.resources.map(sortedKeys), scope: ['Train'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata.annotations[DESCRIPTION]).toBe('second words');
    expect(res.body.spec.resources).toEqual(before.spec.resources);
    expect(await scaling()).toBe(scalesBefore);
    const shown = await show(h.client, name);
    expect(shown.metadata.annotations[DESCRIPTION]).toBe('second words');
    expect(shown.status.phase).toBe('Running');
  });

  it('accepts `metadata: {}` (no annotation to set) next to the spec', async () => {
    const before = await runningPool();
    const res = await mergePatch(h.client, before.metadata.name, {
      metadata: {},
      spec: { resources: [{ ...before.spec.resources[0], labels: { team: 'b' } }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.spec.resources[0].labels).toEqual({ team: 'b' });
    expect(res.body.metadata).toEqual(before.metadata);
  });

  it('a node pool’s own subnet, sizes in Gi and data-disk extendParams as the provider’s documentation writes them', async () => {
    const resource = {
      ...configured(),
      network: { securityGroups: ['sg-1'], subnet: 'subnet-1', vpc: 'vpc-1' },
      rootVolume: { size: '100Gi', volumeType: 'SSD' },
      dataVolumes: [{ extendParams: { billing: 'on', volumeGroup: 'vguser0' }, size: '500Gi', volumeType: 'SSD' }],
    };
    const created = await createPool(h.client, providerBody([resource]));
    expect((await show(h.client, created.metadata.name)).spec.resources).toEqual([{ ...resource, maxCount: 1 }]);
  });

  it('user_login: the key pair is kept and shown, a password is accepted and never kept', async () => {
    const body = providerBody([configured()]) as any;
    body.spec.userLogin = { keyPairName: 'kp-team-a', password: 'Secret-Passw0rd' };
    const created = await createPool(h.client, body);
    expect(created.spec.userLogin).toEqual({ keyPairName: 'kp-team-a' });
    const shown = await show(h.client, created.metadata.name);
    expect(shown.spec.userLogin).toEqual({ keyPairName: 'kp-team-a' });
    expect(JSON.stringify(shown)).not.toContain('Secret-Passw0rd');
    const onlyPassword = providerBody([configured()]) as any;
    onlyPassword.spec.userLogin = { password: 'Secret-Passw0rd' };
    expect((await createPool(h.client, onlyPassword)).spec).not.toHaveProperty('userLogin');
  });

  it('the echoes of a scale are matched per node pool, two node pools of one flavor apart', async () => {
    const first = { ...configured(), count: 2, azs: [{ az: 'region-1a', count: 2 }] };
    const before = await runningPool([first, { ...configured(), nodePool: 'np-2' }]);
    const [kept, scaled] = before.spec.resources;
    const res = await mergePatch(h.client, before.metadata.name, {
      spec: { resources: [kept, { ...scaled, count: 2 }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.spec.resources).toEqual([
      kept,
      { ...scaled, count: 2, maxCount: 2, azs: [{ az: 'region-1a', count: 2 }] },
    ]);
  });

  describe('still refused, changing nothing', () => {
    const expectRefused = async (name: string, body: unknown, message: RegExp) => {
      const before = await show(h.client, name);
      const res = await mergePatch(h.client, name, body);
      expectError(res, 400, 'ModelArts.50004000');
      expect(res.body.error_msg).toMatch(message);
      expect(await show(h.client, name)).toEqual(before);
    };

    it('a maxCount or AZ split of the client’s own that does not fit the count', async () => {
      const before = await runningPool();
      const [r] = before.spec.resources;
      await expectRefused(before.metadata.name, { spec: { resources: [{ ...r, count: 2, maxCount: 3 }] } }, /maxCount/);
      await expectRefused(
        before.metadata.name,
        { spec: { resources: [{ ...r, count: 2, azs: [{ az: 'region-1c', count: 1 }] }] } },
        /azs/,
      );
    });

    it('an unknown taint effect or volume group, an unknown network key, a size in GB, a node pool named twice, clusters as an object', async () => {
      const before = await runningPool();
      const [r] = before.spec.resources;
      await expectRefused(
        before.metadata.name,
        { spec: { resources: [{ ...r, taints: [{ key: 'k', effect: 'Sometimes' }] }] } },
        /taints/,
      );
      await expectRefused(
        before.metadata.name,
        {
          spec: { resources: [{ ...r, dataVolumes: [{ ...r.dataVolumes[0], extendParams: { volumeGroup: 'vgx' } }] }] },
        },
        /volumeGroup/,
      );
      await expectRefused(
        before.metadata.name,
        { spec: { resources: [{ ...r, network: { vpc: 'vpc-1', ports: [] } }] } },
        /network/,
      );
      await expectRefused(
        before.metadata.name,
        { spec: { resources: [{ ...r, rootVolume: { ...r.rootVolume, size: '100GB' } }] } },
        /size/,
      );
      const twice = [r, { flavor: 'modelarts.vm.cpu.16ud', count: 1, nodePool: r.nodePool }];
      await expectRefused(before.metadata.name, { spec: { resources: twice } }, /nodePool/);
      const create = await h.client.post(POOLS, {
        ...providerBody([configured()]),
        spec: { ...providerBody([configured()]).spec, clusters: { providerId: 'x' } },
      });
      expectError(create, 400, 'ModelArts.50004000');
    });
  });
});
