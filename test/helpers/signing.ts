/**
 * The one way tests (and the benchmark) sign a request: through the official SDK core
 * (`@huaweicloud/huaweicloud-sdk-core`, driven by ./sdk-signer.ts), never through the server's own
 * canonicalisation, so a canonicalisation bug that server and client shared could not pass
 * (shared/spec/auth-errors.md §3).
 *
 * The SDK computes the date, the signed header list, the canonical request and the signature; the
 * caller keeps its own request line and body bytes. Both are what the SDK would send as long as the
 * query decodes to the parameters the SDK signed and the body is the compact JSON the SDK writes. A
 * body the SDK cannot write (malformed JSON, other spacing, raw bytes, as hostile-input tests send)
 * is signed by handing the SDK its SHA-256 as `X-Sdk-Content-Sha256`, which the SDK signs in place
 * of hashing the body itself, and sends.
 */
import { createHash } from 'node:crypto';
import { sdkRequest } from './sdk-signer.js';

export interface SignRequestInput {
  method: string;
  /** Request target as it will be sent: path, optionally `?` and the already-encoded query. */
  url: string;
  /** Must include `host`; usually `content-type` and `X-Project-Id` too. */
  headers: Readonly<Record<string, string>>;
  body?: Buffer | string;
  accessKey: string;
  secretKey: string;
  /** X-Sdk-Date (`YYYYMMDD'T'HHMMSS'Z'`); defaults to the SDK's own clock. */
  sdkDate?: string;
  /** Sign with V11-HMAC-SHA256 (§3.5) under the scope `<date>/<regionId>/<service>`. */
  derived?: { regionId: string; service: string };
}

export interface SignedRequest {
  authorization: string;
  /**
   * Everything to send, names lower-cased as the server receives them: the caller's headers, and what
   * the SDK adds (X-Sdk-Date, Authorization, and its own Accept and User-Agent).
   */
  headers: Record<string, string>;
}

/** `YYYYMMDD'T'HHMMSS'Z'` in UTC, the `X-Sdk-Date` format. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

// The SDK sets these itself after signing; a value from the caller would be signed and sent twice.
const SET_BY_THE_SDK = new Set(['authorization', 'x-sdk-date', 'host', 'x-project-id', 'user-agent', 'accept']);

/** Signs a request exactly as the official SDK does (see the module comment for the body). */
export async function signRequest(input: SignRequestInput): Promise<SignedRequest> {
  const given = new Map(Object.entries(input.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const host = given.get('host');
  if (host === undefined) throw new TypeError('signRequest: a host header is required');
  const contentType = given.get('content-type') ?? 'application/json';

  const headers: Record<string, string> = { 'content-type': contentType };
  for (const [name, value] of given) if (!SET_BY_THE_SDK.has(name)) headers[name] = value;
  // The SDK reads a given date under exactly this spelling.
  if (input.sdkDate !== undefined) headers['X-Sdk-Date'] = input.sdkDate;

  const text = Buffer.isBuffer(input.body) ? undefined : input.body;
  let body: string | undefined;
  // The SDK hashes JSON.stringify of the object it is handed (and only for exactly application/json).
  if (input.body !== undefined && input.body.length > 0 && contentType.toLowerCase() === 'application/json') {
    if (text !== undefined && isCompactJson(text)) body = text;
    else headers['X-Sdk-Content-Sha256'] = createHash('sha256').update(input.body).digest('hex');
  } else if (text !== undefined && text.length > 0) {
    body = text;
  }

  const wire = await sdkRequest({
    method: input.method,
    url: `http://${host}${input.url}`,
    headers,
    body,
    ak: input.accessKey,
    sk: input.secretKey,
    projectId: given.get('x-project-id') ?? null,
    derived: input.derived,
  });
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(wire.headers)) sent[name.toLowerCase()] = value;
  sent.host = host;
  return { authorization: sent.authorization!, headers: sent };
}

function isCompactJson(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}
