import type { Counter, Histogram } from 'prom-client';

type Labels = { method: string; route: string; status_code: string };

/** The finished requests of one (method, route, status code): what one series of each request metric holds. */
export class RequestSeries {
  /** Requests counted (the counter's value). */
  requests = 0;
  /** Durations observed (the histogram's count): all of them, but a duration that is not a number. */
  count = 0;
  sum = 0;
  /** Observations per bucket, not cumulative; one past the last bound for those above every bound (+Inf only). */
  readonly inBucket: Float64Array;

  constructor(
    readonly labels: Readonly<Labels>,
    private readonly bounds: readonly number[],
  ) {
    this.inBucket = new Float64Array(bounds.length + 1);
  }

  /** One finished request that took `seconds`. */
  observe(seconds: number): void {
    this.requests += 1;
    if (!Number.isFinite(seconds)) return;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i += 1;
    this.count += 1;
    this.sum += seconds;
    this.inBucket[i]! += 1;
  }
}

/** The part of a prom-client histogram's state its own export reads (prom-client 15, lib/histogram.js). */
interface HistogramState {
  hashMap: Record<string, { labels: Labels; bucketValues: Record<number, number>; sum: number; count: number }>;
}

/**
 * The request counter and duration histogram, counted in plain numbers as requests
 * finish and handed to prom-client when scraped. prom-client hashes the labels of
 * every `inc` and `observe` (about 5 µs a request on the polling reads,
 * docs/performance.md); here a finished request costs a lookup in nested Maps, or
 * nothing for a caller holding its series (the hot-read lane). The exposition is
 * prom-client's own, from the same state it would have built: the same series in
 * the order they first appeared, the same counts, the same sums (added in the same
 * order) and buckets. test/operations/request-tally.test.ts holds it to prom-client fed
 * the same requests.
 */
export class RequestTally {
  /** route → method → status code → series; Map order is first appearance, prom-client's order. */
  private readonly byRoute = new Map<string, Map<string, Map<number, RequestSeries>>>();
  private readonly all: RequestSeries[] = [];

  constructor(private readonly bounds: readonly number[]) {}

  /** The series of these labels, made the first time they are seen (a series shows once it counted a request). */
  series(method: string, route: string, statusCode: number): RequestSeries {
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) this.byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(statusCode);
    if (series === undefined) {
      series = new RequestSeries({ method, route, status_code: String(statusCode) }, this.bounds);
      byStatus.set(statusCode, series);
      this.all.push(series);
    }
    return series;
  }

  /** A collect() for the counter: its series rebuilt from the tally. */
  collectCounter(counter: Counter<keyof Labels>): void {
    counter.reset();
    for (const series of this.all) counter.inc(series.labels, series.requests);
  }

  /** A collect() for the histogram: its state rebuilt from the tally, exported by prom-client as ever. */
  collectHistogram(histogram: Histogram<keyof Labels>): void {
    const state: HistogramState['hashMap'] = {};
    for (const [index, series] of this.all.entries()) {
      if (series.count === 0) continue;
      const bucketValues: Record<number, number> = {};
      for (const [i, bound] of this.bounds.entries()) bucketValues[bound] = series.inBucket[i]!;
      state[String(index)] = { labels: { ...series.labels }, bucketValues, sum: series.sum, count: series.count };
    }
    (histogram as unknown as HistogramState).hashMap = state;
  }
}
