import { expect } from 'vitest';
import type { ApiClient } from './client.js';

let n = 0;
/** A fresh display name that satisfies both the network (≤32) and pool (≤30) rules. */
export function displayName(prefix = 'res'): string {
  n += 1;
  return `${prefix}-${process.pid.toString(36)}-${n}`.slice(0, 30);
}

export function networkBody(name = displayName('net'), extra: { workspaceId?: string; cidr?: string } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: {
      labels: {
        'os.modelarts/name': name,
        ...(extra.workspaceId ? { 'os.modelarts/workspace.id': extra.workspaceId } : {}),
      },
    },
    spec: { cidr: extra.cidr ?? '192.168.128.0/17' },
  };
}

export function poolBody(
  network: string,
  options: {
    name?: string;
    workspaceId?: string;
    resources?: Array<{ flavor: string; count: number }>;
    labels?: Record<string, string>;
    scope?: string[];
  } = {},
) {
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: {
      labels: {
        'os.modelarts/name': options.name ?? displayName('pool'),
        ...(options.workspaceId ? { 'os.modelarts/workspace.id': options.workspaceId } : {}),
        ...options.labels,
      },
    },
    spec: {
      type: 'Dedicate',
      scope: options.scope ?? ['Train'],
      network: { name: network },
      resources: options.resources ?? [{ flavor: 'modelarts.vm.cpu.8ud', count: 2 }],
    },
  };
}

/** Creates a network and lets the engine make it Active; returns its metadata.name. */
export async function activeNetwork(
  client: ApiClient,
  settle: () => Promise<void>,
  extra: { workspaceId?: string } = {},
): Promise<string> {
  const res = await client.post('/v1/{project_id}/networks', networkBody(undefined, extra));
  expect(res.status, res.text).toBe(200);
  await settle();
  const shown = await client.get(`/v1/{project_id}/networks/${res.body.metadata.name}`);
  expect(shown.body.status.phase).toBe('Active');
  return res.body.metadata.name as string;
}

/** Asserts the ModelArts error envelope, the status and the code. */
export function expectError(
  res: { status: number; body: any; headers: Record<string, unknown>; text: string },
  status: number,
  code: string,
) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toEqual({ error_code: code, error_msg: expect.any(String) });
  expect(res.body.error_msg.length).toBeGreaterThanOrEqual(2);
  expect(res.body.error_msg.length).toBeLessThanOrEqual(512);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
}
