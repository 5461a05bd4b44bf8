// A pool's roll-up (status.resources) is its nodes, and every change of it is a
// PoolResourcesStatusChange event (issue: nodes as rows; config-events §4): after
// each step of a pool's life through the API, and while the step is under way,
// status.resources equals a grouping of the listed nodes, and the roll-up events
// form one chain from 0/0/0/0 whose last count is the nodes' — a change that
// wrote no event would break the chain or leave its end behind.
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, adminOk, useAdminHarness } from '../admin/helpers.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { CPU_8, GPU_T4, createBody, createPool, mergePatch, pool } from '../pools/helpers.js';
import { createNodePoolBody, nodePool, patchNodePool, postNodePool } from '../nodepools/helpers.js';
import { action, allNodes, namesOf } from './helpers.js';

const STEP_MS = 10_000;
const BUCKET: Record<string, string> = {
  Creating: 'creating',
  Available: 'available',
  Abnormal: 'abnormal',
  Checking: 'abnormal',
  Deleting: 'deleting',
};
const BUCKETS = ['available', 'abnormal', 'creating', 'deleting'];

describe('the roll-up equals the nodes, and each change of it is one event in a chain', () => {
  const h = useAdminHarness({
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_NODE_CREATE_SECONDS: String(STEP_MS / 1000),
    ATELIER_NODE_DELETE_SECONDS: String(STEP_MS / 1000),
    ATELIER_NODE_REBOOT_SECONDS: String(STEP_MS / 1000),
    ATELIER_NODE_RESET_SECONDS: String(STEP_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  let net: string;
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  /** status.resources against the listed nodes, and the event chain against both. */
  const expectRollUp = async (name: string, what: string) => {
    const shown = await h.client.get(pool(name));
    expect(shown.status, `${what}: ${shown.text}`).toBe(200);
    const groups = new Map<string, number>();
    const totals = Object.fromEntries(BUCKETS.map((b) => [b, 0]));
    for (const n of await allNodes(h.client, name)) {
      const bucket = BUCKET[n.status.phase];
      const key = `${bucket} ${n.spec.flavor} ${n.metadata.labels['os.modelarts.node/nodepoolname']}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
      totals[bucket] += 1;
    }
    const rolled = new Map<string, number>();
    for (const [bucket, entries] of Object.entries(shown.body.status.resources ?? {})) {
      for (const e of entries as Array<{ flavor: string; nodePool: string; count: number }>) {
        rolled.set(`${bucket} ${e.flavor} ${e.nodePool}`, e.count);
      }
    }
    expect(Object.fromEntries(rolled), what).toEqual(Object.fromEntries(groups));
    const chain = (await listEventsOf(h.context.database.db, h.projectId, 'pools', name))
      .filter((e) => e.reason === 'PoolResourcesStatusChange')
      .map((e) => /count from (\S+) to (\S+),/.exec(e.message)!.slice(1));
    expect(chain[0]?.[0], what).toBe('0/0/0/0');
    for (let i = 1; i < chain.length; i += 1) expect(chain[i][0], `${what}: event ${i}`).toBe(chain[i - 1][1]);
    for (const [from, to] of chain) expect(from, what).not.toBe(to);
    expect(chain.at(-1)?.[1], what).toBe(BUCKETS.map((b) => totals[b]).join('/'));
  };

  /** A step through the API, checked at once, then again once its nodes have settled. */
  const step = async (names: string[], what: string, act: () => Promise<{ status: number; text: string }>) => {
    const res = await act();
    expect(res.status, `${what}: ${res.text}`).toBe(200);
    for (const name of names) await expectRollUp(name, `${what} (under way)`);
    // A job starts its nodes at one pass and they come back a step later.
    await h.advance(STEP_MS);
    await h.advance(STEP_MS);
    for (const name of names) await expectRollUp(name, `${what} (settled)`);
  };

  it('through creation, scaling, node pools, every batch action, faults and deletion', async () => {
    const created = await createPool(
      h.client,
      createBody(net, {
        resources: [
          { flavor: CPU_8, count: 3 },
          { flavor: GPU_T4, count: 1 },
        ],
      }),
    );
    const a = created.metadata.name as string;
    await expectRollUp(a, 'created');
    await h.advance(STEP_MS);
    await expectRollUp(a, 'Running');
    const b = (await createPool(h.client, createBody(net, { resources: [{ flavor: CPU_8, count: 1 }] }))).metadata
      .name as string;
    await h.advance(STEP_MS);
    const cpu = async () => namesOf((await allNodes(h.client, a)).filter((n) => n.spec.flavor === CPU_8));

    await step([a], 'scale-out', () =>
      mergePatch(h.client, a, {
        spec: {
          resources: [
            { flavor: CPU_8, count: 5 },
            { flavor: GPU_T4, count: 1 },
          ],
        },
      }),
    );
    await step([a], 'scale-in', () =>
      mergePatch(h.client, a, {
        spec: {
          resources: [
            { flavor: CPU_8, count: 4 },
            { flavor: GPU_T4, count: 1 },
          ],
        },
      }),
    );
    await step([a], 'createNodePool', () =>
      postNodePool(h.client, a, createNodePoolBody('extra', { flavor: CPU_8, count: 2 })),
    );
    await step([a], 'patchNodePool', () => patchNodePool(h.client, a, 'extra', { spec: { resources: { count: 3 } } }));
    await step([a], 'deleteNodePool', () => h.client.delete(nodePool(a, 'extra')));
    const [n1, n2, n3, n4] = await cpu();
    await step([a], 'batch-delete', () => h.client.post(action(a, 'batch-delete'), { deleteNodeNames: [n1] }));
    await step([a], 'batch-reboot', () => h.client.post(action(a, 'batch-reboot'), { nodeNames: [n2, n3] }));
    await step([a], 'batch-reset', () =>
      h.client.post(action(a, 'batch-reset'), {
        nodeNames: [n2],
        rollingConfig: { strategy: 'node', maxUnavailable: 1 },
      }),
    );
    await step([a, b], 'batch-migrate', () =>
      h.client.post(action(a, 'batch-migrate'), { migrateNodeNames: [n4], fromClusterName: a, toClusterName: b }),
    );
    let fault = '';
    await step([a], 'a node fault', async () => {
      const res = await admin(h, 'POST', '/_atelier/faults', { operation: 'nodeAbnormal', name: n3 });
      fault = res.body.id;
      return { status: res.status === 201 ? 200 : res.status, text: res.text };
    });
    expect((await allNodes(h.client, a)).find((n) => n.metadata.name === n3)?.status.phase).toBe('Abnormal');
    await step([a], 'the fault cleared', async () => {
      await adminOk(h, 'DELETE', `/_atelier/faults/${fault}`);
      return { status: 200, text: '' };
    });
    const res = await h.client.delete(pool(a));
    expect(res.status, res.text).toBe(200);
    await expectRollUp(a, 'pool Deleting');
  });

  it('driver phases (decision 22): GPU and NPU nodes Pending while Creating, Running once Available; CPU nodes none', async () => {
    const NPU = 'modelarts.bm.npu.arm.8snt9b3';
    const made = [
      await createPool(
        h.client,
        createBody(net, {
          resources: [
            { flavor: CPU_8, count: 1 },
            { flavor: GPU_T4, count: 1 },
          ],
        }),
      ),
      await createPool(h.client, createBody(net, { resources: [{ flavor: NPU, count: 1 }] })),
    ].map((p) => p.metadata.name as string);
    const drivers = async () =>
      (await Promise.all(made.map((name) => allNodes(h.client, name))))
        .flat()
        .map((n) => [n.spec.flavor, n.status.phase, n.status.driver?.phase, n.status.driver?.version]);
    expect((await drivers()).sort()).toEqual(
      [
        [CPU_8, 'Creating', undefined, undefined],
        [GPU_T4, 'Creating', 'Pending', expect.any(String)],
        [NPU, 'Creating', 'Pending', expect.any(String)],
      ].sort(),
    );
    await h.advance(STEP_MS);
    const up = (await drivers()).sort();
    expect(up).toEqual(
      [
        [CPU_8, 'Available', undefined, undefined],
        [GPU_T4, 'Available', 'Running', expect.stringMatching(/./)],
        [NPU, 'Available', 'Running', expect.stringMatching(/./)],
      ].sort(),
    );
    const npu = (await allNodes(h.client, made[1]))[0];
    expect(npu.status.resources['huawei.com/ascend-snt9']).toBe('8');
  });
});
