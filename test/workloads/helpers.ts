// Helpers of the workload and monitoring tests: a Running pool of two 8-core CPU nodes,
// submitting workloads through the emulator control, and the clock moved to a whole hour.
import { expect } from 'vitest';
import { admin, adminOk, useAdminHarness } from '../admin/helpers.js';
import type { Harness } from '../helpers/harness.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { allNodes, runningPool } from '../nodes/helpers.js';

export const CPU_8 = 'modelarts.vm.cpu.8ud';

/** A modelarts.vm.cpu.8ud node as node.view.ts shows it: 8 cores less 200m, 32Gi · 0.95. */
export const NODE_CPU_M = 7800;
export const NODE_MEMORY_MI = 31130;

export function useWorkloadHarness(): Harness {
  return useAdminHarness({ ATELIER_NODE_CREATE_SECONDS: '0', ATELIER_NODE_DELETE_SECONDS: '0' });
}

export const workloads = (pool: string, query = '') => `/v2/{project_id}/pools/${pool}/workloads${query}`;
export const statistics = (pool: string) => `/v2/{project_id}/statistics/pools/${pool}/workloads`;
export const monitor = (pool: string, query = '') => `/v2/{project_id}/pools/${pool}/monitor${query}`;
export const RUNTIME = '/v2/{project_id}/metrics/runtime/pools';

export interface TwoNodePool {
  name: string;
  /** Node names in name order (the order workloads are placed in) and their IPs. */
  nodes: string[];
  ips: string[];
}

/** A Running pool of two CPU nodes; its creation lies before the whole hour the clock is then moved to. */
export async function twoNodePool(h: Harness): Promise<TwoNodePool & { base: number }> {
  const network = await activeNetwork(h.client, h.settle);
  const name = await runningPool(h, network, [{ flavor: CPU_8, count: 2 }]);
  const items = (await allNodes(h.client, name)).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const now = h.clock.now().getTime();
  const base = Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
  await h.advance(base - now);
  return {
    name,
    nodes: items.map((n) => n.metadata.name),
    ips: items.map((n) => n.status.privateIp),
    base,
  };
}

export interface Submit {
  pool: string;
  type: 'train' | 'infer' | 'notebook';
  name: string;
  resources: Record<string, string>;
  durationSeconds?: number;
  outcome?: 'Completed' | 'Failed';
  flavor?: string;
}

export async function submit(h: Harness, body: Submit): Promise<any> {
  return adminOk(h, 'POST', '/_atelier/workloads', { project: h.projectId, ...body }, 201);
}

export async function submitRaw(h: Harness, body: unknown) {
  return admin(h, 'POST', '/_atelier/workloads', body);
}

export async function list(h: Harness, pool: string, query = ''): Promise<any> {
  const res = await h.client.get(workloads(pool, query));
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** jobName → status of a pool's workloads. */
export async function statuses(h: Harness, pool: string): Promise<Record<string, string>> {
  return Object.fromEntries((await list(h, pool)).items.map((w: any) => [w.jobName, w.status]));
}
