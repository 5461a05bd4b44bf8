/**
 * The one poller of the test suite (STYLE §9: poll with a deadline, never a fixed sleep). Every test
 * that waits for another process, a cache or the engine waits through this, so each failure says the
 * same things: what was awaited, for how long, and what was seen last.
 */
export interface WaitForOptions<T> {
  /** Milliseconds before giving up (default 5 s). */
  timeout?: number;
  /** Milliseconds between attempts (default 50). */
  interval?: number;
  /** When the value counts as reached; without it, any value but `false`, `null` and `undefined`. */
  until?: (value: T) => boolean;
  /** What is awaited, for the message. */
  what?: string;
  /** More for the message, read when it is written (e.g. a child process's output so far). */
  detail?: () => string;
  /** A reason to stop at once (e.g. "the server exited"), checked before every attempt. */
  giveUp?: () => string | undefined;
}

/**
 * Calls `fn` until its value is reached, and returns that value. An exception inside `fn` counts as
 * "not yet" (a server still starting refuses connections); at the deadline the error names the last
 * value or exception.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  options: WaitForOptions<T> & { until: (value: T) => boolean },
): Promise<T>;
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  options?: WaitForOptions<T>,
): Promise<Exclude<T, false | null | undefined>>;
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions<T> = {}): Promise<T> {
  const { timeout = 5_000, interval = 50, until, what = 'a condition', detail, giveUp } = options;
  const reached = until ?? ((value: T) => value !== false && value !== null && value !== undefined);
  const deadline = Date.now() + timeout;
  let last = 'nothing yet';
  for (;;) {
    const stop = giveUp?.();
    if (stop !== undefined) throw new Error(`${stop} while waiting for ${what}${more(detail)}`);
    try {
      const value = await fn();
      if (reached(value)) return value;
      last = `value ${describe(value)}`;
    } catch (error) {
      last = `error ${String(error)}`;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${last}${more(detail)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 2_000) ?? String(value);
  } catch {
    return String(value);
  }
}

function more(detail: (() => string) | undefined): string {
  const text = detail?.();
  return text ? `\n${text}` : '';
}
