// Helpers shared by the plug-in and tag tests: a Running pool, the paths, reading state back.
import { expect } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork, poolBody } from '../helpers/fixtures.js';
import type { Harness } from '../helpers/harness.js';

export const GPU_FLAVOR = 'modelarts.vm.gpu.t4';
export const NPU_FLAVOR = 'modelarts.bm.npu.arm.8snt9b3';
export const CPU_FLAVOR = 'modelarts.vm.cpu.8ud';

/** Timings that let `settle()` finish every step at once. */
export const QUICK = {
  ATELIER_NETWORK_CREATE_SECONDS: '0',
  ATELIER_POOL_CREATE_SECONDS: '0',
  ATELIER_POOL_DELETE_SECONDS: '0',
  ATELIER_PLUGIN_INSTALL_SECONDS: '0',
  ATELIER_POOL_QUOTA: '100',
};

export const plugins = (pool: string) => `/v2/{project_id}/pools/${pool}/plugins`;
export const tags = (pool: string) => `/v1/{project_id}/pools/${pool}/tags`;

/** Creates a pool of `flavor` and, unless told otherwise, lets the engine make it Running. */
export async function newPool(
  h: Pick<Harness, 'settle'>,
  client: ApiClient,
  options: { flavor?: string; settle?: boolean; driver?: Record<string, string> } = {},
): Promise<string> {
  const network = await activeNetwork(client, h.settle);
  const body: any = poolBody(network, { resources: [{ flavor: options.flavor ?? CPU_FLAVOR, count: 1 }] });
  if (options.driver) body.spec.driver = options.driver;
  const res = await client.post('/v2/{project_id}/pools', body);
  expect(res.status, res.text).toBe(200);
  if (options.settle !== false) await h.settle();
  return res.body.metadata.name as string;
}

export async function listPlugins(client: ApiClient, pool: string): Promise<any[]> {
  const res = await client.get(plugins(pool));
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ apiVersion: 'v2', kind: 'PluginList' });
  return res.body.items;
}

/** name → phase of a pool's plug-ins. */
export async function pluginPhases(client: ApiClient, pool: string): Promise<Record<string, string>> {
  return Object.fromEntries((await listPlugins(client, pool)).map((p) => [p.metadata.name, p.status.phase]));
}

export const pluginBody = (name: string, extra: { version?: string; inputs?: unknown } = {}) => ({
  apiVersion: 'v2',
  kind: 'Plugin',
  spec: { template: { name, ...extra } },
});
