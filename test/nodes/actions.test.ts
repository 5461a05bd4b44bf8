import { beforeAll, describe, expect, it } from 'vitest';
import { listEventsOf } from '../../src/events/event.store.js';
import type { ApiResponse } from '../helpers/client.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { CPU_8, GPU_T4, createBody, createPool, mergePatch, pool, show } from '../pools/helpers.js';
import { action, allNodes, namesOf, runningPool } from './helpers.js';

const DELETE_MS = 60_000;
const LOCK = 'os.modelarts.node/lock.action';

describe('batch actions on a pool’s nodes', () => {
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_NODE_DELETE_SECONDS: String(DELETE_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  const post = (name: string, verb: string, body: unknown) => h.client.post(action(name, verb), body);

  /** Expects a 400 that leaves the pool and every node exactly as they were. */
  const expectRefused = async (name: string, verb: string, body: unknown, message?: RegExp) => {
    const before = { pool: await show(h.client, name), nodes: await allNodes(h.client, name) };
    const res: ApiResponse = await post(name, verb, body);
    expectError(res, 400, 'ModelArts.50004000');
    if (message) expect(res.body.error_msg).toMatch(message);
    expect({ pool: await show(h.client, name), nodes: await allNodes(h.client, name) }).toEqual(before);
  };

  describe('batch-delete', () => {
    it('moves the nodes to Deleting, decrements spec.resources, writes the roll-up event, then they go', async () => {
      const name = await runningPool(h, net, [
        { flavor: CPU_8, count: 3 },
        { flavor: GPU_T4, count: 1 },
      ]);
      const cpu = namesOf((await allNodes(h.client, name)).filter((n) => n.spec.flavor === CPU_8));
      const res = await post(name, 'batch-delete', { deleteNodeNames: cpu.slice(0, 2) });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({});
      const shown = await show(h.client, name);
      expect(shown.spec.resources).toEqual([
        { flavor: CPU_8, count: 1, maxCount: 1 },
        { flavor: GPU_T4, count: 1, maxCount: 1 },
      ]);
      const phases = Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n.status.phase]));
      expect([phases[cpu[0]], phases[cpu[1]], phases[cpu[2]]]).toEqual(['Deleting', 'Deleting', 'Available']);
      expect(shown.status.resources.deleting).toEqual([expect.objectContaining({ flavor: CPU_8, count: 2 })]);
      const events = await listEventsOf(h.context.database.db, h.projectId, 'pools', name);
      expect(events.map((e) => e.message)).toContainEqual(
        expect.stringMatching(/count from 4\/0\/0\/0 to 2\/0\/0\/2,/),
      );
      await h.settle();
      expect(namesOf(await allNodes(h.client, name))).toHaveLength(4);
      await h.advance(DELETE_MS);
      const left = await allNodes(h.client, name);
      expect(namesOf(left).sort()).toEqual([cpu[2], ...namesOf(left.filter((n) => n.spec.flavor === GPU_T4))].sort());
      expect((await show(h.client, name)).status.phase).toBe('Running');
    });

    it('refuses, changing nothing: the last node, a locked node, unknown, duplicate, empty, departing names', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [a, b] = namesOf(await allNodes(h.client, name));
      await expectRefused(name, 'batch-delete', { deleteNodeNames: [a, b] }, /at least one node must stay/);
      await expectRefused(name, 'batch-delete', { deleteNodeNames: [a, 'os-node-created-nope0'] }, /no node/);
      await expectRefused(name, 'batch-delete', { deleteNodeNames: [a, a] }, /more than once/);
      await expectRefused(name, 'batch-delete', { deleteNodeNames: [] });
      await expectRefused(name, 'batch-delete', {});
      expect((await post(name, 'batch-lock', { nodeNames: [a], actions: ['delete'] })).status).toBe(200);
      await expectRefused(name, 'batch-delete', { deleteNodeNames: [a] }, /locked/);
      expect((await post(name, 'batch-delete', { deleteNodeNames: [b] })).status).toBe(200);
      await expectRefused(name, 'batch-delete', { deleteNodeNames: [b] });
    });

    it('404 for an unknown pool or another project’s pool; 400 on a pool being deleted or created', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [a] = namesOf(await allNodes(h.client, name));
      expectError(await post('no-such-pool', 'batch-delete', { deleteNodeNames: [a] }), 404, 'ModelArts.50015001');
      const other = await h.newProject();
      expectError(await other.post(action(name, 'batch-delete'), { deleteNodeNames: [a] }), 404, 'ModelArts.50015001');
      expectError(
        await other.post(action(name, 'batch-lock'), { nodeNames: [a], actions: ['delete'] }),
        404,
        'ModelArts.50015001',
      );

      const creating = (await createPool(h.client, createBody(net, { resources: [{ flavor: CPU_8, count: 2 }] })))
        .metadata.name;
      const pending = namesOf(await allNodes(h.client, creating));
      for (const [verb, body] of [
        ['batch-delete', { deleteNodeNames: [pending[0]] }],
        ['batch-lock', { nodeNames: [pending[0]], actions: ['delete'] }],
        ['batch-drain', { nodeNames: [pending[0]] }],
      ] as const) {
        await expectRefused(creating, verb, body, /Creating/);
      }
      await h.settle();
      expect((await h.client.delete(pool(name))).status).toBe(200);
      expectError(await post(name, 'batch-delete', { deleteNodeNames: [a] }), 400, 'ModelArts.50004000');
      expectError(
        await post(name, 'batch-update', { nodeNames: [a], action: 'openHaRedundant' }),
        400,
        'ModelArts.50004000',
      );
    });
  });

  describe('a node being deleted, a node of another project', () => {
    it('a Deleting node: lock and update answer it failed, the other actions refuse it; nothing changes', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 3 }]);
      const target = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
      const [a, b] = namesOf(await allNodes(h.client, name));
      expect((await post(name, 'batch-delete', { deleteNodeNames: [b] })).status).toBe(200);
      await h.settle();
      expect((await allNodes(h.client, name)).find((n) => n.metadata.name === b)?.status.phase).toBe('Deleting');
      const before = { pool: await show(h.client, name), nodes: await allNodes(h.client, name) };
      const locked = await post(name, 'batch-lock', { nodeNames: [b], actions: ['delete'] });
      expect(locked.body).toEqual({ nodes: [{ name: b, status: 'failed' }] });
      const updated = await post(name, 'batch-update', { nodeNames: [b], action: 'openHaRedundant' });
      expect(updated.body).toMatchObject({ successNodeNames: [], failNodeNames: [b] });
      expect({ pool: await show(h.client, name), nodes: await allNodes(h.client, name) }).toEqual(before);
      for (const [verb, body] of [
        ['batch-bind', { nodes: [{ name: b, quotaName: 'q' }] }],
        ['batch-drain', { nodeNames: [b] }],
        ['batch-reboot', { nodeNames: [a, b] }],
        ['batch-reset', { nodeNames: [b], rollingConfig: { strategy: 'node', maxUnavailable: 1 } }],
        ['batch-migrate', { migrateNodeNames: [b], fromClusterName: name, toClusterName: target }],
      ] as const) {
        await expectRefused(name, verb, body);
      }
    });

    it("another project's node is a missing node: the same 404 and 400 answers, word for word", async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [theirs] = namesOf(await allNodes(h.client, name));
      const missing = 'os-node-created-zz9zz';
      const other = await h.newProject();
      const own = await runningPool(h, await activeNetwork(other, h.settle), [{ flavor: CPU_8, count: 2 }], other);
      const ownNodes = namesOf(await allNodes(other, own));
      const same = async (path: string, body?: (node: string) => unknown) => {
        const ask = (n: string) => (body ? other.post(path, body(n)) : other.get(`${path}/${n}`));
        const [foreign, absent] = [await ask(theirs), await ask(missing)];
        expect(foreign.status, foreign.text).toBe(absent.status);
        expect(foreign.status).toBeGreaterThanOrEqual(400);
        expect({ ...foreign.body, error_msg: foreign.body.error_msg?.replace(theirs, 'N') }).toEqual({
          ...absent.body,
          error_msg: absent.body.error_msg?.replace(missing, 'N'),
        });
      };
      await same(`/v2/{project_id}/pools/${own}/nodes`);
      await same(action(own, 'batch-delete'), (n) => ({ deleteNodeNames: [n] }));
      await same(action(own, 'batch-drain'), (n) => ({ nodeNames: [ownNodes[0], n] }));
      await same(action(own, 'batch-reboot'), (n) => ({ nodeNames: [n] }));
      await same(action(own, 'batch-bind'), (n) => ({ nodes: [{ name: n }] }));
      await same(action(own, 'batch-update'), (n) => ({ nodeNames: [n], action: 'openHaRedundant' }));
      const lock = await other.post(action(own, 'batch-lock'), { nodeNames: [theirs], actions: ['delete'] });
      expect(lock.body).toEqual({ nodes: [{ name: theirs, status: 'failed' }] });
      // Through the owner's pool name the other project finds no pool at all.
      await same(`/v2/{project_id}/pools/${name}/nodes`);
      expect((await allNodes(h.client, name)).every((n) => n.metadata.annotations[LOCK] === undefined)).toBe(true);
      expect(namesOf(await allNodes(h.client, name))).toContain(theirs);
    });
  });

  describe('batch-lock and batch-unlock', () => {
    it('sets and removes the lock annotation; an unknown node fails alone', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [a, b] = namesOf(await allNodes(h.client, name));
      const locked = await post(name, 'batch-lock', { nodeNames: [a, 'os-node-created-xxxxx'], actions: ['delete'] });
      expect(locked.status, locked.text).toBe(200);
      expect(locked.body).toEqual({
        nodes: [
          { name: a, status: 'success' },
          { name: 'os-node-created-xxxxx', status: 'failed' },
        ],
      });
      const after = Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n]));
      expect(after[a].metadata.annotations[LOCK]).toBe('delete');
      expect(after[b].metadata.annotations[LOCK]).toBeUndefined();
      // A scale-in must now take the unlocked node.
      const unlocked = await post(name, 'batch-unlock', { nodeNames: [a], actions: ['delete'] });
      expect(unlocked.body).toEqual({ nodes: [{ name: a, status: 'success' }] });
      expect((await allNodes(h.client, name)).every((n) => n.metadata.annotations[LOCK] === undefined)).toBe(true);
    });

    it('a scale-in takes the newest unlocked nodes, never a locked one; one that would need a locked node is refused', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const old = namesOf(await allNodes(h.client, name));
      const scale = (count: number) => mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count }] } });
      expect((await scale(4)).status).toBe(200);
      await h.settle();
      const added = namesOf(await allNodes(h.client, name)).filter((n) => !old.includes(n));
      expect(added).toHaveLength(2);
      const locked = await post(name, 'batch-lock', { nodeNames: [added[0], old[0]], actions: ['delete'] });
      expect(locked.status, locked.text).toBe(200);
      const phases = async () =>
        Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n.status.phase]));
      const res = await scale(3);
      expect(res.status, res.text).toBe(200);
      expect((await phases())[added[1]]).toBe('Deleting');
      expect(Object.values(await phases()).filter((p) => p === 'Deleting')).toHaveLength(1);
      await h.advance(DELETE_MS);
      expect(namesOf(await allNodes(h.client, name)).sort()).toEqual([...old, added[0]].sort());

      const before = { pool: await show(h.client, name), nodes: await allNodes(h.client, name) };
      const refused = await scale(1);
      expectError(refused, 400, 'ModelArts.50004000');
      expect(refused.body.error_msg).toMatch(/unlocked.*batch-unlock/);
      expect({ pool: await show(h.client, name), nodes: await allNodes(h.client, name) }).toEqual(before);
      expect((await scale(2)).status).toBe(200);
      expect((await phases())[old[1]]).toBe('Deleting');
    });

    it('a scale-in finds an older unlocked node when more than 500 of the newest are locked', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 3 }]);
      const old = namesOf(await allNodes(h.client, name));
      expect((await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 505 }] } })).status).toBe(
        200,
      );
      await h.settle();
      const added = namesOf(await allNodes(h.client, name)).filter((n) => !old.includes(n));
      expect(added).toHaveLength(502);
      const locked = await post(name, 'batch-lock', { nodeNames: added, actions: ['delete'] });
      expect(locked.status, locked.text).toBe(200);
      const res = await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 504 }] } });
      expect(res.status, res.text).toBe(200);
      const leaving = (await allNodes(h.client, name)).filter((n) => n.status.phase === 'Deleting');
      expect(namesOf(leaving)).toHaveLength(1);
      expect(old).toContain(leaving[0].metadata.name);
    });

    it('refuses other actions, duplicates and empty lists, changing nothing', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
      const [a] = namesOf(await allNodes(h.client, name));
      await expectRefused(name, 'batch-lock', { nodeNames: [a], actions: ['reboot'] }, /exactly/);
      await expectRefused(name, 'batch-lock', { nodeNames: [a], actions: ['delete', 'delete'] }, /exactly/);
      await expectRefused(name, 'batch-lock', { nodeNames: [a], actions: [] });
      await expectRefused(name, 'batch-lock', { nodeNames: [a, a], actions: ['delete'] }, /more than once/);
      await expectRefused(name, 'batch-unlock', { nodeNames: [], actions: ['delete'] });
    });
  });

  describe('batch-update', () => {
    it('opens and closes HA redundancy, creates and deletes tags; a locked node fails', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [a, b] = namesOf(await allNodes(h.client, name));
      await post(name, 'batch-lock', { nodeNames: [b], actions: ['delete'] });
      const open = await post(name, 'batch-update', {
        nodeNames: [a, b],
        action: 'openHaRedundant',
        haRedundantEffect: 'NoExecute',
      });
      expect(open.status, open.text).toBe(200);
      expect(open.body).toEqual({
        successNodeNames: [a],
        failNodeNames: [b],
        nodes: [
          { name: a, status: 'success' },
          { name: b, status: 'failed' },
        ],
      });
      const byName = async () => Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n]));
      let nodes = await byName();
      expect(nodes[a].metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('true');
      expect(nodes[a].status.taints).toEqual([
        { key: 'os.modelarts.node/ha.redundant', value: 'true', effect: 'NoExecute' },
      ]);
      expect(nodes[b].metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('false');
      await post(name, 'batch-update', { nodeNames: [a], action: 'closeHaRedundant' });
      await post(name, 'batch-update', {
        nodeNames: [a],
        action: 'createTags',
        tags: [
          { key: 'team', value: 'x' },
          { key: 'env', value: 'dev' },
        ],
      });
      await post(name, 'batch-update', { nodeNames: [a], action: 'deleteTags', tags: [{ key: 'team' }] });
      nodes = await byName();
      expect(nodes[a].metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('false');
      expect(nodes[a].status.taints).toBeUndefined();
      expect(JSON.parse(nodes[a].metadata.annotations['os.modelarts/tms.tags'])).toEqual([
        { key: 'env', value: 'dev' },
      ]);
    });

    it('refuses a bad action, tags missing, unknown or duplicate names, changing nothing', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 1 }]);
      const [a] = namesOf(await allNodes(h.client, name));
      await expectRefused(name, 'batch-update', { nodeNames: [a], action: 'true' });
      await expectRefused(name, 'batch-update', { nodeNames: [a], action: 'createTags' }, /tags/);
      await expectRefused(name, 'batch-update', { nodeNames: [a, 'os-node-created-nope0'], action: 'openHaRedundant' });
      await expectRefused(name, 'batch-update', { nodeNames: [a, a], action: 'openHaRedundant' });
      await expectRefused(name, 'batch-update', { nodeNames: [], action: 'openHaRedundant' });
    });
  });

  describe('batch-bind and batch-drain', () => {
    it('binds and unbinds (quotaName or quotaname); drains with a NoSchedule taint and an annotation', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [a, b] = namesOf(await allNodes(h.client, name));
      const bound = await post(name, 'batch-bind', {
        nodes: [
          { name: a, quotaName: 'q1' },
          { name: b, quotaname: 'q2' },
        ],
      });
      expect(bound.status, bound.text).toBe(200);
      expect(bound.body).toEqual({});
      let nodes = Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n]));
      expect(nodes[a].metadata.labels['os.modelarts.node/elastic.quota']).toBe('q1');
      expect(nodes[b].metadata.labels['os.modelarts.node/elastic.quota']).toBe('q2');
      await post(name, 'batch-bind', { nodes: [{ name: a, quotaName: '' }] });
      const drained = await post(name, 'batch-drain', { nodeNames: [b] });
      expect(drained.status, drained.text).toBe(200);
      expect(drained.body).toEqual({});
      nodes = Object.fromEntries((await allNodes(h.client, name)).map((n) => [n.metadata.name, n]));
      expect(nodes[a].metadata.labels['os.modelarts.node/elastic.quota']).toBeUndefined();
      expect(nodes[b].status.taints).toEqual([
        expect.objectContaining({ key: 'os.modelarts.node/drain', effect: 'NoSchedule' }),
      ]);
      expect(nodes[b].metadata.annotations['os.modelarts.node/drain']).toEqual(expect.any(String));
    });

    it('refuses more than 10 names, unknown, duplicate, locked or empty, changing nothing', async () => {
      const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
      const [a, b] = namesOf(await allNodes(h.client, name));
      await expectRefused(name, 'batch-drain', { nodeNames: Array.from({ length: 11 }, (_, i) => `${a}${i}`) });
      await expectRefused(name, 'batch-drain', { nodeNames: [a, 'os-node-created-nope0'] }, /no node/);
      await expectRefused(name, 'batch-drain', { nodeNames: [a, a] });
      await expectRefused(name, 'batch-drain', { nodeNames: [] });
      await post(name, 'batch-lock', { nodeNames: [b], actions: ['delete'] });
      await expectRefused(name, 'batch-drain', { nodeNames: [a, b] }, /locked/);
      await expectRefused(name, 'batch-bind', { nodes: [{ name: a, quotaName: 'q' }, { name: 'nope' }] }, /no node/);
      await expectRefused(name, 'batch-bind', { nodes: [{ name: a }, { name: a }] });
      await expectRefused(name, 'batch-bind', { nodes: [] });
    });
  });
});
