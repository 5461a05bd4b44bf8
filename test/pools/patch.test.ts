import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, displayName, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  CPU_16,
  CPU_8,
  CPU_ARM,
  createBody,
  createPool,
  GPU_T4,
  listNames,
  mergePatch,
  pool,
  show,
  statistics,
  nodeGroup,
} from './helpers.js';

const CREATE_MS = 10_000;
const SCALE_MS = 5_000;
const DESCRIPTION = 'os.modelarts/description';

describe('PATCH /v2/{project_id}/pools/{pool_name}', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
    ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
    ATELIER_POOL_QUOTA: '100',
    ATELIER_POOL_DELETE_SECONDS: '5',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  /** A pool that has finished creating. */
  const runningPool = async (options: Parameters<typeof createBody>[1] = {}): Promise<string> => {
    const created = await createPool(h.client, createBody(net, options));
    await h.advance(CREATE_MS);
    const shown = await show(h.client, created.metadata.name);
    expect(shown.status.phase).toBe('Running');
    return created.metadata.name;
  };

  /** Expects a refused patch that leaves the pool exactly as it was. */
  const expectRefused = async (name: string, body: unknown, message?: RegExp, code = 'ModelArts.50004000') => {
    const before = await show(h.client, name);
    const res = await mergePatch(h.client, name, body);
    expectError(res, 400, code);
    if (message) expect(res.body.error_msg).toMatch(message);
    expect(await show(h.client, name)).toEqual(before);
    return res;
  };

  describe('metadata', () => {
    it('sets and removes the description, with either content type', async () => {
      const name = await runningPool();
      const set = await mergePatch(h.client, name, { metadata: { annotations: { [DESCRIPTION]: 'team B' } } });
      expect(set.status, set.text).toBe(200);
      expect(set.body.metadata.annotations[DESCRIPTION]).toBe('team B');
      expect(set.body.status.phase).toBe('Running');
      expect(await show(h.client, name)).toEqual(set.body);

      // The SDK sends application/json.
      const removed = await h.client.patch(pool(name), { metadata: { annotations: { [DESCRIPTION]: null } } });
      expect(removed.status, removed.text).toBe(200);
      expect(removed.body.metadata.annotations).not.toHaveProperty(DESCRIPTION);
      const { annotations: _a, ...restNow } = removed.body.metadata;
      const { annotations: _b, ...restBefore } = set.body.metadata;
      expect(restNow).toEqual(restBefore);
      expect(removed.body.spec).toEqual(set.body.spec);
      expect(removed.body.status).toEqual(set.body.status);
    });

    it('accepts a content type with a charset', async () => {
      const name = await runningPool();
      const res = await h.client.request('PATCH', pool(name), {
        body: { metadata: { annotations: { [DESCRIPTION]: 'charset' } } },
        headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.metadata.annotations[DESCRIPTION]).toBe('charset');
    });

    it('refuses other content types with ModelArts.50004100', async () => {
      const name = await runningPool();
      const before = await show(h.client, name);
      const res = await h.client.request('PATCH', pool(name), {
        rawBody: JSON.stringify({ metadata: { annotations: { [DESCRIPTION]: 'x' } } }),
        headers: { 'content-type': 'text/plain' },
      });
      expectError(res, 400, 'ModelArts.50004100');
      expect(await show(h.client, name)).toEqual(before);
    });

    it('refuses a description with forbidden characters or over 100 characters', async () => {
      const name = await runningPool();
      await expectRefused(name, { metadata: { annotations: { [DESCRIPTION]: 'a & b' } } }, /description/);
      await expectRefused(name, { metadata: { annotations: { [DESCRIPTION]: 'x'.repeat(101) } } }, /description/);
    });

    it('moves a pool to another workspace in a request of its own', async () => {
      const name = await runningPool();
      expect(await listNames(h.client)).toContain(name);
      const statsBefore = await statistics(h.client, '?workspaceId=ws-moved');
      const res = await mergePatch(h.client, name, {
        metadata: { labels: { 'os.modelarts/workspace.id': 'ws-moved' } },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.metadata.labels['os.modelarts/workspace.id']).toBe('ws-moved');
      expect(await listNames(h.client)).not.toContain(name);
      expect(await listNames(h.client, '?workspaceId=ws-moved')).toContain(name);
      expect(await statistics(h.client, '?workspaceId=ws-moved')).toEqual({
        ...statsBefore,
        created: statsBefore.created + 1,
      });
    });

    it('refuses a workspace move combined with another change', async () => {
      const name = await runningPool();
      await expectRefused(
        name,
        { metadata: { labels: { 'os.modelarts/workspace.id': 'ws-combo' }, annotations: { [DESCRIPTION]: 'moved' } } },
        /workspace\.id/,
      );
      await expectRefused(
        name,
        { metadata: { labels: { 'os.modelarts/workspace.id': 'ws-combo' } }, spec: { scope: ['Train', 'Infer'] } },
        /workspace\.id/,
      );
      expect(await listNames(h.client, '?workspaceId=ws-combo')).toEqual([]);
    });

    it('refuses removing the workspace label', async () => {
      const name = await runningPool();
      await expectRefused(name, { metadata: { labels: { 'os.modelarts/workspace.id': null } } }, /workspace\.id/);
    });

    it('refuses a patch that changes nothing', async () => {
      const name = await runningPool();
      await expectRefused(name, {});
    });

    it.each([
      ['spec.type', { spec: { type: 'Logical' } }],
      ['spec.network', { spec: { network: { name: 'network-other' } } }],
      ['spec.network', { spec: { network: null } }],
      ['os.modelarts/name', { metadata: { labels: { 'os.modelarts/name': 'renamed' } } }],
      ['os.modelarts/tenant.project.id', { metadata: { labels: { 'os.modelarts/tenant.project.id': 'x' } } }],
      ['metadata.name', { metadata: { name: 'renamed' } }],
      ['status', { status: { phase: 'Running' } }],
    ])('refuses a change of %s, naming the field', async (field, body) => {
      const name = await runningPool();
      await expectRefused(name, body, new RegExp(field.replace(/[./]/g, '\\$&')));
    });
  });

  describe('spec.resources', () => {
    it('scales out: the new nodes show as creating until the scale time has passed', async () => {
      const name = await runningPool({ resources: [{ flavor: CPU_8, count: 2 }] });
      const res = await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 3 }] } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.spec.resources).toEqual([{ flavor: CPU_8, count: 3, maxCount: 3 }]);
      expect(res.body.status.phase).toBe('Running');
      expect(res.body.status.resources).toEqual({
        available: [nodeGroup(CPU_8, 2)],
        creating: [nodeGroup(CPU_8, 1)],
      });
      await h.advance(SCALE_MS - 1);
      expect((await show(h.client, name)).status.resources).toEqual(res.body.status.resources);
      await h.advance(1);
      const after = await show(h.client, name);
      expect(after.status.phase).toBe('Running');
      expect(after.status.resources).toEqual({ available: [nodeGroup(CPU_8, 3)] });
    });

    it('scales out by adding a flavor', async () => {
      const name = await runningPool({ resources: [{ flavor: CPU_8, count: 1 }] });
      const res = await mergePatch(h.client, name, {
        spec: {
          resources: [
            { flavor: CPU_8, count: 1 },
            { flavor: GPU_T4, count: 2 },
          ],
        },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.status.resources).toEqual({
        available: [nodeGroup(CPU_8, 1)],
        creating: [nodeGroup(GPU_T4, 2)],
      });
      await h.advance(SCALE_MS);
      expect((await show(h.client, name)).status.resources).toEqual({
        available: [nodeGroup(CPU_8, 1), nodeGroup(GPU_T4, 2)],
      });
    });

    it('scales in: the leaving nodes show as deleting, not as available too', async () => {
      const name = await runningPool({ resources: [{ flavor: CPU_8, count: 3 }] });
      const res = await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 1 }] } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.spec.resources).toEqual([{ flavor: CPU_8, count: 1, maxCount: 1 }]);
      expect(res.body.status.phase).toBe('Running');
      expect(res.body.status.resources).toEqual({
        available: [nodeGroup(CPU_8, 1)],
        deleting: [nodeGroup(CPU_8, 2)],
      });
      await h.advance(SCALE_MS - 1);
      expect((await show(h.client, name)).status.resources).toEqual(res.body.status.resources);
      await h.advance(1);
      expect((await show(h.client, name)).status.resources).toEqual({
        available: [nodeGroup(CPU_8, 1)],
      });
    });

    it('scales in by leaving a flavor out (arrays are replaced whole)', async () => {
      const name = await runningPool({
        resources: [
          { flavor: CPU_8, count: 1 },
          { flavor: CPU_16, count: 2 },
        ],
      });
      const res = await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 1 }] } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.spec.resources).toEqual([{ flavor: CPU_8, count: 1, maxCount: 1 }]);
      expect(res.body.status.resources).toEqual({
        available: [nodeGroup(CPU_8, 1)],
        deleting: [nodeGroup(CPU_16, 2)],
      });
      await h.advance(SCALE_MS);
      expect((await show(h.client, name)).status.resources).toEqual({
        available: [nodeGroup(CPU_8, 1)],
      });
    });

    it('refuses scaling one flavor out and another in within one request', async () => {
      const name = await runningPool({
        resources: [
          { flavor: CPU_8, count: 2 },
          { flavor: CPU_16, count: 2 },
        ],
      });
      await expectRefused(
        name,
        {
          spec: {
            resources: [
              { flavor: CPU_8, count: 3 },
              { flavor: CPU_16, count: 1 },
            ],
          },
        },
        /resources/,
      );
      // Swapping a flavor for another is also out and in at once.
      await expectRefused(
        name,
        {
          spec: {
            resources: [
              { flavor: CPU_8, count: 2 },
              { flavor: GPU_T4, count: 1 },
            ],
          },
        },
        /resources/,
      );
    });

    it('refuses leaving the pool without resources', async () => {
      const name = await runningPool();
      await expectRefused(name, { spec: { resources: [] } }, /resources/);
      await expectRefused(name, { spec: { resources: null } }, /resources/);
    });

    it('applies the create rules to the new resources', async () => {
      const name = await runningPool();
      await expectRefused(name, { spec: { resources: [{ flavor: 'modelarts.vm.none', count: 2 }] } }, /flavor/);
      await expectRefused(name, { spec: { resources: [{ flavor: CPU_8, count: 0 }] } }, /count/);
      await expectRefused(name, { spec: { resources: [{ flavor: CPU_8, count: 2, maxCount: 4 }] } }, /maxCount/);
      await expectRefused(
        name,
        {
          spec: {
            resources: [
              { flavor: CPU_8, count: 2 },
              { flavor: CPU_ARM, count: 1 },
            ],
          },
        },
        /architecture/,
      );
      await expectRefused(name, { spec: { resources: [{ flavor: CPU_8, count: '3' }] } }, /count/);
    });
  });

  describe('spec.scope', () => {
    // The states only: the scope plug-ins' phases are the plug-in tests' (test/plugins).
    const states = (scope: any[]) => scope.map(({ plugins: _plugins, ...state }) => state);

    it('enables an added job type and disables a removed one', async () => {
      const name = await runningPool({ scope: ['Train'] });
      const added = await mergePatch(h.client, name, { spec: { scope: ['Train', 'Infer'] } });
      expect(added.status, added.text).toBe(200);
      expect(added.body.spec.scope).toEqual(['Train', 'Infer']);
      expect(added.body.status.phase).toBe('Running');
      expect(states(added.body.status.scope)).toEqual([
        { scopeType: 'Train', state: 'Enabled' },
        { scopeType: 'Infer', state: 'Enabling' },
      ]);
      await h.advance(SCALE_MS);
      expect(states((await show(h.client, name)).status.scope)).toEqual([
        { scopeType: 'Train', state: 'Enabled' },
        { scopeType: 'Infer', state: 'Enabled' },
      ]);

      const removed = await mergePatch(h.client, name, { spec: { scope: ['Infer'] } });
      expect(removed.status, removed.text).toBe(200);
      expect(removed.body.spec.scope).toEqual(['Infer']);
      expect(states(removed.body.status.scope)).toEqual([
        { scopeType: 'Infer', state: 'Enabled' },
        { scopeType: 'Train', state: 'Disabling' },
      ]);
      await h.advance(SCALE_MS);
      expect(states((await show(h.client, name)).status.scope)).toEqual([
        { scopeType: 'Infer', state: 'Enabled' },
        { scopeType: 'Train', state: 'Disabled' },
      ]);
      // Nodes are untouched by scope changes.
      expect((await show(h.client, name)).status.resources).toEqual({
        available: [nodeGroup(CPU_8, 2)],
      });
    });

    it('refuses an unknown job type', async () => {
      const name = await runningPool();
      await expectRefused(name, { spec: { scope: ['Train', 'Serving'] } }, /scope/);
    });
  });

  describe('phases', () => {
    it('refuses any change while the pool is Creating', async () => {
      const created = await createPool(h.client, createBody(net));
      const name = created.metadata.name;
      await expectRefused(name, { metadata: { annotations: { [DESCRIPTION]: 'too early' } } }, /Creating/);
      await expectRefused(name, { spec: { resources: [{ flavor: CPU_8, count: 3 }] } }, /Creating/);
      await h.advance(CREATE_MS);
      expect((await mergePatch(h.client, name, { metadata: { annotations: { [DESCRIPTION]: 'now' } } })).status).toBe(
        200,
      );
    });

    it('refuses any change while the pool is Deleting', async () => {
      const name = await runningPool();
      expect((await h.client.delete(pool(name))).status).toBe(200);
      await expectRefused(name, { metadata: { annotations: { [DESCRIPTION]: 'too late' } } }, /Deleting/);
      await expectRefused(name, { spec: { scope: ['Infer'] } }, /Deleting/);
    });

    it('answers 404 ModelArts.50015001 for an unknown pool', async () => {
      const res = await mergePatch(h.client, `${displayName('ghost')}-0123456789abcdef0123456789abcdef`, {
        metadata: { annotations: { [DESCRIPTION]: 'x' } },
      });
      expectError(res, 404, 'ModelArts.50015001');
    });
  });
});
