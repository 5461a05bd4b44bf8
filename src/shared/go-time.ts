// Wire time formats. Statistics `operationTime` is what the Go service prints with
// time.Time.String() after .UTC() (spec README decision 6, pools.md §5); object timestamps
// (`creationTimestamp`, `deletionTimestamp`) are RFC 3339 with whole seconds (pools.md §1).

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function assertValid(date: Date): void {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid Date');
}

/**
 * Go's `time.Time.String()` of a UTC time: `2025-03-27 11:48:55.446172146 +0000 UTC`.
 * The fraction keeps 1–9 digits with trailing zeros removed, and disappears with its dot when it
 * is zero. JS dates stop at milliseconds; pass `subMillisecondNanos` (0–999999, e.g. from
 * process.hrtime) to fill the remaining digits. Never emits Go's monotonic ` m=+…` suffix.
 */
export function formatGoUtc(date: Date, subMillisecondNanos = 0): string {
  assertValid(date);
  if (!Number.isInteger(subMillisecondNanos) || subMillisecondNanos < 0 || subMillisecondNanos > 999_999) {
    throw new RangeError(`subMillisecondNanos must be an integer in 0..999999, got ${subMillisecondNanos}`);
  }
  const nanos = date.getUTCMilliseconds() * 1_000_000 + subMillisecondNanos;
  const fraction = nanos === 0 ? '' : '.' + pad(nanos, 9).replace(/0+$/, '');
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction} +0000 UTC`
  );
}

/** RFC 3339 at seconds precision in UTC: `2021-11-01T03:49:41Z`. Milliseconds are truncated. */
export function formatRfc3339Seconds(date: Date): string {
  assertValid(date);
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  );
}
