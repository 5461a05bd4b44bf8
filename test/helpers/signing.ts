/**
 * The one way tests (and the benchmark) sign a request as the Node SDK does (requests as the Terraform
 * provider's Go SDK signs them come from ./go-signer.ts): through the official SDK core
 * (`@huaweicloud/huaweicloud-sdk-core`, driven by ./sdk-signer.ts), never through the server's own
 * canonicalisation, so a canonicalisation bug that server and client shared could not pass
 * (shared/spec/auth-errors.md §3).
 *
 * The SDK computes the date, the signed header list, the canonical request and the signature; the
 * caller keeps its own request line and body bytes. Both are what the SDK would send as long as the
 * query decodes to the parameters the SDK signed and the body is the compact JSON the SDK writes. A
 * JSON body the SDK does not write the same way (malformed JSON, `null`, other spacing, raw bytes, as
 * hostile-input tests send) is signed by handing the SDK its SHA-256 as `X-Sdk-Content-Sha256`, which
 * the SDK signs in place of hashing the body itself, and sends.
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

  // The SDK would send any type containing application/json as exactly that; a test that sends another
  // spelling gets it signed as written (and, not being exactly application/json, as UNSIGNED-PAYLOAD).
  const rawContentType = contentType !== 'application/json' && contentType.toLowerCase().includes('application/json');
  const sign = (extra: Record<string, string>, body: string | undefined) =>
    sdkRequest({
      method: input.method,
      url: `http://${host}${input.url}`,
      headers: { ...headers, ...extra },
      body,
      ak: input.accessKey,
      sk: input.secretKey,
      projectId: given.get('x-project-id') ?? null,
      derived: input.derived,
      rawContentType,
    });

  const bytes = input.body === undefined ? 0 : input.body.length;
  // The SDK hashes only exactly application/json bodies (anything else it signs as UNSIGNED-PAYLOAD), and
  // only as JSON.stringify of the object it is handed.
  const hashed = contentType.toLowerCase() === 'application/json' && bytes > 0;
  const text = typeof input.body === 'string' ? input.body : undefined;
  let wire = hashed && text !== undefined && sdkHashes(text) ? await sign({}, text) : undefined;
  if (hashed && wire?.body !== text) {
    const digest = createHash('sha256').update(input.body!).digest('hex');
    wire = await sign({ 'X-Sdk-Content-Sha256': digest }, undefined);
  }
  wire ??= await sign({}, undefined);

  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(wire.headers)) sent[name.toLowerCase()] = value;
  sent.host = host;
  return { authorization: sent.authorization!, headers: sent };
}

/** Whether the SDK, handed this body parsed, hashes exactly these bytes (it skips a falsy value). */
function sdkHashes(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return Boolean(value) && JSON.stringify(value) === text;
  } catch {
    return false;
  }
}
