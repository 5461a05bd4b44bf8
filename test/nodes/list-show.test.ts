import { beforeAll, describe, expect, it } from 'vitest';
import { insertNodes } from '../../src/nodes/node.store.js';
import { countNewNodes } from '../../src/nodes/node.move.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { CPU_8, GPU_T4, pool } from '../pools/helpers.js';
import { allNodes, namesOf, node, nodes, runningPool } from './helpers.js';

const ENV = {
  ATELIER_POOL_CREATE_SECONDS: '0',
  ATELIER_POOL_SCALE_SECONDS: '0',
  ATELIER_POOL_QUOTA: '100',
  ATELIER_NETWORK_CREATE_SECONDS: '0',
};

describe('GET /v2/{project_id}/pools/{pool_name}/nodes and …/nodes/{node_name}', () => {
  const h = useHarness(ENV);
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('lists every node in one page without limit, in the Node shape; ShowPoolNode shows each', async () => {
    const name = await runningPool(h, net, [
      { flavor: CPU_8, count: 2 },
      { flavor: GPU_T4, count: 1 },
    ]);
    const res = await h.client.get(nodes(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ apiVersion: 'v2', kind: 'NodeList', metadata: {} });
    expect(res.body.metadata).toEqual({});
    const items = res.body.items as any[];
    expect(items).toHaveLength(3);
    expect(namesOf(items)).toEqual([...namesOf(items)].sort());
    for (const item of items) {
      expect(item).toMatchObject({
        apiVersion: 'v2',
        kind: 'Node',
        metadata: {
          name: expect.stringMatching(/^os-node-created-[a-z0-9]{5}$/),
          creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
          labels: expect.objectContaining({
            'os.modelarts.node/nodepoolname': `${item.spec.flavor.replace(/\./g, '-')}-default`,
            'os.modelarts.node/underlying.instance.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
            'os.modelarts.node/nodepool': expect.any(String),
            'os.modelarts/resource.id': expect.any(String),
            'os.modelarts/tenant.project.id': h.projectId,
          }),
        },
        status: { phase: 'Available', plugins: [], az: expect.any(String) },
      });
      expect(item.status.privateIp).toMatch(/^192\.168\./);
      expect(item.status.availableResources).toEqual(item.status.resources);
      expect(item.status.resources.cpu).toEqual(expect.any(String));
      if (item.spec.flavor === GPU_T4) {
        expect(item.status.driver).toEqual({ phase: 'Running', version: expect.any(String) });
        expect(item.status.resources['nvidia.com/gpu']).toBeDefined();
      } else {
        expect(item.status.driver).toBeUndefined();
      }
      const shown = await h.client.get(node(name, item.metadata.name));
      expect(shown.status, shown.text).toBe(200);
      expect(shown.body).toEqual(item);
    }
    const ips = items.map((i) => i.status.privateIp);
    expect(new Set(ips).size).toBe(ips.length);
    for (const key of ['os.modelarts.node/underlying.instance.id', 'os.modelarts/resource.id']) {
      const ids = items.map((i) => i.metadata.labels[key]);
      expect(new Set(ids).size, key).toBe(ids.length);
    }
  });

  it('404s: an unknown pool, an unknown node, a node of another project', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
    const [only] = await allNodes(h.client, name);
    expectError(await h.client.get(nodes('no-such-pool')), 404, 'ModelArts.50015001');
    expectError(await h.client.get(node('no-such-pool', only.metadata.name)), 404, 'ModelArts.50015001');
    const missing = await h.client.get(node(name, 'os-node-created-zzzzz'));
    expectError(missing, 404, 'ModelArts.50035001');
    expect(missing.body.error_msg).toBe('Node os-node-created-zzzzz not found.');
    const other = await h.newProject();
    expectError(await other.get(nodes(name)), 404, 'ModelArts.50015001');
    expectError(await other.get(node(name, only.metadata.name)), 404, 'ModelArts.50015001');
  });

  describe('paging', () => {
    let name: string;
    let all: string[];
    beforeAll(async () => {
      name = await runningPool(h, net, [{ flavor: CPU_8, count: 7 }]);
      all = namesOf(await allNodes(h.client, name));
    });

    /** Every page from the first with this limit; the tokens followed to the end. */
    const pages = async (limit: number, between?: (page: number, listed: string[]) => Promise<void>) => {
      const seen: string[][] = [];
      let token: string | undefined;
      for (let i = 0; i < 100; i += 1) {
        const query = `?limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
        const res = await h.client.get(`${nodes(name)}${query}`);
        expect(res.status, res.text).toBe(200);
        seen.push(namesOf(res.body.items));
        token = res.body.metadata.continue;
        if (!token) {
          expect(res.body.metadata).toEqual({});
          return seen;
        }
        expect(res.body.items).toHaveLength(limit);
        await between?.(i, seen.flat());
      }
      throw new Error('paging never ended');
    };

    it('limit 1 walks every node once; the last page has no continue; remainingItemCount counts down', async () => {
      const first = await h.client.get(`${nodes(name)}?limit=1`);
      expect(first.body.metadata.remainingItemCount).toBe(6);
      const walked = await pages(1);
      expect(walked.flat()).toEqual(all);
      expect(walked).toHaveLength(7);
      const third = await pages(3);
      expect(third.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(third.flat()).toEqual(all);
    });

    it('limit 0 is the default page of 500; 500 and exactly the pool size end at once; 501 and -1 are 400', async () => {
      for (const limit of [0, 7, 500]) {
        const res = await h.client.get(`${nodes(name)}?limit=${limit}`);
        expect(res.status, res.text).toBe(200);
        expect(namesOf(res.body.items)).toEqual(all);
        expect(res.body.metadata).toEqual({});
      }
      expectError(await h.client.get(`${nodes(name)}?limit=501`), 400, 'ModelArts.50004000');
      expectError(await h.client.get(`${nodes(name)}?limit=-1`), 400, 'ModelArts.50004000');
      expectError(await h.client.get(`${nodes(name)}?limit=x`), 400, 'ModelArts.50004000');
    });

    it('a bad token is 400', async () => {
      for (const token of ['not-a-token', Buffer.from('{"after":3}').toString('base64url'), '%7B']) {
        expectError(await h.client.get(`${nodes(name)}?limit=2&continue=${token}`), 400, 'ModelArts.50004000');
      }
    });

    it('a token whose node was deleted meanwhile still continues after it', async () => {
      const first = await h.client.get(`${nodes(name)}?limit=2`);
      const token = first.body.metadata.continue as string;
      const named = first.body.items[1].metadata.name as string;
      // The node the token names goes, through the API.
      const gone = await h.client.post(`${nodes(name)}/batch-delete`, { deleteNodeNames: [named] });
      expect(gone.status, gone.text).toBe(200);
      await h.settle();
      expect(namesOf(await allNodes(h.client, name))).not.toContain(named);
      const next = await h.client.get(`${nodes(name)}?limit=2&continue=${encodeURIComponent(token)}`);
      expect(next.status, next.text).toBe(200);
      expect(namesOf(next.body.items)).toEqual(all.slice(2, 4));
      all = all.filter((n) => n !== named);
    });

    it('nodes added and removed during paging never make a surviving node repeat or go missing', async () => {
      const context = h.context;
      const [template] = await allNodes(h.client, name);
      const { findNode } = await import('../../src/nodes/node.store.js');
      const record = await findNode(context.database.db, (await poolId(name)) as number, template.metadata.name);
      let added = 0;
      const removed = new Set<string>();
      const walked = await pages(2, async (page, listed) => {
        // A node not listed yet goes, through the API (at least one node stays).
        const unseen = all.filter((n) => !removed.has(n) && !listed.includes(n));
        if (unseen.length > 1) {
          const leaving = unseen.at(-1)!;
          const gone = await h.client.post(`${nodes(name)}/batch-delete`, { deleteNodeNames: [leaving] });
          expect(gone.status, gone.text).toBe(200);
          removed.add(leaving);
          await h.settle();
        }
        // A node before and a node after the cursor arrive between pages.
        await context.database.transaction(async (tx) => {
          const inserted = await insertNodes(
            tx,
            ['os-node-created-00000', 'os-node-created-zzzz'].map((n, i) => ({
              ...record!,
              name: `${n}${page}${i}`,
              privateIp: `10.9.${page}.${i + 1}`,
              networkKey: `test:${name}`,
            })),
          );
          await countNewNodes(tx, inserted);
          added += inserted.length;
        });
      });
      const flat = walked.flat();
      expect(new Set(flat).size).toBe(flat.length);
      for (const survivor of all.filter((n) => !removed.has(n))) expect(flat).toContain(survivor);
      for (const gone of removed) expect(flat).not.toContain(gone);
      expect(added).toBeGreaterThan(0);
      expect(removed.size).toBeGreaterThan(0);
    });
  });

  const poolId = async (name: string) => {
    const { findPool } = await import('../../src/pools/pool.reads.js');
    return (await findPool(h.context.database.db, h.projectId, name))?.id;
  };

  it('501 nodes: no limit lists every one (never capped at 500); limit 0 is a page of 500 and a continue', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 501 }]);
    const every = await allNodes(h.client, name);
    expect(every).toHaveLength(501);
    const first = await h.client.get(`${nodes(name)}?limit=0`);
    expect(first.status, first.text).toBe(200);
    expect(first.body.items).toHaveLength(500);
    expect(first.body.metadata).toEqual({ continue: expect.any(String), remainingItemCount: 1 });
    const rest = await h.client.get(
      `${nodes(name)}?limit=0&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(namesOf([...first.body.items, ...rest.body.items])).toEqual(namesOf(every));
    expect(rest.body.metadata).toEqual({});
    expect((await h.client.delete(pool(name))).status).toBe(200);
    await h.settle();
  });

  it('a pool being deleted still lists its nodes', async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
    expect((await h.client.delete(pool(name))).status).toBe(200);
    const items = await allNodes(h.client, name);
    expect(items.map((i) => i.status.phase)).toEqual(['Deleting']);
    expect(items[0].metadata.deletionTimestamp).toEqual(expect.any(String));
  });
});
