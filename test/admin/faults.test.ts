// Faults (docs/emulator.md): the next N creations, scalings or deletions that match
// end in failure, or running pools turn Abnormal and back — over HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { listEventsOf } from '../../src/events/event.store.js';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork, displayName, expectError } from '../helpers/fixtures.js';
import {
  CPU_16,
  CPU_8,
  createBody,
  createPool,
  eventsOf,
  mergePatch,
  phaseChanges,
  phaseOf,
  pool,
  poolQuotaUsed,
  show,
  statistics,
  nodeGroup,
} from '../pools/helpers.js';
import { admin, adminOk, runningPool, useAdminHarness } from './helpers.js';

describe('creation faults', () => {
  let net: string;
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '10' });
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  it('fail exactly one of three matching creations, visibly in the pool, its events and the statistics', async () => {
    const reason = 'Provider capacity exhausted in az-1 (test fault).';
    const fault = await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'create', project: h.projectId, name: 'trio-*', reason },
      201,
    );
    expect(fault).toMatchObject({
      operation: 'create',
      project: h.projectId,
      name: 'trio-*',
      remaining: 1,
      triggered: 0,
      reason,
    });

    const names: string[] = [];
    for (let i = 0; i < 3; i += 1)
      names.push((await createPool(h.client, createBody(net, { name: displayName('trio') }))).metadata.name);
    const bystander = (await createPool(h.client, createBody(net, { name: displayName('other') }))).metadata.name;
    // Two engines race over the same due steps: the fault is consumed in the step's own transaction.
    const second = new LifecycleEngine(h.context, { error: console.error, debug: () => {} } as never);
    h.clock.advance(10_000);
    await Promise.all([h.engine.runOnce(), second.runOnce(), h.engine.runOnce()]);
    await h.settle();

    const phases = await Promise.all(names.map((n) => phaseOf(h.client, n)));
    expect(phases.filter((p) => p === 'CreationFailed')).toHaveLength(1);
    expect(phases.filter((p) => p === 'Running')).toHaveLength(2);
    expect(await phaseOf(h.client, bystander)).toBe('Running');

    const failed = names[phases.indexOf('CreationFailed')];
    const shown = await show(h.client, failed);
    expect(shown.status.message).toBe(reason);
    const changes = await phaseChanges(h, failed);
    expect(changes.at(-1)).toContain('from Creating to CreationFailed');
    expect(changes.at(-1)).toContain(reason);
    // The failure, then its nodes given back (the roll-up's last change).
    expect((await eventsOf(h, failed)).slice(-2)).toMatchObject([
      { type: 'Warning', reason: 'PoolStatusChange' },
      { type: 'Normal', reason: 'PoolResourcesStatusChange' },
    ]);
    const events = await h.client.get(`/v1/{project_id}/events?resource=pools&name=${failed}&type=Warning`);
    expect(events.status, events.text).toBe(200);
    expect(events.body.items).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'PoolStatusChange',
        message: expect.stringContaining(reason),
      }),
    ]);

    const stats = await statistics(h.client);
    expect(stats).toMatchObject({ created: 3, failed: 1, creating: 0 });
    expect(await poolQuotaUsed(h.client)).toBe(3);
    const listed = await h.client.get('/v2/{project_id}/pools?status=failed');
    expect(listed.body.items.map((p: any) => p.metadata.name)).toEqual([failed]);

    const faults = (await adminOk(h, 'GET', `/_atelier/faults?project=${h.projectId}`)).faults;
    expect(faults).toEqual([expect.objectContaining({ id: fault.id, remaining: 0, triggered: 1 })]);
  });

  it('match by flavor, and leave other projects alone when scoped to one', async () => {
    const other = await h.newProject();
    const otherNet = await activeNetwork(other, h.settle);
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'create', flavor: CPU_16, count: 5 }, 201);
    await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'create', project: h.projectId, name: 'scoped-*', count: 5 },
      201,
    );
    const big = await createPool(h.client, createBody(net, { resources: [{ flavor: CPU_16, count: 1 }] }));
    const small = await createPool(h.client, createBody(net, { resources: [{ flavor: CPU_8, count: 1 }] }));
    const elsewhere = await createPool(other, createBody(otherNet, { name: displayName('scoped') }));
    await h.advance(10_000);
    expect(await phaseOf(h.client, big.metadata.name)).toBe('CreationFailed');
    expect(await phaseOf(h.client, small.metadata.name)).toBe('Running');
    expect(await phaseOf(other, elsewhere.metadata.name)).toBe('Running');
    await adminOk(h, 'DELETE', '/_atelier/faults');
  });

  it('use the default reason when none is given', async () => {
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'create', name: 'plain-*' }, 201);
    const created = await createPool(h.client, createBody(net, { name: displayName('plain') }));
    await h.advance(10_000);
    const shown = await show(h.client, created.metadata.name);
    expect(shown.status).toMatchObject({ phase: 'CreationFailed', message: expect.stringContaining('emulator fault') });
  });
});

describe('scaling, deletion and abnormal faults', () => {
  const h = useAdminHarness({ ATELIER_POOL_QUOTA: '50', ATELIER_NETWORK_QUOTA: '50' });

  /** The phase moves of a pool in any project, as "From>To". */
  const changesOf = async (client: ApiClient, name: string) =>
    (await listEventsOf(h.context.database.db, client.projectId, 'pools', name))
      .filter((e) => e.reason === 'PoolStatusChange')
      .map((e) =>
        e.message
          .match(/from (\w+) to (\w+)/)!
          .slice(1)
          .join('>'),
      );

  const scale = (client: ApiClient, name: string, count: number) =>
    mergePatch(client, name, { spec: { resources: [{ flavor: CPU_8, count, maxCount: count }] } });

  it('a scaling fault leaves the pool ScalingFailed with the nodes it had; the next scaling works', async () => {
    const name = await runningPool(h, h.client);
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'scale', name, reason: 'No nodes left to add.' }, 201);
    expect((await scale(h.client, name, 4)).status).toBe(200);
    await h.settle();
    const failed = await show(h.client, name);
    expect(failed.status.phase).toBe('ScalingFailed');
    expect(failed.status.message).toBe('No nodes left to add.');
    expect(failed.spec.resources).toEqual([{ flavor: CPU_8, count: 2, maxCount: 2 }]);
    expect(failed.status.resources).toEqual({ available: [nodeGroup(CPU_8, 2)] });
    expect((await phaseChanges(h, name)).at(-1)).toContain('from Running to ScalingFailed');
    expect(await statistics(h.client)).toMatchObject({ created: 1 });

    expect((await scale(h.client, name, 3)).status).toBe(200);
    await h.settle();
    const scaled = await show(h.client, name);
    expect(scaled.status.phase).toBe('Running');
    expect(scaled.status.resources.available).toEqual([nodeGroup(CPU_8, 3)]);
  });

  it('a deletion fault leaves the pool in Error with the reason; a second DELETE removes it', async () => {
    const name = await runningPool(h, h.client);
    const used = await poolQuotaUsed(h.client);
    await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'delete', project: h.projectId, name, reason: 'Teardown timed out.' },
      201,
    );
    expect((await h.client.delete(pool(name))).status).toBe(200);
    await h.settle();
    const failed = await show(h.client, name);
    expect(failed.status).toMatchObject({ phase: 'Error', message: 'Teardown timed out.' });
    expect(failed.metadata.deletionTimestamp).toBeUndefined();
    expect(await poolQuotaUsed(h.client)).toBe(used);
    expect((await eventsOf(h, name)).map((e) => e.reason)).toContain('PoolDeletionFailed');

    expect((await h.client.delete(pool(name))).status).toBe(200);
    await h.settle();
    expect(await phaseOf(h.client, name)).toBe(404);
    expect(await poolQuotaUsed(h.client)).toBe(used - 1);
  });

  it('an abnormal fault turns running pools Abnormal at once, and clearing it brings them back', async () => {
    const other = await h.newProject();
    const mine = await runningPool(h, other);
    const untouched = await runningPool(h, h.client);
    const fault = await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'abnormal', project: other.projectId, reason: 'Node lost.' },
      201,
    );
    expect(fault.applied).toEqual([mine]);
    expect(fault).toMatchObject({ remaining: 0, triggered: 1 });
    const abnormal = await show(other, mine);
    expect(abnormal.status).toMatchObject({ phase: 'Abnormal', message: 'Node lost.' });
    expect(abnormal.status.resources.abnormal).toEqual([expect.objectContaining({ flavor: CPU_8, count: 2 })]);
    expect(await statistics(other)).toMatchObject({ created: 1 });
    expect(await phaseOf(h.client, untouched)).toBe('Running');
    await h.advance(3_600_000);
    expect(await phaseOf(other, mine)).toBe('Abnormal');

    const cleared = await adminOk(h, 'DELETE', `/_atelier/faults/${fault.id}`);
    expect(cleared).toEqual({ cleared: [fault.id], healed: [mine] });
    expect((await show(other, mine)).status.phase).toBe('Running');
    expect((await show(other, mine)).status.message).toBeUndefined();
    expect((await changesOf(other, mine)).slice(-2)).toEqual(['Running>Abnormal', 'Abnormal>Running']);
  });

  it('an abnormal fault with a recovery time heals by itself, and applies to pools that reach Running later', async () => {
    const other = await h.newProject();
    const fault = await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'abnormal', project: other.projectId, recoverAfterSeconds: 30 },
      201,
    );
    expect(fault.applied).toEqual([]);
    const network = await activeNetwork(other, h.settle);
    const created = await createPool(other, createBody(network));
    await h.settle();
    expect(await phaseOf(other, created.metadata.name)).toBe('Abnormal');
    await h.advance(29_000);
    expect(await phaseOf(other, created.metadata.name)).toBe('Abnormal');
    await h.advance(1_000);
    expect(await phaseOf(other, created.metadata.name)).toBe('Running');
    expect((await changesOf(other, created.metadata.name)).slice(-3)).toEqual([
      'Creating>Running',
      'Running>Abnormal',
      'Abnormal>Running',
    ]);
  });

  it('lists, clears one and clears all; an unknown id is a 404', async () => {
    await adminOk(h, 'DELETE', '/_atelier/faults');
    const a = await adminOk(
      h,
      'POST',
      '/_atelier/faults',
      { operation: 'create', project: h.projectId, count: 3 },
      201,
    );
    const b = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'delete', name: 'x?z*' }, 201);
    expect((await adminOk(h, 'GET', '/_atelier/faults')).faults.map((f: any) => f.id)).toEqual([a.id, b.id]);
    expect((await adminOk(h, 'GET', `/_atelier/faults?project=${h.projectId}`)).faults.map((f: any) => f.id)).toEqual([
      a.id,
    ]);
    expect(await adminOk(h, 'DELETE', `/_atelier/faults/${a.id}`)).toEqual({ cleared: [a.id], healed: [] });
    expectError(await admin(h, 'DELETE', `/_atelier/faults/${a.id}`), 404, 'Atelier.40401001');
    expect(await adminOk(h, 'DELETE', '/_atelier/faults')).toEqual({ cleared: [b.id], healed: [] });
    expect((await adminOk(h, 'GET', '/_atelier/faults')).faults).toEqual([]);
  });

  it('refuses an unknown flavor and a recovery time on a fault that does not recover', async () => {
    expectError(
      await admin(h, 'POST', '/_atelier/faults', { operation: 'create', flavor: 'no.such.flavor' }),
      400,
      'ModelArts.50004000',
    );
    expectError(
      await admin(h, 'POST', '/_atelier/faults', { operation: 'create', recoverAfterSeconds: 5 }),
      400,
      'ModelArts.50004000',
    );
  });
});
