// Seed data (docs/emulator.md): ATELIER_SEED_FILE creates a known world at start,
// already in the phases it names; `atelier export` writes the state back in the
// same format, and that file builds the same world again.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSeed, formatSeed } from '../../src/seed/seed.export.js';
import { loadSeedFile, readSeedFile } from '../../src/seed/seed.loader.js';
import type { SeedFile } from '../../src/seed/seed.schema.js';
import { ApiClient } from '../helpers/client.js';
import { startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import { runCli } from '../identity/helpers.js';
import { CPU_8, CPU_16, listNames, poolQuotaUsed, show, statistics, nodeGroup } from '../pools/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-seed-'));
const projectId = uniqueId('seeded');
const credential = {
  accessKey: `SEED${randomBytes(8).toString('hex').toUpperCase()}`,
  secretKey: randomBytes(20).toString('hex'),
};

const SEED = `
projects:
  - id: ${projectId}
    name: cn-seed-1
    quotas: { pool: 20 }
    networks:
      - name: net-ready
        cidr: 192.168.0.0/16
        labels: { team: ml }
        annotations: { "os.modelarts/description": "seeded network" }
      - name: net-coming
        cidr: 172.16.0.0/16
        phase: Creating
    pools:
      - name: pool-run
        network: net-ready
        labels: { team: ml }
        spec:
          type: Dedicate
          scope: [Train, Infer]
          resources: [{ flavor: ${CPU_8}, count: 2 }]
      - name: pool-sick
        network: net-ready
        phase: Abnormal
        message: "Node 3 lost its heartbeat."
        spec: { type: Dedicate, scope: [Train], resources: [{ flavor: ${CPU_16}, count: 1 }] }
      - name: pool-broken
        network: net-ready
        phase: Error
        spec: { type: Dedicate, scope: [Train], resources: [{ flavor: ${CPU_8}, count: 1 }] }
      - name: pool-failed
        network: net-ready
        phase: CreationFailed
        message: "Creation failed: no capacity in az-1."
        spec: { type: Dedicate, scope: [Train], resources: [{ flavor: ${CPU_8}, count: 4 }] }
      - name: pool-new
        network: net-ready
        phase: Creating
        spec: { type: Dedicate, scope: [Infer], resources: [{ flavor: ${CPU_8}, count: 1 }] }
credentials:
  - accessKey: ${credential.accessKey}
    secretKey: ${credential.secretKey}
    description: ci key
    projects: [cn-seed-1]
`;

/** The seeded project's entry of an export, for comparing two worlds. */
const seededProject = (seed: SeedFile) => seed.projects!.find((p) => p.id === projectId);

describe('ATELIER_SEED_FILE', () => {
  let h: Harness;
  let client: ApiClient;
  const file = join(dir, 'world.yaml');
  beforeAll(async () => {
    writeFileSync(file, SEED);
    h = await startHarness({ ATELIER_SEED_FILE: file, ATELIER_POOL_CREATE_SECONDS: '30' });
    client = ApiClient.inject(h.app, projectId, credential);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the projects, credentials, networks and pools in the phases it names', async () => {
    const networks = (await client.get('/v1/{project_id}/networks')).body.items;
    expect(networks.map((n: any) => [n.metadata.labels['os.modelarts/name'], n.status.phase])).toEqual([
      ['net-ready', 'Active'],
      ['net-coming', 'Creating'],
    ]);
    expect(networks[0].metadata.annotations).toEqual({ 'os.modelarts/description': 'seeded network' });

    const phases = new Map<string, string>();
    for (const name of [...(await listNames(client)), ...(await listNames(client, '?status=failed'))]) {
      const pool = await show(client, name);
      phases.set(pool.metadata.labels['os.modelarts/name'], pool.status.phase);
      if (pool.status.phase === 'Abnormal') expect(pool.status.message).toBe('Node 3 lost its heartbeat.');
      if (pool.status.phase === 'CreationFailed')
        expect(pool.status.message).toBe('Creation failed: no capacity in az-1.');
      if (pool.status.phase === 'Running') {
        expect(pool.metadata.labels.team).toBe('ml');
        expect(pool.status.resources.available).toEqual([nodeGroup(CPU_8, 2)]);
        // Without the plug-ins each scope lists (their install runs on the engine, after the seed).
        const scope = pool.status.scope.map(({ plugins: _plugins, ...state }: { plugins?: unknown }) => state);
        expect(scope).toEqual([
          { scopeType: 'Train', state: 'Enabled' },
          { scopeType: 'Infer', state: 'Enabled' },
        ]);
      }
    }
    expect(Object.fromEntries(phases)).toEqual({
      'pool-run': 'Running',
      'pool-sick': 'Abnormal',
      'pool-broken': 'Error',
      'pool-failed': 'CreationFailed',
      'pool-new': 'Creating',
    });
    expect(await statistics(client)).toEqual({ creating: 1, created: 3, pending: 0, deleting: 0, failed: 1 });
    expect(await poolQuotaUsed(client)).toBe(4);
    const quotas = (await client.get('/v1/{project_id}/quotas')).body.quotas.resources;
    expect(quotas.find((r: any) => r.type === 'pool').quota).toBe(20);

    // A seeded Creating pool is an ordinary lifecycle: the engine finishes it.
    await h.advance(30_000);
    expect(await statistics(client)).toMatchObject({ creating: 0, created: 4 });
  });

  it('is idempotent by display name: loading it again creates nothing', async () => {
    const before = await exportSeed(h.context.database.db);
    const summary = await loadSeedFile(h.context, file);
    expect(summary).toEqual({ projects: 0, credentials: 0, networks: 0, pools: 0 });
    expect(await exportSeed(h.context.database.db)).toEqual(before);
    expect(await poolQuotaUsed(client)).toBe(4);
  });

  it('round-trips through export: the exported file builds the same world', async () => {
    const exported = await exportSeed(h.context.database.db, { secrets: undefined });
    expect(exported.credentials!.find((c) => c.accessKey === credential.accessKey)).toEqual({
      accessKey: credential.accessKey,
      account: 'default',
      description: 'ci key',
      projects: [projectId],
    });

    const cli = await runCli(['export', '--file', join(dir, 'export.yaml'), '--include-secrets'], {
      ATELIER_DATABASE_URL: h.config.databaseUrl,
      ...(h.config.secretKey ? { ATELIER_SECRET_KEY: h.config.secretKey } : {}),
    });
    expect(cli.code, cli.stderr).toBe(0);
    const written = YAML.parse(readFileSync(join(dir, 'export.yaml'), 'utf8')) as SeedFile;
    expect(seededProject(written)).toEqual(seededProject(exported));
    expect(written.credentials!.find((c) => c.accessKey === credential.accessKey)?.secretKey).toBe(
      credential.secretKey,
    );
    expect(readSeedFile(join(dir, 'export.yaml'))).toBeDefined();

    // Only the seeded project travels to the second world (the harness brings its own bootstrap project).
    const json = join(dir, 'export.json');
    writeFileSync(
      json,
      formatSeed(
        {
          projects: [seededProject(written)!],
          credentials: written.credentials!.filter((c) => c.accessKey === credential.accessKey),
        },
        json,
      ),
    );
    const second = await startHarness({ ATELIER_SEED_FILE: json });
    try {
      const again = await exportSeed(second.context.database.db);
      expect(seededProject(again)).toEqual(seededProject(exported));
      const other = ApiClient.inject(second.app, projectId, credential);
      expect(await statistics(other)).toEqual(await statistics(client));
    } finally {
      await second.close();
    }
  });

  it('refuses an invalid file with the place of every problem', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        projects: [{ id: 'x', pools: [{ name: 'p', phase: 'Deleting', spec: { type: 'Dedicate', resources: [] } }] }],
      }),
    );
    expect(() => readSeedFile(bad)).toThrow(/Seed file .* is invalid/);
    await expect(startHarness({ ATELIER_SEED_FILE: bad })).rejects.toThrow(/projects\/0\/pools\/0/);
  });
});

describe('reset with reseed', () => {
  let h: Harness;
  const seedDir = mkdtempSync(join(tmpdir(), 'atelier-reseed-'));
  const token = 'reseed-admin-token-0123456789';
  beforeAll(async () => {
    const file = join(seedDir, 'world.yaml');
    writeFileSync(file, SEED);
    h = await startHarness({ ATELIER_SEED_FILE: file, ATELIER_ADMIN_TOKEN: token, ATELIER_POOL_CREATE_SECONDS: '30' });
  });
  afterAll(async () => {
    await h.close();
    rmSync(seedDir, { recursive: true, force: true });
  });

  it('goes back to the seeded world', async () => {
    const client = ApiClient.inject(h.app, projectId, credential);
    const seeded = await statistics(client);
    await h.advance(30_000);
    expect(await statistics(client)).not.toEqual(seeded);
    const res = await h.app.inject({
      method: 'POST',
      url: '/_atelier/reset',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ reseed: true }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await statistics(client)).toEqual(seeded);
  });
});
