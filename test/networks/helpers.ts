// Helpers shared by the network test files: paths, a checked create, whole-list reads and the
// quota numbers, so each test states only what it is about.
import { expect } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import { uniqueId } from '../helpers/harness.js';

export const NETWORKS = '/v1/{project_id}/networks';
export const networkPath = (name: string): string => `${NETWORKS}/${encodeURIComponent(name)}`;

export const NAME_LABEL = 'os.modelarts/name';
export const WORKSPACE_LABEL = 'os.modelarts/workspace.id';
export const DESCRIPTION = 'os.modelarts/description';

/** `metadata.creationTimestamp` / `deletionTimestamp`: RFC 3339, whole seconds, UTC. */
export const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** What the server should print for a moment of the manual clock. */
export const wireTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A workspace id no other test uses, so list assertions see only their own networks. */
export const freshWorkspace = (): string => uniqueId('ws');

/** Creates a network and insists on 200; returns the response body. */
export async function createNetwork(client: ApiClient, body: unknown): Promise<any> {
  const res = await client.post(NETWORKS, body);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** GET one network, insisting on 200. */
export async function showNetwork(client: ApiClient, name: string): Promise<any> {
  const res = await client.get(networkPath(name));
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** Every network of a list query, following `metadata.continue` to the end. */
export async function listAll(client: ApiClient, query: Record<string, string> = {}): Promise<any[]> {
  const items: any[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const params = new URLSearchParams({ ...query, ...(token ? { continue: token } : {}) });
    const qs = params.toString();
    const res = await client.get(`${NETWORKS}${qs ? `?${qs}` : ''}`);
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.items);
    token = res.body.metadata.continue;
    if (!token) return items;
  }
  throw new Error('the list never ended');
}

export async function listNames(client: ApiClient, query: Record<string, string> = {}): Promise<string[]> {
  return (await listAll(client, query)).map((n) => n.metadata.name as string);
}

/** The `network` row of ShowOsQuota. */
export async function networkQuota(client: ApiClient): Promise<{ quota: number; used: number }> {
  const res = await client.get('/v1/{project_id}/quotas');
  expect(res.status, res.text).toBe(200);
  const row = res.body.quotas.resources.find((r: { type: string }) => r.type === 'network');
  return { quota: row.quota, used: row.used };
}

/** What a refused request must leave untouched: the default workspace's list and the quota. */
export async function observable(client: ApiClient, workspaces: string[] = ['0']) {
  const lists: Record<string, string[]> = {};
  for (const ws of workspaces) lists[ws] = await listNames(client, { workspaceId: ws });
  return { lists, quota: await networkQuota(client) };
}
