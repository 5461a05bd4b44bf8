import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { activeNetwork, displayName } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import {
  CPU_8,
  createBody,
  createPool,
  eventsOf,
  flavorEntry,
  mergePatch,
  phaseChanges,
  phaseOf,
  pool,
  writeFlavorsFile,
} from './helpers.js';

const CREATE_MS = 10_000;
const DELETE_MS = 5_000;
const SCALE_MS = 5_000;
const SMALL = 'atelier.test.cpu.small';

const change = (from: string, to: string, details = '') =>
  `Pool status changed, from ${from} to ${to}${details ? `, details: ${details}` : ''}.`;

describe('pool events', () => {
  let h: Harness;
  let net: string;
  let flavorsFile: string;
  beforeAll(async () => {
    flavorsFile = writeFlavorsFile([flavorEntry(CPU_8), flavorEntry(SMALL, 2)]);
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

  it('records one event per step of a pool created, run, scaled and deleted', async () => {
    const createdAt = h.clock.now();
    const created = await createPool(h.client, createBody(net, { resources: [{ flavor: CPU_8, count: 2 }] }));
    const name = created.metadata.name;
    expect((await eventsOf(h, name)).map((e) => e.reason)).toEqual(['PoolCreated', 'PoolResourcesStatusChange']);

    await h.advance(CREATE_MS);
    await h.settle();
    expect(await phaseChanges(h, name)).toEqual([change('Creating', 'Running')]);
    const running = (await eventsOf(h, name)).find((e) => e.reason === 'PoolStatusChange')!;
    expect(running.type).toBe('Normal');
    expect(running.at.getTime()).toBe(createdAt.getTime() + CREATE_MS);

    expect((await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 3 }] } })).status).toBe(200);
    await h.advance(SCALE_MS);
    // Metadata changes are no phase change.
    expect(
      (await mergePatch(h.client, name, { metadata: { annotations: { 'os.modelarts/description': 'x' } } })).status,
    ).toBe(200);

    expect((await h.client.delete(pool(name))).status).toBe(200);
    expect((await h.client.delete(pool(name))).status).toBe(200);
    await h.advance(DELETE_MS);
    await h.advance(60_000);
    expect(await phaseOf(h.client, name)).toBe(404);

    const events = await eventsOf(h, name);
    expect(events.map((e) => e.reason)).toEqual([
      'PoolCreated',
      'PoolResourcesStatusChange',
      'PoolResourcesStatusChange',
      'PoolStatusChange',
      'PoolScaling',
      'PoolResourcesStatusChange',
      'PoolResourcesStatusChange',
      'PoolStatusChange',
      'PoolResourcesStatusChange',
      'PoolDeleted',
    ]);
    // Every change of the roll-up, as available/abnormal/creating/deleting (config-events §4).
    const rollUps = events
      .filter((e) => e.reason === 'PoolResourcesStatusChange')
      .map((e) => /count from (\S+) to (\S+),/.exec(e.message)?.slice(1).join(' → '));
    expect(rollUps).toEqual([
      '0/0/0/0 → 0/0/2/0',
      '0/0/2/0 → 2/0/0/0',
      '2/0/0/0 → 2/0/1/0',
      '2/0/1/0 → 3/0/0/0',
      '3/0/0/0 → 0/0/0/3',
    ]);
    expect(await phaseChanges(h, name)).toEqual([change('Creating', 'Running'), change('Running', 'Deleting')]);
    for (const event of events) expect(event.projectId).toBe(h.projectId);
  });

  it("records a failed creation as a Warning, and the record's removal once", async () => {
    const failed = await createPool(h.client, createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }));
    const name = failed.metadata.name;
    await h.advance(CREATE_MS);
    await h.settle();
    const changes = (await eventsOf(h, name)).filter((e) => e.reason === 'PoolStatusChange');
    expect(changes).toHaveLength(1);
    expect(changes[0].type).toBe('Warning');
    expect(changes[0].message).toMatch(/^Pool status changed, from Creating to CreationFailed, details: .+\.$/);

    // Re-creating the display name replaces the record: one removal event, no phase change.
    const display = failed.metadata.labels['os.modelarts/name'];
    await createPool(h.client, createBody(net, { name: display }));
    await h.advance(72 * 3_600_000);
    const reasons = (await eventsOf(h, name)).map((e) => e.reason);
    // Its nodes were created with it and given back when it failed.
    expect(reasons).toEqual([
      'PoolCreated',
      'PoolResourcesStatusChange',
      'PoolStatusChange',
      'PoolResourcesStatusChange',
      'PoolDeleted',
    ]);
  });

  it("records a waiting pool's admission as its only extra phase change", async () => {
    const small = (count: number) => createPool(h.client, createBody(net, { resources: [{ flavor: SMALL, count }] }));
    const first = (await small(2)).metadata.name;
    const waiting = await small(1);
    expect(waiting.status.phase).toBe('Waiting');
    const name = waiting.metadata.name;
    await h.settle();
    expect((await eventsOf(h, name)).map((e) => e.reason)).toEqual(['PoolCreated']);

    expect((await h.client.delete(pool(first))).status).toBe(200);
    await h.advance(DELETE_MS);
    await h.advance(CREATE_MS);
    expect(await phaseChanges(h, name)).toEqual([change('Waiting', 'Creating'), change('Creating', 'Running')]);
  });

  it('drives each pool through each transition exactly once when several engines run together', async () => {
    const names: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      names.push((await createPool(h.client, createBody(net, { name: displayName('multi') }))).metadata.name);
    }
    const engines = [
      h.engine,
      ...[1, 2].map(() => new LifecycleEngine(h.context, { error: () => {}, debug: () => {} } as never)),
    ];
    const runAll = async () => {
      for (let i = 0; i < 100; i += 1) {
        const found = await Promise.all(engines.map((e) => e.runOnce()));
        if (found.every((n) => n === 0)) return;
      }
      throw new Error('the engines kept finding due work');
    };
    h.clock.advance(CREATE_MS);
    await runAll();
    for (const name of names) expect(await phaseOf(h.client, name)).toBe('Running');
    for (const name of names) expect((await h.client.delete(pool(name))).status).toBe(200);
    h.clock.advance(DELETE_MS);
    await runAll();
    for (const name of names) {
      expect(await phaseOf(h.client, name)).toBe(404);
      expect(await phaseChanges(h, name)).toEqual([change('Creating', 'Running'), change('Running', 'Deleting')]);
      expect((await eventsOf(h, name)).filter((e) => e.reason === 'PoolDeleted')).toHaveLength(1);
    }
  });
});
