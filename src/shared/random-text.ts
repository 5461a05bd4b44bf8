import { randomFillSync } from 'node:crypto';

/**
 * Random text for generated names and ids (not secrets: those take their own
 * randomBytes), drawn from a block of the system's CSPRNG filled a few kilobytes
 * at a time. A lifecycle makes several such names, and each randomBytes call is
 * a trip into the CSPRNG for a handful of bytes.
 */
const block = Buffer.alloc(4096);
let used = block.length;

function take(n: number): number {
  if (used + n > block.length) {
    randomFillSync(block);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/** `bytes` random bytes as lowercase hex (twice as many characters). */
export function randomHex(bytes: number): string {
  const at = take(bytes);
  return block.toString('hex', at, at + bytes);
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random characters of [a-z0-9], one byte each (as the names always were made). */
export function randomNameChars(n: number): string {
  const at = take(n);
  let out = '';
  for (let i = at; i < at + n; i += 1) out += NAME_ALPHABET[block[i]! % NAME_ALPHABET.length];
  return out;
}
