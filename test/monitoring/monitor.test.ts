// ShowPoolMonitor and ShowPoolRuntimeMetrics against figures worked out by hand from a scripted
// history: a pool of two modelarts.vm.cpu.8ud nodes (7800m and 31130Mi each: 15600m, 62260Mi in
// all) and four workloads submitted at the whole hour `base`, the clock then jumped 1000 s:
//   w1 train 4 cores 8Gi,  0 s → 600 s      w2 infer 6 cores 16Gi, 0 s → (runs on)
//   w4 train 1 core  1Gi,  0 s → 120 s      w3 notebook 4 cores 4Gi, waits, 600 s → 900 s
// Allocated CPU per minute sample k (a run holds from its start, inclusive, to its end, exclusive):
//   k 0–1: 11000m = 70.51 %   k 2–14: 10000m = 64.10 %   k 15–16: 6000m = 38.46 %
// Memory: k 0–1: 25600Mi = 41.12 %, k 2–9: 24576Mi = 39.47 %, k 10–14: 20480Mi = 32.89 %, k 15–16: 16384Mi = 26.32 %.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/fixtures.js';
import { monitor, RUNTIME, submit, twoNodePool, useWorkloadHarness } from '../workloads/helpers.js';

const MINUTE = 60_000;

describe('pool monitor and runtime metrics', () => {
  const h = useWorkloadHarness();
  let pool: string;
  let base: number;

  beforeAll(async () => {
    const p = await twoNodePool(h);
    pool = p.name;
    base = p.base;
    const w = (name: string, type: 'train' | 'infer' | 'notebook', cpu: string, memory: string, d?: number) =>
      submit(h, { pool, type, name, resources: { cpu, memory }, ...(d ? { durationSeconds: d } : {}) });
    await w('w1', 'train', '4', '8Gi', 600);
    await w('w2', 'infer', '6', '16Gi');
    await w('w3', 'notebook', '4', '4Gi', 300);
    await w('w4', 'train', '1', '1Gi', 120);
    await h.advance(1_000_000);
  });

  const get = async (query: string) => {
    const res = await h.client.get(monitor(pool, query));
    expect(res.status, res.text).toBe(200);
    return res.body.metrics as any[];
  };
  const series = (metric: any) => metric.dataPoints.map((p: any) => [p.timestamp - base, p.statistics[0].value]);

  it('gives one point per minute of the window at period 60', async () => {
    const [cpu, memory] = await get(`?time_range=${base}.-1.17&period=60&metrics=cpuUsage,memUsedRate`);
    expect(cpu.metric).toEqual({
      metricName: 'cpuUsage',
      namespace: 'PAAS.AGGR',
      dimensions: [{ name: 'clusterId', value: pool }],
    });
    const cpuAt = (k: number) => (k < 2 ? 70.51 : k < 15 ? 64.1 : 38.46);
    const memAt = (k: number) => (k < 2 ? 41.12 : k < 10 ? 39.47 : k < 15 ? 32.89 : 26.32);
    const minutes = Array.from({ length: 17 }, (_, k) => k);
    expect(series(cpu)).toEqual(minutes.map((k) => [k * MINUTE, cpuAt(k)]));
    expect(series(memory)).toEqual(minutes.map((k) => [k * MINUTE, memAt(k)]));
    expect(cpu.dataPoints[0]).toEqual({
      timestamp: base,
      unit: 'Percent',
      statistics: [{ statistic: 'maximum', value: 70.51 }],
    });
  });

  it('aggregates the minute samples of each period with every statistic', async () => {
    const [cpu] = await get(
      `?time_range=${base}.${base + 1_000_000}.17&period=300&statistics=maximum,minimum,average,sum,sampleCount&metrics=cpuUsage`,
    );
    const stats = (max: number, min: number, avg: number, sum: number, count: number) => [
      { statistic: 'maximum', value: max },
      { statistic: 'minimum', value: min },
      { statistic: 'average', value: avg },
      { statistic: 'sum', value: sum },
      { statistic: 'sampleCount', value: count },
    ];
    expect(cpu.dataPoints).toEqual([
      { timestamp: base, unit: 'Percent', statistics: stats(70.51, 64.1, 66.67, 333.33, 5) },
      { timestamp: base + 300_000, unit: 'Percent', statistics: stats(64.1, 64.1, 64.1, 320.51, 5) },
      { timestamp: base + 600_000, unit: 'Percent', statistics: stats(64.1, 64.1, 64.1, 320.51, 5) },
      { timestamp: base + 900_000, unit: 'Percent', statistics: stats(38.46, 38.46, 38.46, 76.92, 2) },
    ]);
  });

  it('answers every metric by default over the last hour; no GPUs and no disks mean no data (-1)', async () => {
    const metrics = await get('');
    expect(metrics.map((m) => m.metric.metricName)).toEqual([
      'cpuUsage',
      'memUsedRate',
      'gpuUtil',
      'gpuMemUsage',
      'npuUtil',
      'npuMemUsage',
      'diskCapacity',
      'diskAvailableCapacity',
      'diskUsedRate',
    ]);
    // now = base + 1000 s: the minutes from base − 43 min to base + 16 min.
    expect(metrics[0].dataPoints).toHaveLength(60);
    expect(metrics[0].dataPoints[0]).toMatchObject({ timestamp: base - 43 * MINUTE, statistics: [{ value: 0 }] });
    expect(metrics[0].dataPoints[43]).toMatchObject({ timestamp: base, statistics: [{ value: 70.51 }] });
    for (const m of metrics.slice(2)) {
      expect(new Set(m.dataPoints.map((p: any) => p.statistics[0].value))).toEqual(new Set([-1]));
    }
    const [gpu] = await get(`?time_range=${base}.-1.5&metrics=gpuUtil&statistics=maximum,sampleCount`);
    expect(gpu.dataPoints[0].statistics).toEqual([
      { statistic: 'maximum', value: -1 },
      { statistic: 'sampleCount', value: 0 },
    ]);
    // The same history always gives the same answer.
    expect(await get('')).toEqual(metrics);
  });

  it('shows what is allocated against the capacity of each pool now', async () => {
    const res = await h.client.get(RUNTIME);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ apiVersion: 'v2', kind: 'PoolMetricsList' });
    const item = res.body.items.find((i: any) => i.metadata.name === pool);
    const timestamp = `${new Date(base + 1_000_000).toISOString().slice(0, 19)}Z`;
    expect(item).toEqual({
      metadata: { name: pool, labels: expect.objectContaining({ 'os.modelarts/name': expect.any(String) }) },
      table: {
        allocated: { value: { cpu: '6', memory: '16Gi' }, timestamp, window: '1m' },
        capacity: {
          value: { cpu: '15600m', memory: '62260Mi' },
          maxValue: { cpu: '15600m', memory: '62260Mi' },
          timestamp,
          window: '1m',
        },
      },
    });
  });

  it('refuses malformed, reversed and too long ranges, unknown names and pools', async () => {
    for (const query of [
      '?time_range=abc',
      '?time_range=1.2',
      '?time_range=-1.-1.0',
      '?time_range=-1.-1.x',
      `?time_range=${base}.${base - MINUTE}.5`,
      `?time_range=${base}.${base}.5`,
      '?time_range=-1.-1.1441&period=60',
      '?time_range=-1.-1.7201&period=300',
      `?time_range=${base - 1500 * MINUTE}.${base}.10&period=60`,
      `?time_range=${'9'.repeat(70)}`,
      '?period=120',
      '?period=',
      '?statistics=median',
      '?statistics=maximum,',
      '?metrics=cpuUsage,fooRate',
    ]) {
      expectError(await h.client.get(monitor(pool, query)), 400, 'ModelArts.50004000');
    }
    // At the limit: 1440 points.
    expect((await h.client.get(monitor(pool, '?time_range=-1.-1.1440&period=60'))).status).toBe(200);
    expect((await h.client.get(monitor(pool, '?time_range=-1.-1.86400&period=3600'))).status).toBe(200);
    expectError(await h.client.get(monitor('no-such-pool')), 404, 'ModelArts.50015001');
  });
});
