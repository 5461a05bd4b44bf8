import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import {
  CPU_8,
  createBody,
  createPool,
  eventsOf,
  flavorEntry,
  listNames,
  mergePatch,
  phaseOf,
  pool,
  POOLS,
  poolQuotaUsed,
  show,
  statistics,
  writeFlavorsFile,
  nodeGroup,
} from './helpers.js';

const CREATE_MS = 10_000;
const DELETE_MS = 5_000;
const SCALE_MS = 5_000;

/** Four nodes of SMALL in the whole installation; LARGE is unlimited. */
const SMALL = 'atelier.test.cpu.small';
const LARGE = 'atelier.test.cpu.large';
const ARM = 'atelier.test.arm.small';

describe('capacity (decision 10)', () => {
  let h: Harness;
  let net: string;
  let flavorsFile: string;

  beforeAll(async () => {
    flavorsFile = writeFlavorsFile([flavorEntry(SMALL, 4), flavorEntry(LARGE), flavorEntry(ARM, 2, 'arm64')]);
    h = await startHarness({
      ATELIER_FLAVORS_FILE: flavorsFile,
      ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
      ATELIER_POOL_DELETE_SECONDS: String(DELETE_MS / 1000),
      ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
      ATELIER_POOL_QUOTA: '100',
      ATELIER_NETWORK_CREATE_SECONDS: '0',
    });
    net = await activeNetwork(h.client, h.settle);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dirname(flavorsFile), { recursive: true, force: true });
  });

  const small = (count: number, options: Parameters<typeof createBody>[1] = {}) =>
    createPool(h.client, createBody(net, { ...options, resources: [{ flavor: SMALL, count }] }));

  /** Deletes every pool of the project and waits until they are gone, so each test starts with free capacity. */
  const clearAll = async () => {
    const names = [...(await listNames(h.client)), ...(await listNames(h.client, '?status=failed'))];
    for (const name of names) expect((await h.client.delete(pool(name))).status).toBe(200);
    await h.advance(DELETE_MS);
    expect(await listNames(h.client)).toEqual([]);
  };

  it('lists the flavors of the file instead of the built-in ones', async () => {
    const res = await h.client.get('/v1/{project_id}/resourceflavors');
    expect(res.status, res.text).toBe(200);
    expect(res.body.kind).toBe('ResourceFlavorList');
    expect(res.body.items.map((f: any) => f.metadata.name)).toEqual([SMALL, LARGE, ARM]);
    expect(res.body.items[0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'ResourceFlavor',
      metadata: { name: SMALL },
      spec: { cpuArch: 'x86' },
    });
    // The capacity is the installation's business, not part of the flavor.
    expect(JSON.stringify(res.body)).not.toContain('capacity');
  });

  it("refuses built-in flavors the file does not offer, and mixes of the file's architectures", async () => {
    const before = await poolQuotaUsed(h.client);
    const builtin = await h.client.post(POOLS, createBody(net, { resources: [{ flavor: CPU_8, count: 1 }] }));
    expectError(builtin, 400, 'ModelArts.50004000');
    expect(builtin.body.error_msg).toContain(CPU_8);
    const mixed = await h.client.post(
      POOLS,
      createBody(net, {
        resources: [
          { flavor: SMALL, count: 1 },
          { flavor: ARM, count: 1 },
        ],
      }),
    );
    expectError(mixed, 400, 'ModelArts.50004000');
    expect(await poolQuotaUsed(h.client)).toBe(before);
  });

  it('refuses a pool larger than the whole capacity of its flavor, which could never start', async () => {
    const before = await poolQuotaUsed(h.client);
    const res = await h.client.post(POOLS, createBody(net, { resources: [{ flavor: SMALL, count: 5 }] }));
    expectError(res, 400, 'ModelArts.50004000');
    expect(res.body.error_msg).toMatch(/capacity of 4/);
    expect(await poolQuotaUsed(h.client)).toBe(before);
    expect(await listNames(h.client, '?status=pending')).toEqual([]);
    // A pool that fits is not held up by the refused one.
    expect((await small(4)).status.phase).toBe('Creating');
    await clearAll();
  });

  it('queues pools that do not fit, first come first served, and starts them as capacity frees', async () => {
    const a = await small(3);
    expect(a.status.phase).toBe('Creating');

    const b = await small(2);
    expect(b.status.phase).toBe('Waiting');
    expect(b.status.message).toMatch(new RegExp(SMALL.replace(/\./g, '\\.')));
    expect(b.status.resources).toEqual({});
    expect(b.status.scope).toEqual([
      { scopeType: 'Train', state: 'Enabling', plugins: [{ name: 'volcano', phase: 'Pending' }] },
    ]);

    // One node is free, but C must not overtake B.
    const c = await small(1);
    expect(c.status.phase).toBe('Waiting');

    // A pool of another flavor is not held up by the queue for SMALL.
    const d = await createPool(h.client, createBody(net, { resources: [{ flavor: LARGE, count: 5 }] }));
    expect(d.status.phase).toBe('Creating');

    const names = { a: a.metadata.name, b: b.metadata.name, c: c.metadata.name, d: d.metadata.name };
    expect(await statistics(h.client)).toEqual({ created: 0, creating: 2, deleting: 0, failed: 0, pending: 2 });
    expect(await listNames(h.client, '?status=pending')).toEqual([names.c, names.b]);
    expect(await listNames(h.client)).toEqual([names.d, names.c, names.b, names.a]);
    expect(await poolQuotaUsed(h.client)).toBe(4);

    // Waiting pools stay waiting however long A takes.
    await h.advance(CREATE_MS);
    expect(await phaseOf(h.client, names.a)).toBe('Running');
    expect(await phaseOf(h.client, names.b)).toBe('Waiting');
    expect(await phaseOf(h.client, names.c)).toBe('Waiting');

    // A still holds its nodes while Deleting.
    expect((await h.client.delete(pool(names.a))).status).toBe(200);
    await h.advance(DELETE_MS - 1);
    expect(await phaseOf(h.client, names.b)).toBe('Waiting');
    expect(await phaseOf(h.client, names.c)).toBe('Waiting');
    await h.advance(1);
    expect(await phaseOf(h.client, names.a)).toBe(404);

    const bNow = await show(h.client, names.b);
    expect(bNow.status.phase).toBe('Creating');
    expect(bNow.status).not.toHaveProperty('message');
    expect(bNow.status.resources).toEqual({ creating: [nodeGroup(SMALL, 2)] });
    expect(await phaseOf(h.client, names.c)).toBe('Creating');
    // B was admitted before C.
    const started = async (name: string) =>
      (await eventsOf(h, name)).find((e) => e.message.includes('from Waiting to Creating'))!.id;
    expect(await started(names.b)).toBeLessThan(await started(names.c));
    expect(await statistics(h.client)).toEqual({ created: 1, creating: 2, deleting: 0, failed: 0, pending: 0 });
    expect(await listNames(h.client, '?status=pending')).toEqual([]);

    // Both run after the create time, counted from their admission.
    await h.advance(CREATE_MS - 1);
    expect(await phaseOf(h.client, names.b)).toBe('Creating');
    await h.advance(1);
    expect(await phaseOf(h.client, names.b)).toBe('Running');
    expect(await phaseOf(h.client, names.c)).toBe('Running');

    // B (2) + C (1) hold 3 of 4: B's growth by two waits, nodes and all, until it fits.
    const tooMuch = await mergePatch(h.client, names.b, { spec: { resources: [{ flavor: SMALL, count: 4 }] } });
    expect(tooMuch.status, tooMuch.text).toBe(200);
    expect(tooMuch.body.status.phase).toBe('Running');
    expect(tooMuch.body.status.message).toMatch(/Waiting for capacity: 2 nodes/);
    expect(tooMuch.body.status.resources).toEqual({ available: [nodeGroup(SMALL, 2)] });
    expect((await show(h.client, names.b)).spec.resources).toEqual([{ flavor: SMALL, count: 4, maxCount: 4 }]);
    // Asking for less makes the rest fit: it is created at once.
    const fits = await mergePatch(h.client, names.b, { spec: { resources: [{ flavor: SMALL, count: 3 }] } });
    expect(fits.status, fits.text).toBe(200);
    expect(fits.body.status).not.toHaveProperty('message');
    expect(fits.body.status.resources).toMatchObject({ creating: [nodeGroup(SMALL, 1)] });
    // The scale-out holds the node at once: a new pool cannot have it.
    expect((await small(1)).status.phase).toBe('Waiting');
    await clearAll();
  });

  it('queues a pool whose nodes are taken by a scale-out in progress, and admits it after a scale-in settles', async () => {
    const a = (await small(2)).metadata.name;
    await h.advance(CREATE_MS);
    expect((await mergePatch(h.client, a, { spec: { resources: [{ flavor: SMALL, count: 4 }] } })).status).toBe(200);
    const b = (await small(2)).metadata.name;
    expect(await phaseOf(h.client, b)).toBe('Waiting');
    await h.advance(SCALE_MS);
    expect(await phaseOf(h.client, b)).toBe('Waiting');

    // Scaling in releases the nodes only once they are removed.
    expect((await mergePatch(h.client, a, { spec: { resources: [{ flavor: SMALL, count: 2 }] } })).status).toBe(200);
    await h.advance(SCALE_MS - 1);
    expect(await phaseOf(h.client, b)).toBe('Waiting');
    await h.advance(1);
    expect(await phaseOf(h.client, b)).toBe('Creating');
    await clearAll();
  });

  it('never gives the same nodes to creates of different projects racing each other', async () => {
    const others = await Promise.all([h.newProject(), h.newProject(), h.newProject()]);
    const nets: string[] = [];
    for (const client of others) nets.push(await activeNetwork(client, h.settle));
    const created = await Promise.all(
      others.map((client, i) => createPool(client, createBody(nets[i], { resources: [{ flavor: SMALL, count: 3 }] }))),
    );
    // Four nodes in all: exactly one of the three 3-node pools can have them.
    expect(created.map((p) => p.status.phase).sort()).toEqual(['Creating', 'Waiting', 'Waiting']);
    for (const [i, client] of others.entries()) {
      expect((await client.delete(pool(created[i].metadata.name))).status).toBe(200);
    }
    await h.advance(DELETE_MS);
    await h.advance(DELETE_MS);
  });

  it('makes a scale-out wait its turn behind pools already waiting for the flavor', async () => {
    const a = (await small(2)).metadata.name;
    await h.advance(CREATE_MS);
    const b = (await small(3)).metadata.name;
    expect(await phaseOf(h.client, b)).toBe('Waiting');
    // Two nodes are free, but B asked first: A's scale-out queues behind B.
    const res = await mergePatch(h.client, a, { spec: { resources: [{ flavor: SMALL, count: 3 }] } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status.message).toMatch(/Waiting for capacity: 1 nodes/);
    // Giving nodes back is never held up by the queue, and cancels what waited.
    expect((await mergePatch(h.client, a, { spec: { resources: [{ flavor: SMALL, count: 1 }] } })).status).toBe(200);
    await h.advance(SCALE_MS);
    expect(await phaseOf(h.client, b)).toBe('Creating');
    expect((await show(h.client, a)).status.resources).toEqual({ available: [nodeGroup(SMALL, 1)] });
    await clearAll();
  });

  it('lets a waiting pool be deleted, which admits the pools behind it at once', async () => {
    const a = (await small(3)).metadata.name;
    const b = (await small(2)).metadata.name;
    const c = (await small(1)).metadata.name;
    expect(await phaseOf(h.client, b)).toBe('Waiting');
    expect(await phaseOf(h.client, c)).toBe('Waiting');

    const res = await h.client.delete(pool(b));
    expect(res.status, res.text).toBe(200);
    expect(res.body.status.phase).toBe('Deleting');
    expect(res.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    expect(res.body.status.resources).toEqual({});
    expect(await phaseOf(h.client, c)).toBe('Creating');
    expect(await statistics(h.client)).toMatchObject({ pending: 0, deleting: 1, creating: 2 });
    await h.advance(DELETE_MS);
    expect(await phaseOf(h.client, b)).toBe(404);
    expect(await phaseOf(h.client, a)).toBe('Creating');
    await clearAll();
  });

  it('accepts a description change of a waiting pool but no resource change', async () => {
    await small(4);
    const w = (await small(1)).metadata.name;
    const described = await mergePatch(h.client, w, {
      metadata: { annotations: { 'os.modelarts/description': 'queued' } },
    });
    expect(described.status, described.text).toBe(200);
    expect(described.body.status.phase).toBe('Waiting');
    const scaled = await mergePatch(h.client, w, { spec: { resources: [{ flavor: SMALL, count: 2 }] } });
    expectError(scaled, 400, 'ModelArts.50004000');
    expect((await show(h.client, w)).spec.resources).toEqual([{ flavor: SMALL, count: 1, maxCount: 1 }]);
    await clearAll();
  });

  it('releases the nodes of a pool whose creation failed', async () => {
    const failed = (await small(3, { labels: { 'atelier.io/simulate': 'CreationFailed' } })).metadata.name;
    const b = (await small(2)).metadata.name;
    expect(await phaseOf(h.client, b)).toBe('Waiting');
    await h.advance(CREATE_MS);
    expect(await phaseOf(h.client, failed)).toBe('CreationFailed');
    expect(await phaseOf(h.client, b)).toBe('Creating');
    await clearAll();
  });
});
