// `atelier orders pay NAME` on the server's database pays a pending order: its pool stops waiting.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody, poolBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { listen, runCli, TempDirs } from '../identity/helpers.js';
import { ORDER_LABEL, prepaid } from './helpers.js';

const dirs = new TempDirs();
let env: Record<string, string>;
let server: RunningServer;
const credentials = { accessKey: 'AKORDERSCLI0000000001', secretKey: 'orders-cli-secret-key-000000000000000000' };
const projectId = 'b3c1d2e4f5a60718293a4b5c6d7e8f90';

beforeAll(async () => {
  const dir = dirs.make('atelier-orders-cli-');
  // The command admits the paid pool with its own configuration's timings: the same as the server's.
  env = {
    ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
  };
  server = await listen(dir, {
    ...env,
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: credentials.accessKey,
    ATELIER_BOOTSTRAP_SK: credentials.secretKey,
    ATELIER_ENGINE_INTERVAL_MS: '20',
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  dirs.removeAll();
});

describe('atelier orders pay', () => {
  it('pays a pending order once; a second time it refuses', async () => {
    const api = ApiClient.http(server.address, projectId, credentials);
    const network = await api.post('/v1/{project_id}/networks', networkBody());
    expect(network.status, network.text).toBe(200);
    await waitFor(() => api.get(`/v1/{project_id}/networks/${network.body.metadata.name}`), {
      until: (r) => r.body.status.phase === 'Active',
      interval: 20,
    });
    const body = poolBody(network.body.metadata.name, { name: 'cli-prepaid' }) as any;
    body.metadata.annotations = prepaid(false);
    const pool = await api.post('/v2/{project_id}/pools', body);
    expect([pool.status, pool.body.status?.phase], pool.text).toEqual([200, 'Waiting']);
    const name = pool.body.metadata.labels[ORDER_LABEL] as string;

    const paid = await runCli(['orders', 'pay', name, '--json'], env);
    expect(paid.code, paid.stderr).toBe(0);
    expect(JSON.parse(paid.stdout)).toMatchObject({ orderName: name, phase: 'running' });
    // The serving process's engine finishes what the command started.
    await waitFor(() => api.get(`/v2/{project_id}/pools/${pool.body.metadata.name}`), {
      until: (r) => r.body.status.phase === 'Running',
      interval: 20,
    });
    const again = await runCli(['orders', 'pay', name], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('not pending');
  }, 60_000);
});
