import { LRUCache } from 'lru-cache';

/** An entry as held: what peek answers, and when its read began (this cache's clock). */
interface Held<V> {
  readonly entry: { value: V };
  readonly start: number;
}

export interface ExpiringCacheOptions {
  /** At most this many entries; the least recently used makes room for a new one. */
  max: number;
  /** An entry is served for at most this long after its read began; 0 caches nothing. */
  ttlMs: number;
  /** Milliseconds on a monotonic clock; tests pass their own. */
  now?: () => number;
}

/**
 * The per-process caches of the read paths (project rows, credentials, prepared reads,
 * remembered signatures): bounded in size and, when `ttlMs` is given, in age. An entry's
 * age counts from when its read *began*, so a value is never served longer than `ttlMs`
 * after the database state it reflects: that is the staleness bound docs/performance.md
 * promises for changes made by another process. Changes made in this process call
 * `delete` or `clear` and apply at once. Values may be `undefined` or `null` ("known
 * not to exist"): a miss is told apart from them by `peek` answering no entry at all.
 */
export class ExpiringCache<K extends NonNullable<unknown>, V> {
  private readonly entries: LRUCache<K, Held<V>> | undefined;
  private readonly clock: () => number;
  private readonly ttlMs: number;
  /**
   * What the last peek found: a key peeked again before anything else is peeked, set or removed
   * (a poller's project, access key or read) is answered without a look in the list. It is then
   * the most recently used entry already and still held (only `set` evicts), so the answer and the
   * order of eviction are the list's own; its age is checked as the list checks it.
   */
  private last: { key: K; held: Held<V> } | undefined;

  constructor(options: ExpiringCacheOptions) {
    this.clock = options.now ?? (() => performance.now());
    this.ttlMs = options.ttlMs;
    // lru-cache counts a ttl of 0 as "never expires": here it means "do not cache".
    this.entries =
      options.ttlMs > 0 || options.ttlMs === Infinity
        ? new LRUCache<K, Held<V>>({
            // Counted as a total size of one per entry rather than as `max`: the same bound and the same
            // eviction, but lru-cache allocates its index arrays for `max` entries at once when given
            // `max` (about 4 MiB for the project rows' 100,000, resident from the start whether or not
            // a project is ever read), and grows them with the entries when given a size.
            maxSize: options.max,
            sizeCalculation: () => 1,
            ...(Number.isFinite(options.ttlMs) ? { ttl: options.ttlMs } : {}),
            // Ask the clock on every check rather than lru-cache's timer-backed 1 ms memo.
            ttlResolution: 0,
            perf: { now: this.clock },
          })
        : undefined;
  }

  /** A reading of this cache's clock, to pass to `set` as the time a read began. */
  now(): number {
    return this.clock();
  }

  /** The entry for `key`, if there is one and it is fresh; never loads. */
  peek(key: K): { value: V } | undefined {
    const last = this.last;
    // Fresh while at most ttlMs old, as lru-cache counts it (stale once now - start > ttl).
    if (last !== undefined && last.key === key && this.clock() - last.held.start <= this.ttlMs) return last.held.entry;
    const held = this.entries?.get(key);
    this.last = held && { key, held };
    return held?.entry;
  }

  /** Keeps `value`, read from a source that began at `readAt` (this cache's `now()`). */
  set(key: K, value: V, readAt: number = this.clock()): void {
    // lru-cache takes a start of 0 for "no start": a clock at its origin is a tick later.
    this.last = undefined;
    const start = Math.max(readAt, Number.MIN_VALUE);
    this.entries?.set(key, { entry: { value }, start }, { start });
  }

  /** The fresh value for `key`, else `load()`'s, kept from the moment the load began. */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(key);
    if (hit) return hit.value;
    const readAt = this.clock();
    const value = await load();
    this.set(key, value, readAt);
    return value;
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  delete(key: K): void {
    this.last = undefined;
    this.entries?.delete(key);
  }

  clear(): void {
    this.last = undefined;
    this.entries?.clear();
  }
}
