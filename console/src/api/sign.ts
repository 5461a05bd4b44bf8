/**
 * SDK-HMAC-SHA256 in the browser, through WebCrypto: the canonical request the Huawei Cloud SDKs build
 * (method, URI, query, headers, signed header names, body hash), signed with the secret key, which never
 * leaves the page. The server's verifier is src/identity/signature.ts; the browser test signs in with
 * these signatures, so a difference from what the server accepts fails there.
 */

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
const encoder = new TextEncoder();

/** Percent-encoding of UTF-8 bytes, unreserved characters kept, the rest as upper-case `%XX`. */
export function enc(value: string): string {
  if (UNRESERVED.test(value)) return value;
  let out = '';
  for (const byte of encoder.encode(value)) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Each segment of the path as sent (already encoded) encoded again, with a trailing slash. */
export function canonicalUri(path: string): string {
  const uri = path.split('/').map(enc).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** Decoded pairs sorted by key then value, each encoded again. */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith('?') ? search.slice(1) : search;
  const pairs = raw
    .split('&')
    .filter((part) => part !== '')
    .map((part): [string, string] => {
      const eq = part.indexOf('=');
      return eq === -1
        ? [decodeURIComponent(part), '']
        : [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))];
    });
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort(([ka, va], [kb, vb]) => order(ka, kb) || order(va, vb));
  return pairs.map(([key, value]) => `${enc(key)}=${enc(value)}`).join('&');
}

/** `YYYYMMDD'T'HHMMSS'Z'` in UTC, the `X-Sdk-Date` format. */
export function sdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

/** Whether this page may sign: WebCrypto exists only in a secure context (https, localhost, 127.0.0.1). */
export const canSign = (): boolean => typeof crypto !== 'undefined' && crypto.subtle !== undefined;

export interface SignInput {
  method: string;
  url: URL;
  /** Every header to sign besides host and X-Sdk-Date, names as sent. */
  headers: Record<string, string>;
  body: string;
  accessKey: string;
  secretKey: string;
  now?: Date;
}

/** The headers to add to the request: X-Sdk-Date and Authorization. */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const date = sdkDate(input.now ?? new Date());
  const all: Record<string, string> = { host: input.url.host, 'x-sdk-date': date };
  for (const [name, value] of Object.entries(input.headers)) all[name.toLowerCase()] = value.trim();
  const names = Object.keys(all).sort();
  const canonical = [
    input.method.toUpperCase(),
    canonicalUri(input.url.pathname),
    canonicalQuery(input.url.search),
    names.map((name) => `${name}:${all[name]}\n`).join(''),
    names.join(';'),
    await sha256Hex(input.body),
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${date}\n${await sha256Hex(canonical)}`;
  const signature = await hmacHex(input.secretKey, toSign);
  return {
    'X-Sdk-Date': date,
    Authorization: `SDK-HMAC-SHA256 Access=${input.accessKey}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
