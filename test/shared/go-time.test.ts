import { describe, it, expect } from 'vitest';
import { formatGoUtc, formatRfc3339Seconds } from '../../src/shared/go-time.js';

describe('formatGoUtc', () => {
  it('omits the fraction and its dot when it is zero', () => {
    expect(formatGoUtc(new Date('2025-06-02T08:15:03.000Z'))).toBe('2025-06-02 08:15:03 +0000 UTC');
  });

  it('trims trailing zeros of the milliseconds', () => {
    expect(formatGoUtc(new Date('2025-03-27T11:48:55.446Z'))).toBe('2025-03-27 11:48:55.446 +0000 UTC');
    expect(formatGoUtc(new Date('2025-03-27T11:48:55.400Z'))).toBe('2025-03-27 11:48:55.4 +0000 UTC');
    expect(formatGoUtc(new Date('2025-03-27T11:48:55.040Z'))).toBe('2025-03-27 11:48:55.04 +0000 UTC');
    expect(formatGoUtc(new Date('2025-03-27T11:48:55.001Z'))).toBe('2025-03-27 11:48:55.001 +0000 UTC');
  });

  it('adds sub-millisecond nanoseconds', () => {
    expect(formatGoUtc(new Date('2025-03-27T11:48:55.446Z'), 172_146)).toBe('2025-03-27 11:48:55.446172146 +0000 UTC');
    expect(formatGoUtc(new Date('2025-06-02T08:15:03.207Z'), 100_000)).toBe('2025-06-02 08:15:03.2071 +0000 UTC');
    expect(formatGoUtc(new Date('2022-12-05T11:15:59.000Z'), 1)).toBe('2022-12-05 11:15:59.000000001 +0000 UTC');
    expect(formatGoUtc(new Date('2022-12-05T11:15:59.000Z'), 999_999)).toBe('2022-12-05 11:15:59.000999999 +0000 UTC');
  });

  it('pads every field and uses UTC regardless of the local zone', () => {
    expect(formatGoUtc(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02 03:04:05.006 +0000 UTC');
    expect(formatGoUtc(new Date('2024-12-31T23:59:59.999-05:00'))).toBe('2025-01-01 04:59:59.999 +0000 UTC');
  });

  it('pads the year to four digits, as Go does', () => {
    expect(formatGoUtc(new Date(Date.UTC(999, 0, 1)))).toBe('0999-01-01 00:00:00 +0000 UTC');
  });

  it('matches the Go layout', () => {
    const goLayout = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])? \+0000 UTC$/;
    for (let i = 0; i < 50; i++) {
      const text = formatGoUtc(new Date(1_700_000_000_000 + i * 7_919), (i * 13_337) % 1_000_000);
      expect(text).toMatch(goLayout);
      expect(text).not.toContain('m=');
    }
  });

  it('rejects bad input', () => {
    expect(() => formatGoUtc(new Date('nope'))).toThrow(RangeError);
    expect(() => formatGoUtc(new Date(0), -1)).toThrow(RangeError);
    expect(() => formatGoUtc(new Date(0), 1_000_000)).toThrow(RangeError);
    expect(() => formatGoUtc(new Date(0), 1.5)).toThrow(RangeError);
  });
});

describe('formatRfc3339Seconds', () => {
  it('prints seconds precision with Z', () => {
    expect(formatRfc3339Seconds(new Date('2021-11-01T03:49:41Z'))).toBe('2021-11-01T03:49:41Z');
  });

  it('truncates milliseconds rather than rounding', () => {
    expect(formatRfc3339Seconds(new Date('2024-10-24T12:42:43.999Z'))).toBe('2024-10-24T12:42:43Z');
  });

  it('converts offsets to UTC', () => {
    expect(formatRfc3339Seconds(new Date('2024-10-24T20:42:43+08:00'))).toBe('2024-10-24T12:42:43Z');
  });

  it('rejects an invalid date', () => {
    expect(() => formatRfc3339Seconds(new Date(Number.NaN))).toThrow(RangeError);
  });
});
