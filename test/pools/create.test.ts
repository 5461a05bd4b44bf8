import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, displayName, expectError, networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  CPU_16,
  CPU_8,
  CPU_ARM,
  createBody,
  createPool,
  generatedName,
  listNames,
  phaseOf,
  pool,
  POOLS,
  poolQuotaUsed,
  show,
  visiblePools,
  nodeGroup,
} from './helpers.js';

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('POST /v2/{project_id}/pools', () => {
  let net: string;
  const h = useHarness({ ATELIER_POOL_CREATE_SECONDS: '10', ATELIER_NETWORK_CREATE_SECONDS: '0' });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('answers the full Pool object in phase Creating', async () => {
    const name = displayName('full');
    const body = createBody(net, {
      name,
      scope: ['Train', 'Infer'],
      resources: [{ flavor: CPU_8, count: 2, azs: [{ az: 'az-1', count: 2 }] }],
      annotations: { 'os.modelarts/description': 'team A training', 'os.modelarts/billing.mode': '0' },
      // Server labels sent by a client are replaced, never trusted.
      labels: { 'os.modelarts/tenant.project.id': 'someone-else', 'os.modelarts/resource.id': 'forged' },
    });
    const res = await h.client.post(POOLS, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    const id = res.body.metadata.name;
    expect(id).toMatch(generatedName(name));
    expect(res.body).toEqual({
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: {
        name: id,
        creationTimestamp: rfc3339(h.clock.now()),
        labels: {
          'os.modelarts/name': name,
          'os.modelarts/workspace.id': '0',
          'os.modelarts/resource.id': expect.stringMatching(new RegExp(`^maos-${name}-[a-z0-9]{5}$`)),
          'os.modelarts/tenant.project.id': h.projectId,
          'os.modelarts.pool/biz': 'private',
          'os.modelarts/create-from': expect.any(String),
          'os.modelarts/order.name': expect.stringMatching(new RegExp(`^${id}-createPool-[a-z0-9]{5}$`)),
        },
        annotations: { 'os.modelarts/description': 'team A training', 'os.modelarts/billing.mode': '0' },
      },
      spec: {
        type: 'Dedicate',
        scope: ['Train', 'Infer'],
        network: { name: net },
        resources: [{ flavor: CPU_8, count: 2, maxCount: 2, azs: [{ az: 'az-1', count: 2 }] }],
      },
      status: {
        phase: 'Creating',
        resources: { creating: [{ ...nodeGroup(CPU_8, 2), azs: [{ az: 'az-1', count: 2 }] }] },
        scope: [
          { scopeType: 'Train', state: 'Enabling', plugins: [{ name: 'volcano', phase: 'Pending' }] },
          { scopeType: 'Infer', state: 'Enabling', plugins: [{ name: 'volcano', phase: 'Pending' }] },
        ],
        root: id,
      },
    });
    // What the create answered is what a read shows.
    expect(await show(h.client, id)).toEqual(res.body);
  });

  it('is Running exactly when the configured create time has passed', async () => {
    const created = await createPool(h.client, createBody(net, { scope: ['Train', 'Notebook'] }));
    const id = created.metadata.name;
    await h.advance(9_999);
    const before = await show(h.client, id);
    expect(before.status.phase).toBe('Creating');
    expect(before.status.resources).toEqual({ creating: [nodeGroup(CPU_8, 2)] });
    await h.advance(1);
    const after = await show(h.client, id);
    expect(after.status).toEqual({
      phase: 'Running',
      resources: { available: [nodeGroup(CPU_8, 2)] },
      scope: [
        { scopeType: 'Train', state: 'Enabled', plugins: [{ name: 'volcano', phase: 'Pending' }] },
        { scopeType: 'Notebook', state: 'Enabled', plugins: [{ name: 'volcano', phase: 'Pending' }] },
      ],
      root: id,
    });
    expect(after.metadata).toEqual(created.metadata);
  });

  it('generates a new name for each pool, even of the same display name after the first is gone', async () => {
    const name = displayName('again');
    const first = await createPool(h.client, createBody(net, { name }));
    expect((await h.client.delete(pool(first.metadata.name))).status).toBe(200);
    await h.advance(60_000);
    expect(await phaseOf(h.client, first.metadata.name)).toBe(404);
    const second = await createPool(h.client, createBody(net, { name }));
    expect(second.metadata.name).toMatch(generatedName(name));
    expect(second.metadata.name).not.toBe(first.metadata.name);
  });

  it('keeps both spellings of the container network in step (pools.md D6)', async () => {
    for (const key of ['containerNetwork', 'containernetwork']) {
      const body = createBody(net);
      body.spec[key] = { cidr: '172.16.0.0/16' };
      const created = await createPool(h.client, body);
      expect(created.spec.containerNetwork).toEqual({ cidr: '172.16.0.0/16' });
      expect(created.spec.containernetwork).toEqual({ cidr: '172.16.0.0/16' });
    }
  });

  it('accepts a yearly/monthly pool with its period and a pool in another workspace', async () => {
    const yearly = await createPool(
      h.client,
      createBody(net, {
        annotations: {
          'os.modelarts/billing.mode': '1',
          'os.modelarts/period.num': '1',
          'os.modelarts/period.type': 'month',
        },
      }),
    );
    expect(yearly.metadata.annotations['os.modelarts/billing.mode']).toBe('1');
    const other = await createPool(h.client, createBody(net, { labels: { 'os.modelarts/workspace.id': 'ws-create' } }));
    expect(other.metadata.labels['os.modelarts/workspace.id']).toBe('ws-create');
    expect(await listNames(h.client, '?workspaceId=ws-create')).toEqual([other.metadata.name]);
  });
});

describe('POST /v2/{project_id}/pools with a bad request', () => {
  let net: string;
  let creatingNet: string;
  let deletingNet: string;
  let before: Awaited<ReturnType<typeof visiblePools>>;

  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: '10',
    ATELIER_NETWORK_CREATE_SECONDS: '60',
    ATELIER_NETWORK_DELETE_SECONDS: '60',
  });
  beforeAll(async () => {
    const post = async () => {
      const res = await h.client.post('/v1/{project_id}/networks', networkBody());
      expect(res.status, res.text).toBe(200);
      return res.body.metadata.name as string;
    };
    net = await post();
    deletingNet = await post();
    await h.advance(60_000);
    creatingNet = await post();
    expect((await h.client.delete(`/v1/{project_id}/networks/${deletingNet}`)).status).toBe(200);
    // One valid pool, so "nothing created" is checked against a non-empty project.
    await createPool(h.client, createBody(net));
    before = await visiblePools(h.client);
    expect(before.used).toBe(1);
  });

  type Case = [title: string, change: (body: any) => void, message: RegExp];
  const cases: Case[] = [
    ['apiVersion is not v2', (b) => (b.apiVersion = 'v1'), /apiVersion/],
    ['kind is not Pool', (b) => (b.kind = 'Network'), /kind/],
    ['apiVersion is missing', (b) => delete b.apiVersion, /apiVersion/],
    ['the display name is missing', (b) => delete b.metadata.labels['os.modelarts/name'], /os\.modelarts\/name/],
    ['the display name is too short', (b) => (b.metadata.labels['os.modelarts/name'] = 'abc'), /os\.modelarts\/name/],
    [
      'the display name is too long',
      (b) => (b.metadata.labels['os.modelarts/name'] = `a${'b'.repeat(30)}`),
      /os\.modelarts\/name/,
    ],
    [
      'the display name has capitals',
      (b) => (b.metadata.labels['os.modelarts/name'] = 'Pool-one'),
      /os\.modelarts\/name/,
    ],
    [
      'the display name starts with a digit',
      (b) => (b.metadata.labels['os.modelarts/name'] = '1pool'),
      /os\.modelarts\/name/,
    ],
    [
      'the display name ends with a hyphen',
      (b) => (b.metadata.labels['os.modelarts/name'] = 'pool-'),
      /os\.modelarts\/name/,
    ],
    [
      'the display name has an underscore',
      (b) => (b.metadata.labels['os.modelarts/name'] = 'pool_one'),
      /os\.modelarts\/name/,
    ],
    ['spec.type is Dedicated', (b) => (b.spec.type = 'Dedicated'), /type/],
    ['a flavor is unknown', (b) => (b.spec.resources = [{ flavor: 'modelarts.vm.cpu.none', count: 1 }]), /flavor/],
    [
      'a node pool is listed twice (one flavor twice, neither naming its node pool)',
      (b) =>
        (b.spec.resources = [
          { flavor: CPU_8, count: 1 },
          { flavor: CPU_8, count: 2 },
        ]),
      /twice/,
    ],
    [
      'a node pool name is not one',
      (b) => (b.spec.resources = [{ flavor: CPU_8, count: 1, nodePool: 'Bad_Name' }]),
      /nodePool/,
    ],
    [
      "a node pool name ends in -default but is not its flavor's default",
      (b) => (b.spec.resources = [{ flavor: CPU_8, count: 1, nodePool: 'mine-default' }]),
      /nodePool/,
    ],
    ['there are no resources', (b) => (b.spec.resources = []), /resources/],
    ['resources are missing', (b) => delete b.spec.resources, /resources/],
    ['count is 0', (b) => (b.spec.resources = [{ flavor: CPU_8, count: 0 }]), /count/],
    ['maxCount is below count', (b) => (b.spec.resources = [{ flavor: CPU_8, count: 2, maxCount: 1 }]), /maxCount/],
    [
      'maxCount is above count for a Dedicate pool',
      (b) => (b.spec.resources = [{ flavor: CPU_8, count: 2, maxCount: 3 }]),
      /maxCount/,
    ],
    [
      'azs do not add up to count',
      (b) =>
        (b.spec.resources = [
          {
            flavor: CPU_8,
            count: 3,
            azs: [
              { az: 'az-1', count: 1 },
              { az: 'az-2', count: 1 },
            ],
          },
        ]),
      /azs/,
    ],
    [
      'there are more than 10 flavors',
      (b) => (b.spec.resources = Array.from({ length: 11 }, (_, i) => ({ flavor: `modelarts.vm.cpu.${i}`, count: 1 }))),
      /resources/,
    ],
    [
      'flavors mix CPU architectures',
      (b) =>
        (b.spec.resources = [
          { flavor: CPU_8, count: 1 },
          { flavor: CPU_ARM, count: 1 },
        ]),
      /architecture/,
    ],
    ['a Dedicate pool has no network', (b) => delete b.spec.network, /spec\.network is required/],
    ['the network does not exist', (b) => (b.spec.network = { name: 'network-none-0123' }), /network-none-0123/],
    ['the network is still Creating', (b) => (b.spec.network = { name: creatingNet }), /Active/],
    ['the network is being deleted', (b) => (b.spec.network = { name: deletingNet }), /being deleted/],
    ['a Logical pool names a network', (b) => (b.spec.type = 'Logical'), /network/],
    ['there is an unknown top-level field', (b) => (b.extra = 1), /extra/],
    ['there is an unknown metadata field', (b) => (b.metadata.uid = 'x'), /uid/],
    ['there is an unknown spec field', (b) => (b.spec.flavours = []), /flavours/],
    ['there is an unknown resource field', (b) => (b.spec.resources[0].nodes = 2), /nodes/],
    ['count is a string', (b) => (b.spec.resources[0].count = '2'), /count/],
    ['scope is a string', (b) => (b.spec.scope = 'Train'), /scope/],
    ['scope is not a job type', (b) => (b.spec.scope = ['Training']), /scope/],
    ['resources is an object', (b) => (b.spec.resources = { flavor: CPU_8, count: 1 }), /resources/],
    ['a label value is a number', (b) => (b.metadata.labels['os.modelarts/sharing'] = 1), /labels/],
    ['a tag key starts with CCE-', (b) => (b.spec.resources[0].tags = [{ key: 'CCE-owner', value: 'x' }]), /CCE-owner/],
    [
      'a tag key starts with __type_baremetal',
      (b) => (b.spec.resources[0].tags = [{ key: '__type_baremetal', value: 'x' }]),
      /__type_baremetal/,
    ],
    [
      'there are more than 20 tags',
      (b) => (b.spec.resources[0].tags = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' }))),
      /tags/,
    ],
    [
      'billing.mode is 1 without a period',
      (b) => (b.metadata.annotations = { 'os.modelarts/billing.mode': '1' }),
      /period/,
    ],
    [
      'billing.mode is 1 without period.type',
      (b) => (b.metadata.annotations = { 'os.modelarts/billing.mode': '1', 'os.modelarts/period.num': '1' }),
      /period/,
    ],
    [
      'the description has a forbidden character',
      (b) => (b.metadata.annotations = { 'os.modelarts/description': 'a<b' }),
      /description/,
    ],
    [
      'atelier.io/simulate asks for something unknown',
      (b) => (b.metadata.labels['atelier.io/simulate'] = 'Explode'),
      /atelier\.io\/simulate/,
    ],
  ];

  it.each(cases)('refuses the pool when %s, and creates nothing', async (_title, change, message) => {
    const body = createBody(net);
    change(body);
    const res = await h.client.post(POOLS, body);
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toMatch(message);
    expect(await visiblePools(h.client)).toEqual(before);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await h.client.request('POST', POOLS, { rawBody: '{"apiVersion": "v2",' });
    expectError(res, 400, 'ModelArts.50004000');
    expect(await visiblePools(h.client)).toEqual(before);
  });

  it('leaves no refused pool behind to appear later', async () => {
    // The valid pool of beforeAll still becomes Running; no refused pool appears later.
    await h.advance(10_000);
    const listed = await h.client.get(POOLS);
    expect(listed.body.items.map((p: any) => p.status.phase)).toEqual(['Running']);
    expect(await poolQuotaUsed(h.client)).toBe(1);
  });
});

describe('POST /v2/{project_id}/pools with a name in use', () => {
  let net: string;
  const h = useHarness({ ATELIER_POOL_CREATE_SECONDS: '10', ATELIER_NETWORK_CREATE_SECONDS: '0' });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('answers 409 for a display name the project already uses, in any workspace and phase', async () => {
    const name = displayName('dup');
    const first = await createPool(h.client, createBody(net, { name }));
    const used = await poolQuotaUsed(h.client);
    expectError(await h.client.post(POOLS, createBody(net, { name })), 409, 'ModelArts.50015000');
    expectError(
      await h.client.post(POOLS, createBody(net, { name, labels: { 'os.modelarts/workspace.id': 'ws-dup' } })),
      409,
      'ModelArts.50015000',
    );
    await h.advance(10_000);
    expectError(await h.client.post(POOLS, createBody(net, { name })), 409, 'ModelArts.50015000');
    expect((await h.client.delete(pool(first.metadata.name))).status).toBe(200);
    // A pool being deleted still owns its name.
    expectError(await h.client.post(POOLS, createBody(net, { name })), 409, 'ModelArts.50015000');
    expect(await poolQuotaUsed(h.client)).toBe(used);
    expect(await listNames(h.client)).toEqual([first.metadata.name]);
    expect(await listNames(h.client, '?workspaceId=ws-dup')).toEqual([]);
  });

  it('replaces a CreationFailed record of the same display name at once (decision 7)', async () => {
    const name = displayName('refail');
    const failed = await createPool(
      h.client,
      createBody(net, { name, labels: { 'atelier.io/simulate': 'CreationFailed' } }),
    );
    await h.advance(10_000);
    const record = await show(h.client, failed.metadata.name);
    expect(record.status.phase).toBe('CreationFailed');
    expect(record.status.message).toEqual(expect.any(String));
    expect(await listNames(h.client, '?status=failed')).toEqual([failed.metadata.name]);

    const again = await createPool(h.client, createBody(net, { name, resources: [{ flavor: CPU_16, count: 1 }] }));
    expect(again.metadata.name).toMatch(generatedName(name));
    expect(again.metadata.name).not.toBe(failed.metadata.name);
    expect(again.status.phase).toBe('Creating');
    expectError(await h.client.get(pool(failed.metadata.name)), 404, 'ModelArts.50015001');
    expect(await listNames(h.client, '?status=failed')).toEqual([]);
    expect(await listNames(h.client, '?status=creating')).toEqual([again.metadata.name]);
    await h.advance(10_000);
    expect(await phaseOf(h.client, again.metadata.name)).toBe('Running');
  });
});

describe('the pool quota', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_QUOTA: '3',
    ATELIER_POOL_CREATE_SECONDS: '10',
    ATELIER_POOL_DELETE_SECONDS: '5',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const expectQuotaRefusal = async () => {
    const before = await visiblePools(h.client);
    const res = await h.client.post(POOLS, createBody(net));
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toMatch(/pool quota/i);
    expect(res.body.error_msg).toMatch(/\b3\b/);
    expect(await visiblePools(h.client)).toEqual(before);
  };

  let third: string;
  it('refuses the fourth pool with a message naming the pool quota and its limit', async () => {
    await createPool(h.client, createBody(net));
    await createPool(h.client, createBody(net));
    await h.advance(10_000);
    third = (await createPool(h.client, createBody(net))).metadata.name;
    expect(await poolQuotaUsed(h.client)).toBe(3);
    await expectQuotaRefusal();
  });

  it('counts a Deleting pool until it is gone', async () => {
    expect((await h.client.delete(pool(third))).status).toBe(200);
    expect(await poolQuotaUsed(h.client)).toBe(3);
    await expectQuotaRefusal();
    await h.advance(4_999);
    await expectQuotaRefusal();
    await h.advance(1);
    expect(await phaseOf(h.client, third)).toBe(404);
    expect(await poolQuotaUsed(h.client)).toBe(2);
  });

  it('keeps a CreationFailed record when re-creating its name is refused for the quota', async () => {
    const display = displayName('keepfail');
    const failed = await createPool(
      h.client,
      createBody(net, { name: display, labels: { 'atelier.io/simulate': 'CreationFailed' } }),
    );
    await h.advance(10_000);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe('CreationFailed');
    const filler = await createPool(h.client, createBody(net));
    expect(await poolQuotaUsed(h.client)).toBe(3);
    const res = await h.client.post(POOLS, createBody(net, { name: display }));
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toMatch(/pool quota/i);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe('CreationFailed');
    expect(await listNames(h.client, '?status=failed')).toEqual([failed.metadata.name]);
    // Make room again for the next test.
    expect((await h.client.delete(pool(filler.metadata.name))).status).toBe(200);
    expect((await h.client.delete(pool(failed.metadata.name))).status).toBe(200);
    await h.advance(5_000);
    expect(await poolQuotaUsed(h.client)).toBe(2);
  });

  it('does not count CreationFailed records', async () => {
    const failed = await createPool(h.client, createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }));
    expect(await poolQuotaUsed(h.client)).toBe(3);
    await h.advance(10_000);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe('CreationFailed');
    expect(await poolQuotaUsed(h.client)).toBe(2);
    const last = await createPool(h.client, createBody(net));
    expect(await poolQuotaUsed(h.client)).toBe(3);
    await expectQuotaRefusal();
    expect(await listNames(h.client, '?status=failed')).toEqual([failed.metadata.name]);
    expect(await listNames(h.client)).toContain(last.metadata.name);

    // Deleting the failure record must not make it count again: used never exceeds the quota.
    expect((await h.client.delete(pool(failed.metadata.name))).status).toBe(200);
    expect(await poolQuotaUsed(h.client)).toBe(3);
    await h.advance(5_000);
    expect(await phaseOf(h.client, failed.metadata.name)).toBe(404);
    expect(await poolQuotaUsed(h.client)).toBe(3);
  });
});
