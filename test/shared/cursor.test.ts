import { describe, it, expect } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/shared/cursor.js';

describe('encodeCursor / decodeCursor', () => {
  it('round-trips', () => {
    const values: Array<Record<string, string | number>> = [
      { id: 42 },
      { createdAt: '2024-10-24T12:42:43.000Z', name: 'net-a-0123456789abcdef0123456789abcdef' },
      { id: 0, name: 'é 训练 / + =' },
      {},
    ];
    for (const value of values) expect(decodeCursor(encodeCursor(value))).toEqual(value);
  });

  it('produces URL-safe text without padding', () => {
    for (let n = 0; n < 40; n++) {
      const token = encodeCursor({ name: '?'.repeat(n) + '>>>', id: n });
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(token)).toBe(token);
    }
  });

  it('refuses non-finite numbers, which JSON would turn into null', () => {
    expect(() => encodeCursor({ id: Number.NaN })).toThrow(RangeError);
    expect(() => encodeCursor({ x: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$def'],
    ['standard base64 alphabet', Buffer.from('{"id":1}>>?').toString('base64')],
    ['padded', b64('{"id":1}') + '='],
    ['whitespace', ` ${b64('{"id":1}')}`],
    ['not JSON', b64('hello')],
    ['truncated JSON', b64('{"id":1')],
    ['JSON array', b64('[1,2]')],
    ['JSON null', b64('null')],
    ['JSON number', b64('5')],
    ['JSON string', b64('"x"')],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    // Decodes to the same bytes as the canonical eyJpZCI6MX0.
    ['non-canonical trailing bits', 'eyJpZCI6MX1'],
    ['too long', b64(JSON.stringify({ name: 'x'.repeat(10_000) }))],
  ])('returns null for %s', (_label, text) => {
    expect(decodeCursor(text)).toBeNull();
  });

  it('never throws, whatever it is given', () => {
    const inputs: unknown[] = [undefined, null, 5, {}, '====', '-', '_'.repeat(5000)];
    for (const input of inputs) expect(decodeCursor(input as string)).toBeNull();
  });
});
