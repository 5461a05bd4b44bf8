import type { AppContext } from '../context.js';
import { badRequest } from '../errors.js';
import { selectTallies } from '../nodes/node.reads.js';
import { listProjectPools } from '../pools/pool.reads.js';
import { capacityOf } from './workload.capacity.js';
import { addAmounts, toQuantities } from './workload.quantities.js';
import type { Amounts } from './workload.record.js';
import { selectCapacity, selectRuns, selectRunningInPools } from './workload.store.js';
import { requireWorkloadPool } from './workload.service.js';
import {
  MONITOR_METRICS,
  MONITOR_PERIODS,
  MONITOR_STATISTICS,
  type MonitorMetric,
  type MonitorStatistic,
  type PoolMetricsList,
  type PoolMonitor,
  type PoolMonitorQuery,
} from './monitor.schema.js';

/**
 * The figures of pools, computed from the state and the history of their nodes
 * and workloads — never invented: what runs is what the emulator submitted, the
 * capacity is what the nodes hold (docs/emulator.md, "Workloads and monitoring").
 */

const MINUTE = 60_000;

/** `yyyy-MM-ddTHH:mm:ssZ` (§3). */
const secondsStamp = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

/**
 * ShowPoolRuntimeMetrics (nodes-workloads-metrics.md §3): per pool of the project
 * (but failed creations, D-M1), `capacity` = the resources of its Available and
 * Abnormal nodes, `allocated` = the requests of its running workloads, both as
 * Kubernetes strings with the same keys. A physical pool cannot grow by itself, so
 * maxValue is its capacity.
 */
export async function showPoolRuntimeMetrics(ctx: AppContext, projectId: string): Promise<PoolMetricsList> {
  const db = ctx.database.db;
  const pools = await listProjectPools(db, projectId, ['CreationFailed']);
  const ids = pools.map((p) => p.id);
  const tallies = await selectTallies(db, ids);
  const running = await selectRunningInPools(db, ids);
  const timestamp = secondsStamp(ctx.clock.now());
  const items = pools.map((pool) => {
    const capacity = capacityOf(
      ctx,
      tallies.filter((t) => t.poolId === pool.id),
    );
    const allocated: Amounts = Object.fromEntries(Object.keys(capacity).map((k) => [k, 0]));
    for (const w of running) if (w.poolId === pool.id) addAmounts(allocated, w.requests);
    for (const key of Object.keys(allocated)) capacity[key] ??= 0;
    const value = toQuantities(capacity);
    return {
      metadata: { name: pool.name, labels: pool.labels },
      table: {
        allocated: { value: toQuantities(allocated), timestamp, window: '1m' },
        capacity: { value, maxValue: { ...value }, timestamp, window: '1m' },
      },
    };
  });
  return { apiVersion: 'v2', kind: 'PoolMetricsList', items };
}

interface Window {
  start: number;
  end: number;
  period: number;
}

function listOf<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const given = text.split(',').map((v) => v.trim());
  const unknown = given.find((v) => !(allowed as readonly string[]).includes(v));
  if (unknown !== undefined) throw badRequest(`${name}: unknown value ${unknown}; one of ${allowed.join(', ')}`);
  return [...new Set(given)] as T[];
}

/**
 * time_range `startMs.endMs.durationMinutes` (pools.md §7): start -1 → end −
 * duration; end -1 → start + duration, at most now; both -1 → the last
 * `duration` minutes. duration > 0, and duration·60/period ≤ 1440 points (the
 * span of an explicit range too). A reversed range is refused.
 */
function windowOf(query: PoolMonitorQuery, now: number): Window {
  const periodText = query.period ?? '60';
  if (!(MONITOR_PERIODS as readonly string[]).includes(periodText)) {
    throw badRequest(`period: unknown value ${periodText}; one of ${MONITOR_PERIODS.join(', ')}`);
  }
  const period = Number(periodText);
  const text = query.time_range ?? '-1.-1.60';
  const match = /^(-1|\d{1,15})\.(-1|\d{1,15})\.(\d{1,9})$/.exec(text);
  if (!match) throw badRequest(`time_range: ${text} is not startMs.endMs.durationMinutes`);
  const [given, from, to] = [Number(match[3]), Number(match[1]), Number(match[2])];
  if (given <= 0) throw badRequest('time_range: the duration must be greater than 0');
  const tooLong = (minutes: number) => (minutes * 60) / period > 1440;
  if (tooLong(given)) {
    throw badRequest(`time_range: ${given} minutes at a period of ${period} s is more than 1440 points`);
  }
  let start: number;
  let end: number;
  if (from === -1 && to === -1) [start, end] = [now - given * MINUTE, now];
  else if (from === -1) [start, end] = [to - given * MINUTE, to];
  else if (to === -1) [start, end] = [from, Math.min(from + given * MINUTE, now)];
  else {
    if (from >= to) throw badRequest('time_range: the start is not before the end');
    if (tooLong((to - from) / MINUTE)) {
      throw badRequest(`time_range: the range at a period of ${period} s is more than 1440 points`);
    }
    [start, end] = [from, to];
  }
  return { start, end: Math.min(end, now), period };
}

/** One sample of a pool: its capacity (undefined before any node) and what its running workloads hold. */
interface Sample {
  at: number;
  capacity: Amounts | undefined;
  allocated: Amounts;
}

const sumOf = (amounts: Amounts, match: (key: string) => boolean) =>
  Object.entries(amounts)
    .filter(([k]) => match(k))
    .reduce((n, [, v]) => n + v, 0);

const isGpu = (key: string) => key === 'nvidia.com/gpu';
const isNpu = (key: string) => key.startsWith('huawei.com/ascend');

/** A metric's value in a sample, undefined when there is no data (no such devices, no disk model). */
function valueOf(metric: MonitorMetric, s: Sample): number | undefined {
  if (!s.capacity) return undefined;
  const share = (match: (key: string) => boolean) => {
    const total = sumOf(s.capacity ?? {}, match);
    return total > 0 ? (sumOf(s.allocated, match) / total) * 100 : undefined;
  };
  switch (metric) {
    case 'cpuUsage':
      return share((k) => k === 'cpu');
    case 'memUsedRate':
      return share((k) => k === 'memory');
    // A whole device is allocated: its compute and its memory count as in use.
    case 'gpuUtil':
    case 'gpuMemUsage':
      return share(isGpu);
    case 'npuUtil':
    case 'npuMemUsage':
      return share(isNpu);
    default:
      // Atelier models no disks: the disk metrics have no data.
      return undefined;
  }
}

const UNIT: Readonly<Record<MonitorMetric, string>> = {
  cpuUsage: 'Percent',
  memUsedRate: 'Percent',
  gpuUtil: 'Percent',
  gpuMemUsage: 'Percent',
  npuUtil: 'Percent',
  npuMemUsage: 'Percent',
  diskCapacity: 'Megabytes',
  diskAvailableCapacity: 'Megabytes',
  diskUsedRate: 'Percent',
};

const round2 = (n: number) => Math.round(n * 100) / 100;

function statistic(which: MonitorStatistic, values: readonly number[]): number {
  if (which === 'sampleCount') return values.length;
  if (values.length === 0) return -1;
  if (which === 'maximum') return round2(Math.max(...values));
  if (which === 'minimum') return round2(Math.min(...values));
  const sum = values.reduce((a, b) => a + b, 0);
  return round2(which === 'sum' ? sum : sum / values.length);
}

/**
 * The pool's state at every whole minute of the window (the start rounded up):
 * capacity from its recorded changes, allocation from its workloads' runs (a run
 * holds its node from its start, inclusive, to its end, exclusive).
 */
async function samplesOf(ctx: AppContext, poolId: number, w: Window): Promise<Sample[]> {
  const db = ctx.database.db;
  const capacity = await selectCapacity(db, poolId, new Date(w.start), new Date(w.end));
  const runs = await selectRuns(db, poolId, new Date(w.start), new Date(w.end));
  const changes = [
    ...runs.map((r) => ({ at: r.startedAt.getTime(), requests: r.requests, sign: 1 })),
    ...runs
      .filter((r) => r.endedAt)
      .map((r) => ({ at: (r.endedAt as Date).getTime(), requests: r.requests, sign: -1 })),
  ].sort((a, b) => a.at - b.at || a.sign - b.sign);
  const samples: Sample[] = [];
  const allocated: Amounts = {};
  let c = 0;
  let r = 0;
  let current: Amounts | undefined;
  for (let at = Math.ceil(w.start / MINUTE) * MINUTE; at <= w.end; at += MINUTE) {
    while (c < capacity.length && capacity[c].at.getTime() <= at) current = capacity[c++].capacity;
    while (r < changes.length && changes[r].at <= at) {
      addAmounts(allocated, changes[r].requests, changes[r].sign);
      r += 1;
    }
    samples.push({ at, capacity: current, allocated: { ...allocated } });
  }
  return samples;
}

/**
 * ShowPoolMonitor (pools.md §7): for each metric asked, one data point per
 * period (aligned to the epoch) with samples in the window; each point gives the
 * statistics asked over the per-minute samples with data in it (-1 where none
 * has, sampleCount 0). Deterministic: the same history always gives the same points.
 */
export async function showPoolMonitor(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  query: PoolMonitorQuery,
): Promise<PoolMonitor> {
  const statistics = listOf('statistics', query.statistics ?? 'maximum', MONITOR_STATISTICS);
  const metrics =
    query.metrics === undefined ? [...MONITOR_METRICS] : listOf('metrics', query.metrics, MONITOR_METRICS);
  const window = windowOf(query, ctx.clock.now().getTime());
  const pool = await requireWorkloadPool(ctx, projectId, poolName);
  const samples = window.start < window.end ? await samplesOf(ctx, pool.id, window) : [];
  const periodMs = window.period * 1000;
  const buckets = new Map<number, Sample[]>();
  for (const s of samples) {
    const key = Math.floor(s.at / periodMs) * periodMs;
    buckets.set(key, [...(buckets.get(key) ?? []), s]);
  }
  return {
    metrics: metrics.map((metric) => ({
      metric: {
        metricName: metric,
        namespace: 'PAAS.AGGR',
        dimensions: [{ name: 'clusterId', value: pool.name }],
      },
      dataPoints: [...buckets].map(([timestamp, group]) => {
        const values = group.map((s) => valueOf(metric, s)).filter((v): v is number => v !== undefined);
        return {
          timestamp,
          unit: UNIT[metric],
          statistics: statistics.map((which) => ({ statistic: which, value: statistic(which, values) })),
        };
      }),
    })),
  };
}
