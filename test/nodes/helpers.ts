// Helpers shared by the node tests: a Running pool of N nodes, its nodes' names, and the node routes.
import { expect } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import type { Harness } from '../helpers/harness.js';
import { createBody, createPool, pool } from '../pools/helpers.js';

export const nodes = (poolName: string) => `${pool(poolName)}/nodes`;
export const node = (poolName: string, name: string) => `${nodes(poolName)}/${name}`;
export const action = (poolName: string, verb: string) => `${nodes(poolName)}/${verb}`;

/** A Running pool with these resources (timings at 0); returns its name. */
export async function runningPool(
  h: Harness,
  network: string,
  resources: Array<{ flavor: string; count: number }>,
  client: ApiClient = h.client,
): Promise<string> {
  const created = await createPool(client, createBody(network, { resources }));
  const name = created.metadata.name as string;
  await h.settle();
  const shown = await client.get(pool(name));
  expect(shown.body.status.phase, shown.text).toBe('Running');
  return name;
}

/** Every node of the pool, in one unpaged list (decision 27). */
export async function allNodes(client: ApiClient, poolName: string): Promise<any[]> {
  const res = await client.get(nodes(poolName));
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}

export const namesOf = (items: Array<{ metadata: { name: string } }>) => items.map((n) => n.metadata.name);
