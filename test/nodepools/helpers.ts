// Helpers of the node-pool tests: paths, the SDK's content type, and the calls the tests repeat.
import { expect } from 'vitest';
import type { ApiClient, ApiResponse } from '../helpers/client.js';
import { pool } from '../pools/helpers.js';

/** The content type the SDK's createNodePool and patchNodePool send (nodepools-nodes-jobs.md §4.1). */
export const SDK_JSON = 'application/json;charset=UTF-8';

export const nodePools = (poolName: string) => `${pool(poolName)}/nodepools`;
export const nodePool = (poolName: string, name: string) => `${nodePools(poolName)}/${name}`;

/** The default node pool of a flavor (D-NP3). */
export const defaultOf = (flavor: string) => `${flavor.replace(/\./g, '-')}-default`;

export function createNodePoolBody(name: string, resources: unknown): any {
  return { apiVersion: 'v2', kind: 'NodePool', metadata: { name }, spec: { resources } };
}

export function postNodePool(client: ApiClient, poolName: string, body: unknown): Promise<ApiResponse> {
  return client.request('POST', nodePools(poolName), { body, headers: { 'content-type': SDK_JSON } });
}

export function patchNodePool(client: ApiClient, poolName: string, name: string, body: unknown): Promise<ApiResponse> {
  return client.request('PATCH', nodePool(poolName, name), { body, headers: { 'content-type': SDK_JSON } });
}

export async function listNodePools(client: ApiClient, poolName: string): Promise<any[]> {
  const res = await client.get(nodePools(poolName));
  expect(res.status, res.text).toBe(200);
  expect(res.body).toMatchObject({ apiVersion: 'v2', kind: 'NodePoolList' });
  return res.body.items;
}

/** Every node of a node pool (one page: no limit). */
export async function nodesOf(client: ApiClient, poolName: string, name: string): Promise<any[]> {
  const res = await client.get(`${nodePool(poolName, name)}/nodes`);
  expect(res.status, res.text).toBe(200);
  expect(res.body.kind).toBe('NodeList');
  return res.body.items;
}

/** Node counts of a node pool per phase, from its nodes. */
export async function phasesOf(client: ApiClient, poolName: string, name: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const n of await nodesOf(client, poolName, name)) counts[n.status.phase] = (counts[n.status.phase] ?? 0) + 1;
  return counts;
}
