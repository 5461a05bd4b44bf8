// Opaque `continue` tokens for paged lists (quotas-networks.md §2.5). Clients only copy them back,
// so they are base64url JSON; the server must still treat every token as untrusted input.

/** Longer tokens are refused before decoding, so a client cannot make us parse megabytes. */
const MAX_CURSOR_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a position in a list; numbers must be finite so the token decodes to the same value. */
export function encodeCursor(value: { id: number } | Record<string, string | number>): string {
  for (const [key, member] of Object.entries(value)) {
    if (typeof member === 'number' && !Number.isFinite(member)) {
      throw new RangeError(`cursor field "${key}" must be a finite number`);
    }
  }
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The object inside a token, or null for anything we did not issue in this shape. Never throws. */
export function decodeCursor(text: string): Record<string, unknown> | null {
  if (typeof text !== 'string' || text.length > MAX_CURSOR_LENGTH || !BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  // Node's decoder silently drops stray trailing bits; only accept the canonical spelling.
  if (bytes.toString('base64url') !== text) return null;
  try {
    const parsed: unknown = JSON.parse(utf8.decode(bytes));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    return parsed as Record<string, unknown>;
  } catch {
    return null;
  }
}
