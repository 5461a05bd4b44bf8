import { describe, expect, it } from 'vitest';
import { ExpiringCache } from '../../src/shared/expiring-cache.js';

/** A clock the test moves. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ExpiringCache', () => {
  it('serves an entry for at most ttlMs, counted from when its read began', async () => {
    const clock = manualClock();
    const cache = new ExpiringCache<string, number>({ max: 10, ttlMs: 1000, now: clock.now });
    let reads = 0;
    const slowRead = async () => {
      reads += 1;
      clock.advance(400); // the read itself takes 400 ms
      return reads;
    };
    expect(await cache.getOrLoad('a', slowRead)).toBe(1);
    clock.advance(500); // 900 ms after the read began
    expect(await cache.getOrLoad('a', slowRead)).toBe(1);
    clock.advance(101); // 1001 ms after the read began, 601 ms after it ended
    expect(cache.peek('a')).toBeUndefined();
    expect(await cache.getOrLoad('a', slowRead)).toBe(2);
  });

  it('keeps undefined and null as values, told apart from a miss', async () => {
    const cache = new ExpiringCache<string, string | null | undefined>({ max: 10, ttlMs: 1000 });
    cache.set('none', undefined);
    cache.set('gone', null);
    expect(cache.peek('none')).toEqual({ value: undefined });
    expect(cache.peek('gone')).toEqual({ value: null });
    expect(cache.peek('other')).toBeUndefined();
  });

  it('holds at most max entries, dropping the least recently used', () => {
    const cache = new ExpiringCache<number, number>({ max: 3, ttlMs: 1000 });
    for (const k of [1, 2, 3]) cache.set(k, k);
    cache.peek(1);
    cache.set(4, 4);
    expect([1, 2, 3, 4].map((k) => cache.peek(k)?.value)).toEqual([1, undefined, 3, 4]);
  });

  it('holds a key peeked again and again to the same age, order and removals', () => {
    const clock = manualClock();
    const cache = new ExpiringCache<number, number>({ max: 2, ttlMs: 1000, now: clock.now });
    cache.set(1, 1);
    cache.set(2, 2);
    for (let i = 0; i < 3; i += 1) expect(cache.peek(1)?.value).toBe(1);
    cache.set(3, 3); // 1 was used last: 2 makes room
    expect([1, 2, 3].map((k) => cache.peek(k)?.value)).toEqual([1, undefined, 3]);
    expect(cache.peek(3)?.value).toBe(3);
    cache.delete(3);
    expect(cache.peek(3)).toBeUndefined();
    cache.set(4, 4);
    expect(cache.peek(4)?.value).toBe(4);
    clock.advance(1000);
    expect(cache.peek(4)?.value).toBe(4);
    clock.advance(1);
    expect(cache.peek(4)).toBeUndefined();
    cache.set(5, 5);
    expect(cache.peek(5)?.value).toBe(5);
    cache.clear();
    expect(cache.peek(5)).toBeUndefined();
  });

  it('forgets at once on delete and clear', () => {
    const cache = new ExpiringCache<string, number>({ max: 10, ttlMs: 1000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    expect(cache.peek('a')).toBeUndefined();
    cache.clear();
    expect(cache.peek('b')).toBeUndefined();
  });

  it('caches nothing with a ttl of 0, and never expires with Infinity', async () => {
    const off = new ExpiringCache<string, number>({ max: 10, ttlMs: 0 });
    off.set('a', 1);
    expect(off.peek('a')).toBeUndefined();
    let reads = 0;
    await off.getOrLoad('a', async () => ++reads);
    await off.getOrLoad('a', async () => ++reads);
    expect(reads).toBe(2);

    const clock = manualClock();
    const forever = new ExpiringCache<string, number>({ max: 10, ttlMs: Infinity, now: clock.now });
    forever.set('a', 1);
    clock.advance(1e12);
    expect(forever.peek('a')).toEqual({ value: 1 });
  });
});
