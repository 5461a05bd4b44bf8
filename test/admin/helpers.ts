// Helpers of the emulator-control tests: a harness with an admin token, and the
// bearer-authenticated calls to /_atelier/.
import { expect } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { startHarness, useHarness, type Harness } from '../helpers/harness.js';
import { createBody, createPool, pool } from '../pools/helpers.js';

export const ADMIN_TOKEN = 'emulator-admin-token-0123456789';

/** Every lifecycle step at the engine's next pass, unless `env` says otherwise. */
const INSTANT = {
  ATELIER_NETWORK_CREATE_SECONDS: '0',
  ATELIER_NETWORK_DELETE_SECONDS: '0',
  ATELIER_POOL_CREATE_SECONDS: '0',
  ATELIER_POOL_DELETE_SECONDS: '0',
  ATELIER_POOL_SCALE_SECONDS: '0',
};

const adminEnv = (env: Record<string, string>) => ({ ATELIER_ADMIN_TOKEN: ADMIN_TOKEN, ...INSTANT, ...env });

export function startAdminHarness(env: Record<string, string> = {}): Promise<Harness> {
  return startHarness(adminEnv(env));
}

/** useHarness (test/helpers/harness.ts) with the admin token and instant lifecycles. */
export function useAdminHarness(env: Record<string, string> = {}): Harness {
  return useHarness(adminEnv(env));
}

export interface AdminResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
  text: string;
}

/** One call to the emulator controls, with the admin token unless `authorization` says otherwise. */
export async function admin(
  h: Harness,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  authorization: string | null = `Bearer ${ADMIN_TOKEN}`,
): Promise<AdminResponse> {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await h.app.inject({
    method,
    url,
    headers,
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  let parsed: unknown;
  try {
    parsed = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, unknown>, text: res.body };
}

/** Like admin(), insisting on the status. */
export async function adminOk(
  h: Harness,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
  status = 200,
): Promise<any> {
  const res = await admin(h, method, url, body);
  expect(res.status, res.text).toBe(status);
  return res.body;
}

/** A Running pool in the client's project, on a fresh Active network; returns its metadata.name. */
export async function runningPool(
  h: Harness,
  client: ApiClient,
  options: Parameters<typeof createBody>[1] = {},
): Promise<string> {
  const network = await activeNetwork(client, h.settle);
  const created = await createPool(client, createBody(network, options));
  await h.settle();
  const shown = await client.get(pool(created.metadata.name));
  expect(shown.body.status.phase).toBe('Running');
  return created.metadata.name as string;
}
