/**
 * A value at hand now, or a promise of it: what the polling reads answer when
 * everything they need is in memory (a cached project row, a reused read, a
 * remembered signature). Every `await` and every async function costs the
 * request a promise and a turn of the microtask queue; on the hot-read lane
 * these turns were a fifth of a signed read's CPU (docs/performance.md). A
 * function that returns a Maybe may also throw at once instead of rejecting:
 * callers `await` it inside an async function (where both become a rejection)
 * or call it inside a try.
 */
export type MaybeSync<T> = T | Promise<T>;

/** `next(value)`, at once when the value is at hand, else when it arrives. */
export function andThen<T, U>(value: MaybeSync<T>, next: (value: T) => MaybeSync<U>): MaybeSync<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
