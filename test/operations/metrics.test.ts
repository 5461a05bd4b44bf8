import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { type Harness, useHarness } from '../helpers/harness.js';
import { createBody, createPool, POOLS } from '../pools/helpers.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (no escapes occur in our label values). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(res.body);
}

describe('GET /metrics', () => {
  let client: ApiClient;
  const h = useHarness({
    ATELIER_POOL_QUOTA: '1',
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '30',
  });
  beforeAll(async () => {
    client = h.client;
  });

  it('counts requests by route pattern and status, and times them', async () => {
    for (let i = 0; i < 3; i += 1) expect((await client.get('/v1/{project_id}/quotas')).status).toBe(200);
    expect((await h.clientFor('someone-else').get('/v1/{project_id}/quotas')).status).toBe(403);
    expect((await client.get('/v9/nowhere/at-all')).status).toBe(404);
    // Refused by the router before any hook runs, and still counted.
    expect((await h.app.inject({ method: 'GET', url: '/v1/%zz/quotas' })).statusCode).toBe(400);
    const samples = await scrape(h);
    const quotas = { method: 'GET', route: '/v1/:project_id/quotas' };
    expect(value(samples, 'atelier_http_requests_total', { ...quotas, status_code: '200' })).toBe(3);
    expect(value(samples, 'atelier_http_requests_total', { ...quotas, status_code: '403' })).toBe(1);
    expect(value(samples, 'atelier_http_request_duration_seconds_count', { ...quotas, status_code: '200' })).toBe(3);
    expect(
      value(samples, 'atelier_http_request_duration_seconds_bucket', { ...quotas, status_code: '200', le: '+Inf' }),
    ).toBe(3);
    expect(value(samples, 'atelier_http_requests_total', { route: '(unmatched)', status_code: '404' })).toBe(1);
    expect(value(samples, 'atelier_http_requests_total', { route: '(unmatched)', status_code: '400' })).toBe(1);
    // Route patterns only: no project id, no raw URL becomes a label value.
    for (const s of samples) {
      expect(Object.values(s.labels).join(' ')).not.toContain(h.projectId);
      expect(Object.values(s.labels).join(' ')).not.toContain('nowhere');
    }
  });

  it('shows pools and networks by phase, quota rejections and the engine queue', async () => {
    const net = await activeNetwork(client, h.settle);
    await createPool(client, createBody(net));
    expectError(await client.post(POOLS, createBody(net)), 400, 'ModelArts.50004000');
    let samples = await scrape(h);
    expect(value(samples, 'atelier_pools', { phase: 'Creating' })).toBe(1);
    expect(value(samples, 'atelier_pools', { phase: 'Running' })).toBe(0);
    expect(value(samples, 'atelier_networks', { phase: 'Active' })).toBe(1);
    expect(value(samples, 'atelier_quota_rejections_total', { resource: 'pool' })).toBe(1);
    expect(value(samples, 'atelier_quota_rejections_total', { resource: 'network' })).toBe(0);
    expect(value(samples, 'atelier_engine_lease_takeovers_total', { kind: 'pool' })).toBe(0);
    expect(value(samples, 'atelier_engine_queue_depth', { kind: 'pool' })).toBe(0);

    // Due for 12 s and not run yet: the engine is behind by that much.
    h.clock.advance(42_000);
    samples = await scrape(h);
    expect(value(samples, 'atelier_engine_queue_depth', { kind: 'pool' })).toBe(1);
    expect(value(samples, 'atelier_engine_lag_seconds', { kind: 'pool' })).toBe(12);
    expect(value(samples, 'atelier_engine_queue_depth', { kind: 'network' })).toBe(0);
    expect(value(samples, 'atelier_engine_lag_seconds', { kind: 'network' })).toBe(0);

    // A replica claimed the pool and died: its lease has expired, so this engine takes the work over.
    await h.context.database.db
      .updateTable('pools')
      .set({
        lease_owner: 'a-replica-that-died',
        lease_expires_at: new Date(h.clock.now().getTime() - 1_000).toISOString(),
      })
      .where('project_id', '=', h.projectId)
      .execute();
    await h.settle();
    samples = await scrape(h);
    expect(value(samples, 'atelier_engine_lease_takeovers_total', { kind: 'pool' })).toBe(1);
    expect(value(samples, 'atelier_engine_lease_takeovers_total', { kind: 'network' })).toBe(0);
    expect(value(samples, 'atelier_pools', { phase: 'Running' })).toBe(1);
    expect(value(samples, 'atelier_pools', { phase: 'Creating' })).toBe(0);
    expect(value(samples, 'atelier_engine_queue_depth', { kind: 'pool' })).toBe(0);
  });

  it('reports the Node process: CPU, memory, heap, event loop lag, handles', async () => {
    const samples = await scrape(h);
    expect(value(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(value(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'nodejs_active_handles_total')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'nodejs_version_info', { major: String(process.versions.node.split('.')[0]) })).toBe(1);
  });

  it('is public without ATELIER_METRICS_TOKEN', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
  });
});

describe('GET /metrics with ATELIER_METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  const h = useHarness({ ATELIER_METRICS_TOKEN: TOKEN });

  it('needs the bearer token, and nothing else will do', async () => {
    const refused = async (headers: Record<string, string>) => {
      const res = await h.app.inject({ method: 'GET', url: '/metrics', headers });
      expectError(
        { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers, text: res.body },
        401,
        'APIGW.0301',
      );
      expect(res.body).not.toContain(TOKEN);
    };
    await refused({});
    await refused({ authorization: 'Bearer wrong-token-0123456789abcdef' });
    await refused({ authorization: `Bearer ${TOKEN}x` });
    await refused({ authorization: TOKEN });
    // A valid AK/SK signature for the API is not the metrics token.
    const signed = await h.client.get('/metrics');
    expectError(signed, 401, 'APIGW.0301');

    const samples = await scrape(h, { authorization: `Bearer ${TOKEN}` });
    expect(value(samples, 'atelier_http_requests_total', { route: '/metrics', status_code: '401' })).toBe(5);
  });
});
