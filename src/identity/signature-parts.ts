/**
 * The two pieces of AK/SK verification that run on every signed request and are written for speed:
 * the HMAC and the reading of X-Sdk-Date (test/identity/signature-fast.test.ts holds both to the
 * plain forms: `createHmac`, a pattern and `Date.UTC`).
 */
import { hash } from 'node:crypto';

const HMAC_BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104) of UTF-8 texts with two one-shot hashes: the same bytes as
 * `createHmac('sha256', key).update(message).digest()` (test/identity/signature-fast.test.ts holds
 * them together), without the cost of building a streaming Hmac object for every request.
 */
export function hmacSha256(key: string, message: string): Buffer {
  const pads = hmacPads(key);
  const inner = Buffer.allocUnsafe(HMAC_BLOCK + Buffer.byteLength(message, 'utf8'));
  const outer = Buffer.allocUnsafe(HMAC_BLOCK + 32);
  pads.copy(inner, 0, 0, HMAC_BLOCK);
  pads.copy(outer, 0, HMAC_BLOCK, 2 * HMAC_BLOCK);
  inner.write(message, HMAC_BLOCK, 'utf8');
  hash('sha256', inner, 'buffer').copy(outer, HMAC_BLOCK);
  return hash('sha256', outer, 'buffer');
}

// The last key's padded forms: a fleet of clients mostly signs with few keys, one after another.
let lastKey: string | undefined;
let lastPads = Buffer.alloc(2 * HMAC_BLOCK);

/** The key XOR ipad (bytes 0–63) and XOR opad (64–127), the key hashed first when longer than a block. */
function hmacPads(key: string): Buffer {
  if (key === lastKey) return lastPads;
  let k = Buffer.from(key, 'utf8');
  if (k.length > HMAC_BLOCK) k = hash('sha256', k, 'buffer');
  const pads = Buffer.allocUnsafeSlow(2 * HMAC_BLOCK);
  for (let i = 0; i < HMAC_BLOCK; i += 1) {
    const byte = i < k.length ? k[i]! : 0;
    pads[i] = byte ^ 0x36;
    pads[HMAC_BLOCK + i] = byte ^ 0x5c;
  }
  lastKey = key;
  lastPads = pads;
  return pads;
}

/** Milliseconds since the epoch, or `null` unless the text is a real UTC instant in the SDK's format. */
export function parseSdkDate(text: string): number | null {
  // YYYYMMDD'T'HHMMSS'Z', read digit by digit (this runs on every request; a pattern and Date objects cost more).
  if (text.length !== 16 || text.charCodeAt(8) !== 0x54 || text.charCodeAt(15) !== 0x5a) return null;
  const y = digits(text, 0, 4);
  const mo = digits(text, 4, 6);
  const d = digits(text, 6, 8);
  const h = digits(text, 9, 11);
  const mi = digits(text, 11, 13);
  const s = digits(text, 13, 15);
  // Date.UTC reads a year below 100 as 19YY: no such instant has the SDK's form.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return null;
  }
  if (s < 0 || s > 59) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** The decimal number text[from, to) spells, or -1 when a character is not an ASCII digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** Days of a month of the proleptic Gregorian calendar, as Date.UTC counts them. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}
