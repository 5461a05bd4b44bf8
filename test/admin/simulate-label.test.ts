// The `atelier.io/simulate` label (docs/emulator.md): the same failures as the
// faults, for clients that cannot call the emulator controls. It needs no admin token.
import { beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  CPU_8,
  createBody,
  createPool,
  eventsOf,
  mergePatch,
  phaseChanges,
  phaseOf,
  pool,
  show,
  nodeGroup,
} from '../pools/helpers.js';

const CREATE_MS = 10_000;
const simulate = (value: string) => ({ labels: { 'atelier.io/simulate': value } });

describe('the atelier.io/simulate label', () => {
  let net: string;
  const h = useHarness({
    ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
    ATELIER_POOL_DELETE_SECONDS: '0',
  });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('names the allowed values when given another', async () => {
    const res = await h.client.post('/v2/{project_id}/pools', createBody(net, simulate('Explode')));
    expectError(res, 400, 'ModelArts.50004000');
    for (const value of ['CreationFailed', 'ScalingFailed', 'DeletionFailed', 'Abnormal'])
      expect(res.body.error_msg).toContain(value);
  });

  it('CreationFailed fails the creation', async () => {
    const created = await createPool(h.client, createBody(net, simulate('CreationFailed')));
    await h.advance(CREATE_MS);
    expect((await show(h.client, created.metadata.name)).status).toMatchObject({
      phase: 'CreationFailed',
      message: expect.stringContaining('atelier.io/simulate'),
    });
  });

  it('ScalingFailed fails every scaling, keeping the nodes the pool has', async () => {
    const created = await createPool(h.client, createBody(net, simulate('ScalingFailed')));
    await h.advance(CREATE_MS);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Running');
    const res = await mergePatch(h.client, created.metadata.name, {
      spec: { resources: [{ flavor: CPU_8, count: 3, maxCount: 3 }] },
    });
    expect(res.status, res.text).toBe(200);
    await h.settle();
    const failed = await show(h.client, created.metadata.name);
    expect(failed.status.phase).toBe('ScalingFailed');
    expect(failed.spec.resources[0].count).toBe(2);
    expect(failed.status.resources.available).toEqual([nodeGroup(CPU_8, 2)]);
  });

  it('DeletionFailed fails the first deletion (the pool goes to Error); the second succeeds', async () => {
    const created = await createPool(h.client, createBody(net, simulate('DeletionFailed')));
    await h.advance(CREATE_MS);
    expect((await h.client.delete(pool(created.metadata.name))).status).toBe(200);
    await h.settle();
    expect((await show(h.client, created.metadata.name)).status).toMatchObject({
      phase: 'Error',
      message: expect.stringContaining('Deletion failed'),
    });
    expect((await eventsOf(h, created.metadata.name)).filter((e) => e.reason === 'PoolDeletionFailed')).toHaveLength(1);
    expect((await h.client.delete(pool(created.metadata.name))).status).toBe(200);
    await h.settle();
    expect(await phaseOf(h.client, created.metadata.name)).toBe(404);
  });

  it('Abnormal turns the pool Abnormal once it runs, and back to Running one creation time later', async () => {
    const created = await createPool(h.client, createBody(net, simulate('Abnormal')));
    await h.advance(CREATE_MS);
    expect((await show(h.client, created.metadata.name)).status).toMatchObject({
      phase: 'Abnormal',
      message: expect.stringContaining('abnormal'),
    });
    await h.advance(CREATE_MS - 1);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Abnormal');
    await h.advance(1);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Running');
    const changes = await phaseChanges(h, created.metadata.name);
    expect(
      changes.map((m) =>
        m
          .match(/from (\w+) to (\w+)/)!
          .slice(1)
          .join('>'),
      ),
    ).toEqual(['Creating>Running', 'Running>Abnormal', 'Abnormal>Running']);
    // Once: it stays Running afterwards.
    await h.advance(10 * CREATE_MS);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Running');
  });
});
