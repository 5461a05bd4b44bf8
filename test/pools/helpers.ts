// Helpers shared by the pool tests: request bodies, the calls the tests repeat,
// and a flavors file with finite capacity (decision 10).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { listEventsOf } from '../../src/events/event.store.js';
import type { CatalogueEntry } from '../../src/flavors/flavor.schema.js';
import type { ApiClient, ApiResponse } from '../helpers/client.js';
import { displayName } from '../helpers/fixtures.js';
import type { Harness } from '../helpers/harness.js';

export const CPU_8 = 'modelarts.vm.cpu.8ud';
export const CPU_16 = 'modelarts.vm.cpu.16ud';
export const CPU_ARM = 'modelarts.vm.cpu.32ud.arm';
export const GPU_T4 = 'modelarts.vm.gpu.t4';

/** An entry of a pool's status.resources: nodes of a flavor in its default node pool. */
export const nodeGroup = (flavor: string, count: number) => ({
  flavor,
  nodePool: `${flavor.replace(/\./g, '-')}-default`,
  count,
  maxCount: count,
});

export const POOLS = '/v2/{project_id}/pools';
export const pool = (name: string) => `${POOLS}/${name}`;

/** A pool name a display name can generate: the name, a dash, 32 lowercase hex digits. */
export const generatedName = (display: string) => new RegExp(`^${display}-[0-9a-f]{32}$`);

/** A create body that tests may change freely before sending. */
export function createBody(
  network: string,
  options: {
    name?: string;
    resources?: unknown[];
    scope?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } = {},
): any {
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: {
      labels: { 'os.modelarts/name': options.name ?? displayName('pool'), ...options.labels },
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      type: 'Dedicate',
      scope: options.scope ?? ['Train'],
      network: { name: network },
      resources: options.resources ?? [{ flavor: CPU_8, count: 2 }],
    },
  };
}

/** Creates a pool and expects success; returns the created Pool object. */
export async function createPool(client: ApiClient, body: unknown): Promise<any> {
  const res = await client.post(POOLS, body);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export async function phaseOf(client: ApiClient, name: string): Promise<string | 404> {
  const res = await client.get(pool(name));
  if (res.status === 404) return 404;
  expect(res.status, res.text).toBe(200);
  return res.body.status.phase as string;
}

export async function show(client: ApiClient, name: string): Promise<any> {
  const res = await client.get(pool(name));
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export async function listNames(client: ApiClient, query = ''): Promise<string[]> {
  const res = await client.get(`${POOLS}${query}`);
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ apiVersion: 'v2', kind: 'PoolList' });
  return (res.body.items as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name);
}

export async function poolQuotaUsed(client: ApiClient): Promise<number> {
  const res = await client.get('/v1/{project_id}/quotas');
  expect(res.status, res.text).toBe(200);
  return res.body.quotas.resources.find((r: { type: string }) => r.type === 'pool').used as number;
}

export async function statistics(client: ApiClient, query = ''): Promise<Record<string, number>> {
  const res = await client.get(`/v2/{project_id}/statistics/pools${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.statistics.status;
}

/** What the project shows of its pools: every listed bucket and the quota usage. */
export async function visiblePools(client: ApiClient) {
  const lists = await Promise.all(
    ['', '?status=failed', '?status=pending', '?status=deleting'].map((q) => listNames(client, q)),
  );
  return { names: lists.flat().sort(), used: await poolQuotaUsed(client) };
}

export function mergePatch(client: ApiClient, name: string, body: unknown): Promise<ApiResponse> {
  return client.request('PATCH', pool(name), { body, headers: { 'content-type': 'application/merge-patch+json' } });
}

/** The recorded events of a pool, oldest first. */
export async function eventsOf(h: Harness, name: string) {
  return listEventsOf(h.context.database.db, h.projectId, 'pools', name);
}

/** The PoolStatusChange messages of a pool, oldest first. */
export async function phaseChanges(h: Harness, name: string): Promise<string[]> {
  return (await eventsOf(h, name)).filter((e) => e.reason === 'PoolStatusChange').map((e) => e.message);
}

/** A flavor entry for a flavors file, in the shape of src/flavors/flavor.schema.ts. */
export function flavorEntry(name: string, capacity?: number, cpuArch: 'x86' | 'arm64' = 'x86'): CatalogueEntry {
  return {
    flavor: {
      metadata: { name, labels: { 'os.modelarts/scope': 'Train,Infer' } },
      spec: { type: 'Dedicate', cpuArch, cpu: '8', memory: '32Gi', billingModes: [0] },
      status: { phase: { 'az-1': 'normal' } },
    },
    ...(capacity === undefined ? {} : { capacity }),
  };
}

const flavorDirs: string[] = [];
// The files are read when a harness starts and reread on restart tests: they go when the test process does.
process.once('exit', () => {
  for (const dir of flavorDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes a flavors file to a fresh temporary directory and returns its path. */
export function writeFlavorsFile(entries: CatalogueEntry[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-flavors-'));
  flavorDirs.push(dir);
  const file = join(dir, 'flavors.json');
  writeFileSync(file, JSON.stringify({ flavors: entries }));
  return file;
}
