// Reset (docs/emulator.md): all state or one project's resources, keeping or
// dropping identities, in one transaction and with the counters right.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import type { Harness } from '../helpers/harness.js';
import {
  createBody,
  createPool,
  listNames,
  poolQuotaUsed,
  show,
  statistics,
  writeFlavorsFile,
  flavorEntry,
} from '../pools/helpers.js';
import { admin, adminOk, startAdminHarness } from './helpers.js';

const networkCount = async (client: ApiClient) =>
  (await client.get('/v1/{project_id}/networks')).body.items.length as number;
const networkQuotaUsed = async (client: ApiClient) =>
  (await client.get('/v1/{project_id}/quotas')).body.quotas.resources.find((r: any) => r.type === 'network')
    .used as number;

describe('POST /_atelier/reset', () => {
  let h: Harness;
  let other: ApiClient;
  const LIMITED = 'test.cpu.limited';
  const FREE = 'test.cpu.free';

  /**
   * Each project: a network and two pools of a flavor with 3 nodes in all. The first
   * project gets a Running pool and a failure record; the second finds the nodes taken,
   * so its two pools and a third wait.
   */
  const populate = async (client: ApiClient) => {
    const net = await activeNetwork(client, h.settle);
    await createPool(client, createBody(net, { resources: [{ flavor: LIMITED, count: 2 }] }));
    await createPool(
      client,
      createBody(net, {
        resources: [{ flavor: LIMITED, count: 1 }],
        labels: { 'atelier.io/simulate': 'CreationFailed' },
      }),
    );
    await h.settle();
    return net;
  };

  beforeEach(async () => {
    h = await startAdminHarness({
      ATELIER_FLAVORS_FILE: writeFlavorsFile([flavorEntry(LIMITED, 3), flavorEntry(FREE)]),
    });
    other = await h.newProject();
    await populate(h.client);
    const net = await populate(other);
    // Waits for the nodes the first project holds.
    await createPool(other, createBody(net, { resources: [{ flavor: LIMITED, count: 2 }] }));
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'create', project: h.projectId }, 201);
    await adminOk(h, 'POST', '/_atelier/faults', { operation: 'create', project: other.projectId }, 201);
  });
  afterEach(() => h.close());

  it('of one project removes its resources and counters and leaves another project untouched', async () => {
    const before = {
      names: [...(await listNames(other)), ...(await listNames(other, '?status=failed'))].sort(),
      stats: await statistics(other),
      used: await poolQuotaUsed(other),
      networks: await networkCount(other),
    };
    expect(before.stats).toMatchObject({ created: 0, pending: 3, failed: 0 });
    expect(await statistics(h.client)).toMatchObject({ created: 1, failed: 1 });

    const res = await adminOk(h, 'POST', '/_atelier/reset', { project: h.projectId });
    expect(res).toEqual({
      scope: 'project',
      project: h.projectId,
      removed: { pools: 2, networks: 1, events: expect.any(Number), faults: 1, projects: 0 },
    });

    expect(await listNames(h.client)).toEqual([]);
    expect(await listNames(h.client, '?status=failed')).toEqual([]);
    expect(await statistics(h.client)).toEqual({ creating: 0, created: 0, pending: 0, deleting: 0, failed: 0 });
    expect(await poolQuotaUsed(h.client)).toBe(0);
    expect(await networkQuotaUsed(h.client)).toBe(0);
    expect(await networkCount(h.client)).toBe(0);

    // The other project keeps everything; its first waiting pools got the freed nodes, in order.
    expect([...(await listNames(other)), ...(await listNames(other, '?status=failed'))].sort()).toEqual(before.names);
    expect(await statistics(other)).toEqual({ ...before.stats, pending: 1, creating: 2 });
    expect(await poolQuotaUsed(other)).toBe(before.used);
    expect(await networkCount(other)).toBe(before.networks);
    expect((await adminOk(h, 'GET', '/_atelier/faults')).faults.map((f: any) => f.project)).toEqual([other.projectId]);

    // The project and its credential still work: a new pool can be made at once.
    const net = await activeNetwork(h.client, h.settle);
    const again = await createPool(h.client, createBody(net, { resources: [{ flavor: FREE, count: 1 }] }));
    expect((await show(h.client, again.metadata.name)).status.phase).toBe('Creating');
  });

  it('of one project without identities removes the project; the bootstrap project survives a full one', async () => {
    const res = await adminOk(h, 'POST', '/_atelier/reset', { project: other.projectId, keepIdentities: false });
    expect(res.removed.projects).toBe(1);
    expectError(await other.get('/v1/{project_id}/quotas'), 403, 'ModelArts.0210');
    expect(await statistics(h.client)).toMatchObject({ created: 1, failed: 1 });
    expectError(await admin(h, 'POST', '/_atelier/reset', { project: other.projectId }), 404, 'ModelArts.50005101');

    await adminOk(h, 'PUT', '/_atelier/lifecycle', { all: { mode: 'manual' } });
    await adminOk(h, 'POST', '/_atelier/clock/advance', { seconds: 600 });
    const all = await adminOk(h, 'POST', '/_atelier/reset', { keepIdentities: false });
    expect(all).toMatchObject({ scope: 'all', removed: { pools: 2, networks: 1, faults: 1 } });
    // Timings and clock are back to the configuration; the configured bootstrap key works again.
    expect((await adminOk(h, 'GET', '/_atelier/lifecycle')).timings.poolCreate).toEqual({ mode: 'auto', seconds: 0 });
    expect((await adminOk(h, 'GET', '/_atelier/clock')).offsetSeconds).toBe(0);
    h.context.identity.forget();
    expect(await statistics(h.client)).toEqual({ creating: 0, created: 0, pending: 0, deleting: 0, failed: 0 });
    expect(await poolQuotaUsed(h.client)).toBe(0);
  });

  it('of everything, keeping identities, empties every project and keeps every credential', async () => {
    const res = await adminOk(h, 'POST', '/_atelier/reset');
    expect(res).toMatchObject({ scope: 'all', removed: { pools: 5, networks: 2, faults: 2, projects: 0 } });
    for (const client of [h.client, other]) {
      expect(await statistics(client)).toEqual({ creating: 0, created: 0, pending: 0, deleting: 0, failed: 0 });
      expect(await poolQuotaUsed(client)).toBe(0);
      expect(await networkCount(client)).toBe(0);
    }
    expect((await adminOk(h, 'GET', '/_atelier/faults')).faults).toEqual([]);
  });
});
