// Labels and annotations are bounded per object (count, key and value length, total size), lists
// are bounded (pages where the API pages, a cap where it does not), and so is every answer's size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_LIMITS } from '../../src/shared/metadata-limits.js';
import { MAX_LIST_ITEMS } from '../../src/shared/selection.js';
import { activeNetwork, expectError, networkBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { createBody, POOLS, pool } from '../pools/helpers.js';

const NETWORKS = '/v1/{project_id}/networks';
const entries = (n: number, valueLength = 1, prefix = 'example.com/k') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v'.repeat(valueLength)]));

describe('metadata, list and answer bounds', () => {
  let h: Harness;
  let network: string;
  beforeAll(async () => {
    h = await startHarness({
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_QUOTA: '1000',
      ATELIER_NETWORK_QUOTA: '1000',
      ATELIER_MAX_RESPONSE_MB: '0.2',
    });
    network = await activeNetwork(h.client, h.settle);
  });
  afterAll(() => h.close());

  const poolCount = async () => (await h.client.get(POOLS)).body.items.length;

  it('refuses too many labels or annotations, over-long keys and values, and too many bytes in all', async () => {
    const before = await poolCount();
    const refused = [
      createBody(network, { labels: entries(METADATA_LIMITS.entries) }),
      createBody(network, { annotations: entries(METADATA_LIMITS.entries + 1) }),
      createBody(network, { labels: { [`${'k'.repeat(METADATA_LIMITS.keyLength + 1)}`]: 'v' } }),
      createBody(network, { labels: { 'example.com/k': 'v'.repeat(METADATA_LIMITS.labelValueLength + 1) } }),
      createBody(network, { annotations: { 'example.com/k': 'v'.repeat(METADATA_LIMITS.annotationValueLength + 1) } }),
      // Each value within its bound, the object over 256 KiB.
      createBody(network, {
        labels: entries(60, METADATA_LIMITS.labelValueLength, 'example.com/l'),
        annotations: entries(60, METADATA_LIMITS.annotationValueLength),
      }),
    ];
    for (const body of refused) expectError(await h.client.post(POOLS, body), 400, 'ModelArts.50004000');
    const net = networkBody();
    (net.metadata as Record<string, unknown>).annotations = entries(METADATA_LIMITS.entries + 1);
    expectError(await h.client.post(NETWORKS, net), 400, 'ModelArts.50004000');
    expect(await poolCount()).toBe(before);
  });

  it('refuses a merge patch with too many labels or annotations', async () => {
    const created = await h.client.post(POOLS, createBody(network));
    expect(created.status, created.text).toBe(200);
    await h.settle();
    const name = created.body.metadata.name as string;
    for (const metadata of [
      { annotations: entries(METADATA_LIMITS.entries + 1) },
      { labels: entries(METADATA_LIMITS.entries + 1) },
    ]) {
      const res = await h.client.request('PATCH', pool(name), {
        body: { metadata },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expectError(res, 400, 'ModelArts.50004000');
      expect(res.body.error_msg).toMatch(/must NOT have more than 64 properties/);
    }
  });

  it('refuses an answer over ATELIER_MAX_RESPONSE_MB and serves the same list in smaller pages', async () => {
    for (let i = 0; i < 4; i += 1) {
      const body = networkBody();
      (body.metadata as Record<string, unknown>).annotations = entries(60, 1024, 'example.com/n');
      expect((await h.client.post(NETWORKS, body)).status).toBe(200);
    }
    const whole = await h.client.get(NETWORKS);
    expectError(whole, 400, 'ModelArts.50004000');
    expect(whole.body.error_msg).toMatch(/smaller page/);
    const page = await h.client.get(`${NETWORKS}?limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.metadata.continue).toEqual(expect.any(String));
  });

  it(`answers a pool list of more than ${MAX_LIST_ITEMS} matches with a 400 that says how to narrow it`, async () => {
    const small = await h.newProject();
    const net = (await small.post(NETWORKS, networkBody())).body.metadata.name as string;
    await h.settle();
    for (let i = 0; i <= MAX_LIST_ITEMS; i += 1) {
      const res = await small.post(
        POOLS,
        createBody(net, { resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 1 }] }),
      );
      expect(res.status, res.text).toBe(200);
    }
    const listed = await small.get(POOLS);
    expectError(listed, 400, 'ModelArts.50004000');
    expect(listed.body.error_msg).toMatch(/narrow the list/);
    expect((await small.get(`${POOLS}?workspaceId=elsewhere`)).status).toBe(200);
  }, 120_000);
});
