// Lifecycle timing at run time (automatic after N seconds, or manual until an
// advance) and the service clock (docs/emulator.md).
import { describe, expect, it } from 'vitest';
import { loadEmulatorSettings } from '../../src/admin/emulator-settings.store.js';
import { activeNetwork, displayName } from '../helpers/fixtures.js';
import { createBody, createPool, listNames, phaseOf, pool, show, statistics } from '../pools/helpers.js';
import { adminOk, useAdminHarness } from './helpers.js';

describe('lifecycle timing', () => {
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '5', ATELIER_POOL_QUOTA: '50' });

  it('starts from the configuration', async () => {
    expect(await adminOk(h, 'GET', '/_atelier/lifecycle')).toEqual({
      timings: {
        networkCreate: { mode: 'auto', seconds: 0 },
        networkDelete: { mode: 'auto', seconds: 0 },
        poolCreate: { mode: 'auto', seconds: 5 },
        poolDelete: { mode: 'auto', seconds: 0 },
        poolScale: { mode: 'auto', seconds: 0 },
        nodeCreate: { mode: 'auto', seconds: 0 },
        nodeDelete: { mode: 'auto', seconds: 0 },
        nodeReboot: { mode: 'auto', seconds: 0 },
        nodeReset: { mode: 'auto', seconds: 0 },
      },
    });
  });

  it('in manual mode keeps a pool Creating until an advance, however much time passes', async () => {
    const net = await activeNetwork(h.client, h.settle);
    const updated = await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolCreate: { mode: 'manual' } });
    expect(updated.timings.poolCreate).toEqual({ mode: 'manual' });
    expect(updated.timings.poolDelete).toEqual({ mode: 'auto', seconds: 0 });
    expect((await loadEmulatorSettings(h.context.database.db)).lifecycle.poolCreate).toEqual({ mode: 'manual' });

    const held = await createPool(h.client, createBody(net, { name: displayName('held') }));
    const other = await createPool(h.client, createBody(net, { name: displayName('other') }));
    await h.advance(7 * 24 * 3_600_000);
    expect(await phaseOf(h.client, held.metadata.name)).toBe('Creating');
    expect(await statistics(h.client)).toMatchObject({ creating: 2, created: 0 });

    // By display name: only that pool moves, and the answer says where it went.
    const display = held.metadata.labels['os.modelarts/name'];
    const advanced = await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { name: display });
    expect(advanced).toEqual({
      advanced: [{ kind: 'pool', project: h.projectId, name: held.metadata.name, phase: 'Running' }],
    });
    expect(await phaseOf(h.client, held.metadata.name)).toBe('Running');
    expect(await phaseOf(h.client, other.metadata.name)).toBe('Creating');

    // Without a filter (and without a body) everything pending moves one step.
    const all = await adminOk(h, 'POST', '/_atelier/lifecycle/advance');
    expect(all.advanced.map((a: any) => a.name)).toEqual([other.metadata.name]);
    expect(await phaseOf(h.client, other.metadata.name)).toBe('Running');
  });

  it('applies one timing to every step with `all`, and per kind and project in advance', async () => {
    await adminOk(h, 'PUT', '/_atelier/lifecycle', {
      all: { mode: 'manual' },
      poolScale: { mode: 'auto', seconds: 1 },
    });
    const timings = (await adminOk(h, 'GET', '/_atelier/lifecycle')).timings;
    expect(timings).toMatchObject({
      networkCreate: { mode: 'manual' },
      poolDelete: { mode: 'manual' },
      poolScale: { mode: 'auto', seconds: 1 },
    });

    const other = await h.newProject();
    const created = await other.post('/v1/{project_id}/networks', {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: { labels: { 'os.modelarts/name': displayName('mnet') } },
      spec: { cidr: '192.168.0.0/16' },
    });
    expect(created.status, created.text).toBe(200);
    await h.advance(3_600_000);
    expect((await other.get(`/v1/{project_id}/networks/${created.body.metadata.name}`)).body.status.phase).toBe(
      'Creating',
    );
    // Another project's pending work stays where it is.
    expect(
      (await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { project: h.projectId, kind: 'network' })).advanced,
    ).toEqual([]);
    const moved = await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { project: other.projectId, kind: 'pool' });
    expect(moved.advanced).toEqual([]);
    const networks = await adminOk(h, 'POST', '/_atelier/lifecycle/advance', {
      project: other.projectId,
      kind: 'network',
    });
    expect(networks.advanced).toEqual([
      { kind: 'network', project: other.projectId, name: created.body.metadata.name, phase: 'Active' },
    ]);

    // Manual deletion: the pool stays Deleting until advanced, then is gone.
    const net = created.body.metadata.name;
    const doomed = await createPool(other, createBody(net));
    await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { name: doomed.metadata.name });
    expect((await other.delete(pool(doomed.metadata.name))).status).toBe(200);
    await h.advance(3_600_000);
    expect(await phaseOf(other, doomed.metadata.name)).toBe('Deleting');
    const gone = await adminOk(h, 'POST', '/_atelier/lifecycle/advance', { name: doomed.metadata.name });
    expect(gone.advanced).toEqual([
      { kind: 'pool', project: other.projectId, name: doomed.metadata.name, phase: 'Deleted' },
    ]);
    expect(await phaseOf(other, doomed.metadata.name)).toBe(404);
  });

  it('back in automatic mode, new steps take the given seconds', async () => {
    await adminOk(h, 'PUT', '/_atelier/lifecycle', { all: { mode: 'auto', seconds: 20 } });
    const net = await h.client.get('/v1/{project_id}/networks');
    const created = await createPool(h.client, createBody(net.body.items[0].metadata.name));
    // The pool's own 20 s, then its nodes' 20 s (nodeCreate runs after the pool's step).
    await h.advance(39_000);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Creating');
    await h.advance(1_000);
    expect(await phaseOf(h.client, created.metadata.name)).toBe('Running');
  });
});

describe('the service clock', () => {
  const h = useAdminHarness({ ATELIER_POOL_CREATE_SECONDS: '30' });

  it('moves forward so a failure drops out of the 72-hour window, running every timer on the way', async () => {
    const net = await activeNetwork(h.client, h.settle);
    const failing = await createPool(
      h.client,
      createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }),
    );
    await h.advance(30_000);
    expect(await phaseOf(h.client, failing.metadata.name)).toBe('CreationFailed');
    expect(await statistics(h.client)).toMatchObject({ failed: 1 });
    const pending = await createPool(h.client, createBody(net));

    const moved = await adminOk(h, 'POST', '/_atelier/clock/advance', { hours: 71 });
    expect(moved.offsetSeconds).toBe(71 * 3600);
    expect(moved.now).toBe(new Date(Date.parse('2026-03-01T08:00:30.000Z') + 71 * 3_600_000).toISOString());
    // The pool's provisioning step, which brings its due nodes up with it (no node step is left).
    expect(moved.stepsRun).toBe(1);
    // The clock ran the pool's provisioning timer; the failure is still inside its window.
    expect(await phaseOf(h.client, pending.metadata.name)).toBe('Running');
    expect(await statistics(h.client)).toMatchObject({ failed: 1, created: 1 });
    expect((await show(h.client, pending.metadata.name)).metadata.creationTimestamp).toBe('2026-03-01T08:00:30Z');

    const later = await adminOk(h, 'POST', '/_atelier/clock/advance', { seconds: 3600 + 1 });
    expect(later.offsetSeconds).toBe(72 * 3600 + 1);
    expect(await statistics(h.client)).toMatchObject({ failed: 0, created: 1 });
    expect(await listNames(h.client, '?status=failed')).toEqual([]);
    // Past the retention the record itself is gone.
    expect(await phaseOf(h.client, failing.metadata.name)).toBe(404);
    expect(await adminOk(h, 'GET', '/_atelier/clock')).toEqual({ now: later.now, offsetSeconds: 72 * 3600 + 1 });
    expect((await loadEmulatorSettings(h.context.database.db)).clockOffsetMs).toBe((72 * 3600 + 1) * 1000);
  });

  it('stamps new resources with the moved time, while signatures keep to real time', async () => {
    const net = (await h.client.get('/v1/{project_id}/networks')).body.items[0].metadata.name;
    const created = await createPool(h.client, createBody(net));
    // 2026-03-01T08:00:30Z + 72h 1s
    expect(created.metadata.creationTimestamp).toBe('2026-03-04T08:00:31Z');
  });
});
