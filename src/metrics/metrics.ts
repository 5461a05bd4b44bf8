import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../context.js';
import { NETWORK_FAILED_COUNTER, NETWORK_PHASES } from '../networks/network.lifecycle.js';
import { networkDueWork } from '../networks/network.reads.js';
import { POOL_PHASES } from '../pools/pool.lifecycle.js';
import { poolDueWork } from '../pools/pool.reads.js';
import { sumUsageByPhase } from '../quotas/quota.service.js';
import { RequestTally, type RequestSeries } from './request-tally.js';

/** The bounds of the request duration histogram, in seconds. */
const REQUEST_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of requests no route matched: raw URLs would make one series per typo. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * A gauge read from the database has no samples while the database is away, so
 * the request counters are still scraped; /readyz is what reports the outage.
 */
async function readOrNothing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/**
 * The process itself (CPU, memory, heap, event loop lag, GC, handles), under prom-client's
 * standard names so the usual Node.js dashboards work; each worker reports its own process.
 */
function withProcessMetrics(registry: Registry): Registry {
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The metrics of one application, on its own registry: the process-wide default
 * registry would mix the many apps a test run builds (and refuse duplicate names).
 * Request metrics are counted as requests finish; resource and engine gauges are
 * read from the database when scraped, so they are right whichever replica wrote.
 */
export class AtelierMetrics {
  readonly registry = withProcessMetrics(new Registry());
  private readonly tally = new RequestTally(REQUEST_BUCKETS);
  private readonly unsubscribe: Array<() => void> = [];

  constructor(ctx: AppContext) {
    const registers = [this.registry];
    const tally = this.tally;
    // Counted by the tally as requests finish, handed over when scraped (metrics/request-tally.ts).
    new Counter({
      name: 'atelier_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
      collect() {
        tally.collectCounter(this);
      },
    });
    new Histogram({
      name: 'atelier_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by route pattern, method and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [...REQUEST_BUCKETS],
      registers,
      collect() {
        tally.collectHistogram(this);
      },
    });
    const quotaRejections = new Counter({
      name: 'atelier_quota_rejections_total',
      help: 'Creates refused because the project quota was used up, by resource.',
      labelNames: ['resource'],
      registers,
    });
    const leaseTakeovers = new Counter({
      name: 'atelier_engine_lease_takeovers_total',
      help: 'Lifecycle steps this engine took over after another engine let its lease expire.',
      labelNames: ['kind'],
      registers,
    });
    // Present from the first scrape, so a rate() over them starts at zero.
    for (const kind of ['pool', 'network'] as const) quotaRejections.inc({ resource: kind }, 0);
    for (const kind of ['pool', 'network', 'job'] as const) leaseTakeovers.inc({ kind }, 0);
    this.unsubscribe.push(
      ctx.signals.on('quotaRejected', (kind) => quotaRejections.inc({ resource: kind })),
      ctx.signals.on('leaseTakenOver', (kind) => leaseTakeovers.inc({ kind })),
    );
    this.countOutages(ctx);

    const phases = { pool: [...POOL_PHASES], network: [...NETWORK_PHASES, NETWORK_FAILED_COUNTER] };
    for (const kind of ['pool', 'network'] as const) {
      new Gauge({
        name: `atelier_${kind}s`,
        help: `${kind === 'pool' ? 'Resource pools' : 'Networks'} of all projects by phase${kind === 'network' ? ' (Failed: provisioning failed)' : ''}.`,
        labelNames: ['phase'],
        registers,
        async collect() {
          this.reset();
          const counts = await readOrNothing(() => sumUsageByPhase(ctx.database.db, kind));
          if (!counts) return;
          for (const phase of new Set([...phases[kind], ...counts.keys()])) this.set({ phase }, counts.get(phase) ?? 0);
        },
      });
    }

    this.gaugeEngine(ctx);
  }

  /** The engine's queue, read from the database when scraped: the same on every replica. */
  private gaugeEngine(ctx: AppContext): void {
    const registers = [this.registry];
    const DUE_WORK = { pool: poolDueWork, network: networkDueWork } as const;
    const dueWork = (kind: 'pool' | 'network', now: Date) => DUE_WORK[kind](ctx.database.db, now);
    new Gauge({
      name: 'atelier_engine_queue_depth',
      help: 'Lifecycle steps that are due and not yet run, by resource kind.',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        for (const kind of ['pool', 'network'] as const) {
          const work = await readOrNothing(() => dueWork(kind, ctx.clock.now()));
          if (work) this.set({ kind }, work.depth);
        }
      },
    });
    new Gauge({
      name: 'atelier_engine_lag_seconds',
      help: 'How long the oldest due lifecycle step has been waiting, by resource kind (0 when none is due).',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        for (const kind of ['pool', 'network'] as const) {
          const now = ctx.clock.now();
          const work = await readOrNothing(() => dueWork(kind, now));
          if (work) this.set({ kind }, work.oldest ? Math.max(0, (now.getTime() - work.oldest.getTime()) / 1000) : 0);
        }
      },
    });
  }

  /** Counts one finished request under its route pattern (a RequestFinished listener). */
  readonly observeRequest = (request: FastifyRequest, reply: FastifyReply): void => {
    this.countRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  };

  /** Counts one finished request; `route` is the pattern, undefined when none matched. */
  countRequest(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.tally.series(method, route ?? UNMATCHED_ROUTE, statusCode).observe(seconds);
  }

  /**
   * The series of one route's requests with this status, for a caller that counts many of them
   * (`series.observe(seconds)` is countRequest without the lookup). It shows once it counted one.
   */
  requestSeries(method: string, route: string, statusCode: number): RequestSeries {
    return this.tally.series(method, route, statusCode);
  }

  /** Stops listening to the context's signals (the app closes; the context may live on). */

  /** What an operator must hear of even when the log itself is lost: dropped log lines, writes refused for space. */
  private countOutages(ctx: AppContext): void {
    const registers = [this.registry];
    const droppedLines = new Counter({
      name: 'atelier_log_lines_dropped_total',
      help: 'Log lines lost because the log destination failed or did not keep up.',
      registers,
    });
    const storageFull = new Counter({
      name: 'atelier_storage_full_errors_total',
      help: 'Changes refused because the database was out of space.',
      registers,
    });
    this.unsubscribe.push(
      ctx.signals.on('logLinesDropped', (lines) => droppedLines.inc(lines)),
      ctx.signals.on('storageFull', () => storageFull.inc()),
    );
  }
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
