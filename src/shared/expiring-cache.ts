import { LRUCache } from 'lru-cache';

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
  private readonly entries: LRUCache<K, { value: V }> | undefined;
  private readonly clock: () => number;

  constructor(options: ExpiringCacheOptions) {
    this.clock = options.now ?? (() => performance.now());
    // lru-cache counts a ttl of 0 as "never expires": here it means "do not cache".
    this.entries =
      options.ttlMs > 0 || options.ttlMs === Infinity
        ? new LRUCache<K, { value: V }>({
            max: options.max,
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
    return this.entries?.get(key);
  }

  /** Keeps `value`, read from a source that began at `readAt` (this cache's `now()`). */
  set(key: K, value: V, readAt: number = this.clock()): void {
    // lru-cache takes a start of 0 for "no start": a clock at its origin is a tick later.
    this.entries?.set(key, { value }, { start: Math.max(readAt, Number.MIN_VALUE) });
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
    this.entries?.delete(key);
  }

  clear(): void {
    this.entries?.clear();
  }
}
