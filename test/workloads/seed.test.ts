// Workloads in the seed file (docs/emulator.md, "Workloads"): submitted to the pool the seed
// creates, placed once its nodes are up, ended on the clock like any other; the file is checked
// like the rest of it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeed, readSeedFile } from '../../src/seed/seed.loader.js';
import { useHarness } from '../helpers/harness.js';
import { listNames, show } from '../pools/helpers.js';
import { CPU_8, statuses } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-seed-workloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const world = (projectId: string, workloads: unknown[]) => ({
  projects: [
    {
      id: projectId,
      networks: [{ name: 'net-seed', cidr: '192.168.0.0/16' }],
      pools: [
        {
          name: 'pool-seed',
          network: 'net-seed',
          spec: { type: 'Dedicate', scope: ['Train'], resources: [{ flavor: CPU_8, count: 1 }] },
          workloads,
        },
      ],
    },
  ],
});

describe('seeded workloads', () => {
  const h = useHarness({ ATELIER_NODE_CREATE_SECONDS: '0' });

  it('are submitted to the pool the seed creates and run once its nodes are up', async () => {
    const file = join(dir, 'world.json');
    writeFileSync(
      file,
      JSON.stringify(
        world(h.projectId, [
          { type: 'train', name: 'seeded-job', resources: { cpu: '4' }, durationSeconds: 60 },
          { type: 'infer', name: 'seeded-svc', resources: { cpu: '2', memory: '2Gi' } },
          { type: 'notebook', name: 'seeded-nb', resources: { cpu: '4' }, durationSeconds: 60 },
        ]),
      ),
    );
    await loadSeed(h.context, readSeedFile(file));
    await h.settle();
    const [pool] = await listNames(h.client);
    expect((await show(h.client, pool)).status.phase).toBe('Running');
    expect(await statuses(h, pool)).toEqual({
      'seeded-job': 'Running',
      'seeded-svc': 'Running',
      'seeded-nb': 'Pending',
    });
    await h.advance(120_000);
    expect(await statuses(h, pool)).toEqual({
      'seeded-job': 'Completed',
      'seeded-svc': 'Running',
      'seeded-nb': 'Completed',
    });
    // Loading again creates nothing: the pool is there, and so are its workloads.
    await loadSeed(h.context, readSeedFile(file));
    expect(Object.keys(await statuses(h, pool))).toHaveLength(3);
  });

  it('refuses a workload the control would refuse', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(world(h.projectId, [{ type: 'batch', name: 'x', resources: { cpu: '1' } }])));
    expect(() => readSeedFile(file)).toThrow(/type/);
  });
});
