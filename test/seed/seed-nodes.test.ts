// Seeding nodes (docs/emulator.md, "Seeding nodes"): a pool of ATELIER_SEED_FILE may
// describe its nodes one by one; counters, status.resources, quotas and statistics
// are those of the nodes; `atelier export` writes the nodes back, and the exported
// file builds the same world again. Bad node input is refused before anything is written.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSeed, formatSeed } from '../../src/seed/seed.export.js';
import { loadSeed } from '../../src/seed/seed.loader.js';
import type { SeedFile } from '../../src/seed/seed.schema.js';
import { ApiClient } from '../helpers/client.js';
import { startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import { runCli } from '../identity/helpers.js';
import { expectCountsExact } from '../engine/node-checks.js';
import { CPU_8, CPU_16, GPU_T4, poolQuotaUsed, statistics } from '../pools/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-seed-nodes-'));
const projectId = uniqueId('seednodes');
const credential = {
  accessKey: `SEED${randomBytes(8).toString('hex').toUpperCase()}`,
  secretKey: randomBytes(20).toString('hex'),
};

const SEED = `
projects:
  - id: ${projectId}
    name: cn-seed-nodes
    networks:
      - name: net-a
        cidr: 192.168.0.0/24
    pools:
      - name: pool-described
        network: net-a
        spec:
          type: Dedicate
          scope: [Train]
          resources:
            - { flavor: ${CPU_8}, count: 3, nodePool: np-cpu }
            - { flavor: ${GPU_T4}, count: 2, nodePool: np-gpu }
        nodes:
          - name: node-a
            nodePool: np-cpu
            privateIp: 192.168.0.50
            az: az-2
            locked: true
            labels: { rack: r1 }
            annotations: { note: first }
            taints: [{ key: dedicated, value: ml, effect: NoSchedule }]
          - name: node-b
            flavor: ${CPU_8}
            phase: Abnormal
          - name: gpu-a
            nodePool: np-gpu
            privateIp: 192.168.0.2
            driverPhase: Abnormal
      - name: pool-sick
        network: net-a
        phase: Abnormal
        message: "Rack r2 lost power."
        spec: { type: Dedicate, scope: [Train], resources: [{ flavor: ${CPU_16}, count: 2 }] }
        nodes:
          - { name: sick-1 }
          - { name: well-1, phase: Available }
credentials:
  - accessKey: ${credential.accessKey}
    secretKey: ${credential.secretKey}
    projects: [cn-seed-nodes]
`;

const seededProject = (seed: SeedFile) => seed.projects!.find((p) => p.id === projectId)!;

async function poolNamed(client: ApiClient, display: string) {
  const items = (await client.get('/v2/{project_id}/pools')).body.items as any[];
  return items.find((p) => p.metadata.labels['os.modelarts/name'] === display);
}

async function nodesOf(client: ApiClient, poolName: string): Promise<any[]> {
  const res = await client.get(`/v2/{project_id}/pools/${poolName}/nodes`);
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}

const groups = (entries: any[] | undefined) =>
  Object.fromEntries((entries ?? []).map((g) => [g.nodePool ?? g.flavor, g.count]));

describe('seeded nodes', () => {
  let h: Harness;
  let client: ApiClient;
  const file = join(dir, 'world.yaml');
  beforeAll(async () => {
    writeFileSync(file, SEED);
    h = await startHarness({ ATELIER_SEED_FILE: file });
    client = ApiClient.inject(h.app, projectId, credential);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are the nodes the file describes, the rest generated; counts, roll-up, quota and statistics follow them', async () => {
    const described = await poolNamed(client, 'pool-described');
    expect(described.status.phase).toBe('Running');
    const nodes = await nodesOf(client, described.metadata.name);
    expect(nodes).toHaveLength(5);
    const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
    const a = byName.get('node-a');
    expect(a.status.phase).toBe('Available');
    expect(a.status.privateIp).toBe('192.168.0.50');
    expect(a.metadata.labels).toMatchObject({ rack: 'r1', 'os.modelarts.node/nodepoolname': 'np-cpu' });
    expect(a.metadata.annotations).toMatchObject({ note: 'first', 'os.modelarts.node/lock.action': 'delete' });
    expect(a.status.taints).toEqual([{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }]);
    expect(a.status.az).toBe('az-2');
    expect(byName.get('node-b').status.phase).toBe('Abnormal');
    expect(byName.get('gpu-a').status).toMatchObject({ phase: 'Available', driver: { phase: 'Abnormal' } });
    expect(byName.get('gpu-a').status.privateIp).toBe('192.168.0.2');
    const ips = nodes.map((n) => n.status.privateIp);
    expect(new Set(ips).size).toBe(5);
    expect(groups(described.status.resources.available)).toEqual({ 'np-cpu': 2, 'np-gpu': 2 });
    expect(groups(described.status.resources.abnormal)).toEqual({ 'np-cpu': 1 });
    const poolId = Number(
      (
        await h.context.database.db
          .selectFrom('pools')
          .select('id')
          .where('name', '=', described.metadata.name)
          .executeTakeFirstOrThrow()
      ).id,
    );
    await expectCountsExact(h.context.database.db, poolId);

    const sick = await poolNamed(client, 'pool-sick');
    expect(sick.status).toMatchObject({ phase: 'Abnormal', message: 'Rack r2 lost power.' });
    const sickNodes = await nodesOf(client, sick.metadata.name);
    expect(sickNodes.map((n) => [n.metadata.name, n.status.phase]).sort()).toEqual([
      ['sick-1', 'Abnormal'],
      ['well-1', 'Available'],
    ]);
    expect(groups(sick.status.resources.abnormal)).toEqual({ [`${CPU_16.replace(/\./g, '-')}-default`]: 1 });

    expect(await poolQuotaUsed(client)).toBe(2);
    expect(await statistics(client)).toEqual({ creating: 0, created: 2, pending: 0, deleting: 0, failed: 0 });
  });

  it('loading the file again creates nothing and moves no node', async () => {
    const before = await exportSeed(h.context.database.db);
    expect(await loadSeed(h.context, YAML.parse(SEED) as SeedFile)).toEqual({
      projects: 0,
      credentials: 0,
      networks: 0,
      pools: 0,
    });
    expect(await exportSeed(h.context.database.db)).toEqual(before);
  });

  it('round-trips through `atelier export`: seeding the export elsewhere and exporting again gives the same file', async () => {
    const exportFile = join(dir, 'export.yaml');
    const cli = await runCli(['export', '--file', exportFile, '--include-secrets'], {
      ATELIER_DATABASE_URL: h.config.databaseUrl,
      ...(h.config.secretKey ? { ATELIER_SECRET_KEY: h.config.secretKey } : {}),
    });
    expect(cli.code, cli.stderr).toBe(0);
    const written = YAML.parse(readFileSync(exportFile, 'utf8')) as SeedFile;
    const pools = seededProject(written).pools!;
    expect(pools.map((p) => p.nodes!.length)).toEqual([5, 2]);
    const nodeA = pools[0].nodes!.find((n) => n.name === 'node-a')!;
    expect(nodeA).toMatchObject({ nodePool: 'np-cpu', flavor: CPU_8, phase: 'Available', locked: true });
    expect(nodeA.annotations).toMatchObject({ note: 'first' });
    expect(pools[0].nodes!.find((n) => n.name === 'gpu-a')).toMatchObject({ driverPhase: 'Abnormal' });

    const second = join(dir, 'second.json');
    const credentials = written.credentials!.filter((c) => c.accessKey === credential.accessKey);
    writeFileSync(second, formatSeed({ projects: [seededProject(written)], credentials }, second));
    const b = await startHarness({ ATELIER_SEED_FILE: second });
    try {
      expect(seededProject(await exportSeed(b.context.database.db))).toEqual(seededProject(written));
      const other = ApiClient.inject(b.app, projectId, credential);
      expect(await statistics(other)).toEqual(await statistics(client));
      const there = await poolNamed(other, 'pool-described');
      const here = await poolNamed(client, 'pool-described');
      expect(there.status.resources).toEqual(here.status.resources);
    } finally {
      await b.close();
    }
  });

  it('refuses bad nodes with the place of each problem, writing nothing', async () => {
    const otherProject = uniqueId('badnodes');
    const cpuPool = (name: string, nodes: unknown[], extra: object = {}) => ({
      name,
      network: 'net-b',
      spec: { type: 'Dedicate', scope: ['Train'], resources: [{ flavor: CPU_8, count: 2 }] },
      nodes,
      ...extra,
    });
    const bad = {
      projects: [
        {
          id: otherProject,
          name: 'cn-bad-nodes',
          networks: [{ name: 'net-b', cidr: '10.10.0.0/24', phase: 'Active' }],
          pools: [
            cpuPool('p0', [{ name: 'n1', nodePool: 'nope' }]),
            cpuPool('p1', [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }]),
            cpuPool('p2', [{ name: 'n1', privateIp: '10.10.1.5' }, { name: 'n1' }]),
            cpuPool('p3', [{ name: 'n1', privateIp: '10.10.0.9', driverPhase: 'Running' }]),
            cpuPool('p4', [{ name: 'n1', privateIp: '10.10.0.9' }]),
            cpuPool('p5', [{ name: 'n1' }], { phase: 'Creating' }),
            cpuPool('p6', [{ name: 'n1', flavor: CPU_16 }]),
            cpuPool('p7', [{ name: 'n1', az: 'az-9' }]),
          ],
        },
      ],
    } as SeedFile;
    const error = await loadSeed(h.context, bad).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error!.message;
    for (const expected of [
      'projects/0/pools/0/nodes/0/nodePool: no node pool nope',
      'projects/0/pools/1/nodes: 3 nodes of node pool',
      'projects/0/pools/2/nodes/0/privateIp: 10.10.1.5 is not a node address of 10.10.0.0/24',
      'projects/0/pools/2/nodes/1/name: n1 is described already (nodes/0)',
      'projects/0/pools/3/nodes/0/driverPhase: flavor',
      'projects/0/pools/4/nodes/0/privateIp: 10.10.0.9 is given at projects/0/pools/3/nodes/0/privateIp too',
      'projects/0/pools/5/nodes: a Creating pool has no nodes to describe',
      'projects/0/pools/6/nodes/0/flavor: no node pool of flavor',
      'projects/0/pools/7/nodes/0/az: flavor',
    ]) {
      expect(message).toContain(expected);
    }
    const projects = await h.context.database.db
      .selectFrom('projects')
      .select('id')
      .where('id', '=', otherProject)
      .execute();
    expect(projects).toEqual([]);

    // At start: the server refuses to come up, naming the file and the place.
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, YAML.stringify(bad));
    await expect(startHarness({ ATELIER_SEED_FILE: badFile })).rejects.toThrow(
      /projects\/0\/pools\/0\/nodes\/0\/nodePool/,
    );
  });
});
