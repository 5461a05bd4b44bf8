import { Type, type Static } from '@sinclair/typebox';

/** The metrics of the pool monitor (pools.md §7), in the order they are answered. */
export const MONITOR_METRICS = [
  'cpuUsage',
  'memUsedRate',
  'gpuUtil',
  'gpuMemUsage',
  'npuUtil',
  'npuMemUsage',
  'diskCapacity',
  'diskAvailableCapacity',
  'diskUsedRate',
] as const;
export type MonitorMetric = (typeof MONITOR_METRICS)[number];

export const MONITOR_STATISTICS = ['maximum', 'minimum', 'sum', 'average', 'sampleCount'] as const;
export type MonitorStatistic = (typeof MONITOR_STATISTICS)[number];

export const MONITOR_PERIODS = ['60', '300', '900', '3600'] as const;

/**
 * ShowPoolMonitor query (pools.md §7). Values are checked by the service so the
 * 400 names what is wrong. `metrics` (a comma list of metric names) is Atelier's:
 * without it every metric is answered.
 */
export const PoolMonitorQuery = Type.Object({
  time_range: Type.Optional(Type.String({ maxLength: 64 })),
  statistics: Type.Optional(Type.String({ maxLength: 128 })),
  period: Type.Optional(Type.String({ maxLength: 16 })),
  metrics: Type.Optional(Type.String({ maxLength: 512 })),
});
export type PoolMonitorQuery = Static<typeof PoolMonitorQuery>;

export const PoolMonitor = Type.Object(
  {
    metrics: Type.Array(
      Type.Object({
        metric: Type.Object({
          metricName: Type.String(),
          namespace: Type.String(),
          dimensions: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
        }),
        dataPoints: Type.Array(
          Type.Object({
            timestamp: Type.Integer(),
            unit: Type.String(),
            statistics: Type.Array(Type.Object({ statistic: Type.String(), value: Type.Number() })),
          }),
        ),
      }),
    ),
  },
  { $id: 'PoolMonitor' },
);
export type PoolMonitor = Static<typeof PoolMonitor>;

const Value = Type.Record(Type.String(), Type.String());

/** ShowPoolRuntimeMetrics (nodes-workloads-metrics.md §3). */
export const PoolMetricsList = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('PoolMetricsList'),
    items: Type.Array(
      Type.Object({
        metadata: Type.Object({ name: Type.String(), labels: Type.Record(Type.String(), Type.String()) }),
        table: Type.Object({
          allocated: Type.Object({ value: Value, timestamp: Type.String(), window: Type.String() }),
          capacity: Type.Object({ value: Value, maxValue: Value, timestamp: Type.String(), window: Type.String() }),
        }),
      }),
    ),
  },
  { $id: 'PoolMetricsList' },
);
export type PoolMetricsList = Static<typeof PoolMetricsList>;
