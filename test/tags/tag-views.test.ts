// ListPoolsByTags, and the other views of tags (config-events-flavors §6.2, plugins-scheduled-events-misc
// §6): the pool's annotation os.modelarts/tms.tags follows its tags; a node pool's tags are its new nodes'.
import { describe, expect, it } from 'vitest';
import { activeNetwork, expectError, poolBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { allNodes } from '../nodes/helpers.js';
import { mergePatch, show } from '../pools/helpers.js';
import { CPU_FLAVOR, newPool, QUICK, tags } from '../plugins/helpers.js';

const TMS = 'os.modelarts/tms.tags';
const FILTER = '/v1/{project_id}/pools/resource-instances/filter';
const create = (...pairs: Array<[string, string]>) => ({ tags: pairs.map(([key, value]) => ({ key, value })) });

describe('tag views', () => {
  const h = useHarness({ ...QUICK, ATELIER_POOL_SCALE_SECONDS: '0' });

  it('ListPoolsByTags: tags ANDed, values ORed, a key without values, the name match, paging', async () => {
    const client = await h.newProject();
    const [a, b, c] = [await newPool(h, client), await newPool(h, client), await newPool(h, client)];
    expect((await client.post(`${tags(a)}/create`, create(['env', 'dev'], ['team', 'cv']))).status).toBe(200);
    expect((await client.post(`${tags(b)}/create`, create(['env', 'prod']))).status).toBe(200);
    const filter = async (body: unknown, query = '') => {
      const res = await client.post(`${FILTER}${query}`, body);
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    const ids = (body: any) => body.resources.map((r: any) => r.resource_id);
    const shownA = await show(client, a);
    expect(await filter({ tags: [{ key: 'env', values: ['dev'] }] })).toEqual({
      total_count: 1,
      resources: [
        {
          resource_id: a,
          resource_name: shownA.metadata.labels['os.modelarts/name'],
          tags: [
            { key: 'env', value: 'dev' },
            { key: 'team', value: 'cv' },
          ],
        },
      ],
    });
    expect(ids(await filter({ tags: [{ key: 'env', values: ['dev', 'prod'] }] }))).toEqual([a, b]);
    expect(ids(await filter({ tags: [{ key: 'env', values: [] }] }))).toEqual([a, b]);
    expect(
      ids(
        await filter({
          tags: [
            { key: 'env', values: [] },
            { key: 'team', values: ['cv'] },
          ],
        }),
      ),
    ).toEqual([a]);
    expect(ids(await filter({}))).toEqual([a, b, c]);
    const nameOfC = (await show(client, c)).metadata.labels['os.modelarts/name'] as string;
    expect(ids(await filter({ matches: [{ key: 'resource_name', value: nameOfC }] }))).toEqual([c]);
    const page = await filter({ tags: [{ key: 'env', values: [] }] }, '?limit=1&offset=1');
    expect({ total: page.total_count, ids: ids(page) }).toEqual({ total: 2, ids: [b] });
    for (const [body, query] of [
      [{ tags: [{ key: 'CCE-x', values: [] }] }, ''],
      [{ tags: [{ key: '', values: [] }] }, ''],
      [{ matches: [{ key: 'other', value: 'x' }] }, ''],
      [{}, '?limit=0'],
      [{ tags: 'env' }, ''],
    ] as const) {
      expectError(await client.post(`${FILTER}${query}`, body), 400, 'ModelArts.50004000');
    }
  });

  it("a pool's tags show in its annotation os.modelarts/tms.tags, and none when it has none", async () => {
    const pool = await newPool(h, h.client);
    expect((await show(h.client, pool)).metadata.annotations?.[TMS]).toBeUndefined();
    expect((await h.client.post(`${tags(pool)}/create`, create(['team', 'cv'], ['env', 'dev']))).status).toBe(200);
    const annotated = (await show(h.client, pool)).metadata.annotations[TMS];
    expect(JSON.parse(annotated)).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'cv' },
    ]);
    const reset = await h.client.post(tags(pool), { action: 'reset', tags: [] });
    expect(reset.status, reset.text).toBe(200);
    expect((await show(h.client, pool)).metadata.annotations?.[TMS]).toBeUndefined();
  });

  it("a node pool's tags (spec.resources[].tags) are the tags of each node it creates, scale-outs too", async () => {
    const network = await activeNetwork(h.client, h.settle);
    const body: any = poolBody(network, { resources: [{ flavor: CPU_FLAVOR, count: 1 }] });
    const nodeTags = [{ key: 'owner', value: 'ml' }];
    body.spec.resources[0].tags = nodeTags;
    const created = await h.client.post('/v2/{project_id}/pools', body);
    expect(created.status, created.text).toBe(200);
    const pool = created.body.metadata.name as string;
    await h.settle();
    const resources = [{ flavor: CPU_FLAVOR, count: 2, tags: nodeTags }];
    expect((await mergePatch(h.client, pool, { spec: { resources } })).status).toBe(200);
    await h.settle();
    const nodes = await allNodes(h.client, pool);
    expect(nodes).toHaveLength(2);
    for (const node of nodes) expect(JSON.parse(node.metadata.annotations[TMS])).toEqual(nodeTags);
    // Pool tags are the pool's own, not its nodes'.
    expect((await h.client.post(`${tags(pool)}/create`, create(['env', 'dev']))).status).toBe(200);
    for (const node of await allNodes(h.client, pool))
      expect(JSON.parse(node.metadata.annotations[TMS])).toEqual(nodeTags);
  });
});
