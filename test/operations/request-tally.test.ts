import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestTally } from '../../src/metrics/request-tally.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['method', 'route', 'status_code'] as const;

/** The request metrics as prom-client counts them, call by call. */
function promClient() {
  const registry = new Registry();
  const requests = new Counter({ name: 'requests_total', help: 'h', labelNames: LABELS, registers: [registry] });
  const duration = new Histogram({
    name: 'duration_seconds',
    help: 'h',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    count(method: string, route: string, status: number, seconds: number) {
      const labels = { method, route, status_code: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/** The same metrics counted by the tally and handed over when scraped. */
function tallied() {
  const registry = new Registry();
  const tally = new RequestTally(BUCKETS);
  new Counter({
    name: 'requests_total',
    help: 'h',
    labelNames: LABELS,
    registers: [registry],
    collect() {
      tally.collectCounter(this);
    },
  });
  new Histogram({
    name: 'duration_seconds',
    help: 'h',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [registry],
    collect() {
      tally.collectHistogram(this);
    },
  });
  return {
    registry,
    count: (method: string, route: string, status: number, seconds: number) =>
      tally.series(method, route, status).observe(seconds),
  };
}

describe('RequestTally', () => {
  it('exposes exactly what prom-client shows for the same requests: series, order, counts, sums, buckets', async () => {
    const a = promClient();
    const b = tallied();
    expect(await b.registry.metrics()).toBe(await a.registry.metrics());
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const routes = ['/v1/:project_id/quotas', '/v2/:project_id/statistics/pools', '(unmatched)', '/metrics'];
    // Bounds themselves, zero, beyond the last bound, and random durations over six decades.
    const edges = [...BUCKETS, 0, 11, 1e-9, 0.0010000001];
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 2_000; i += 1) {
        const route = routes[Math.floor(random() * routes.length)]!;
        const method = random() < 0.8 ? 'GET' : 'POST';
        const status = [200, 200, 200, 403, 404, 400][Math.floor(random() * 6)]!;
        const seconds = i < edges.length ? edges[i]! : 10 ** (random() * 6 - 5);
        a.count(method, route, status, seconds);
        b.count(method, route, status, seconds);
      }
      // Scraped more than once: each scrape hands over the totals so far, not what came since the last.
      expect(await b.registry.metrics()).toBe(await a.registry.metrics());
      expect(await b.registry.getMetricsAsJSON()).toEqual(await a.registry.getMetricsAsJSON());
    }
  });
});
