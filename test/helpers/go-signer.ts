/**
 * Requests as the Terraform provider's Go SDK (golangsdk) builds and signs them, for the clients that are
 * not the Node SDK (shared/spec/orders-billing-terraform.md §3.0). Written from that SDK's documented
 * behaviour, independently of the server's verifier and of the Node SDK core that ./signing.ts drives:
 *
 * - the body is Go `encoding/json` output (./go-json.ts): sorted keys, no HTML escaping, a trailing newline;
 * - the headers set before signing are `Content-Type` (when there is a body), `Accept`, `User-Agent`, the
 *   call's extra headers, and `X-Sdk-Date`; Go keeps the host outside the header map, so it is not signed;
 * - SignedHeaders = every header then present, lower-cased and sorted;
 * - the canonical URI is the decoded path, each segment escaped (A–Z a–z 0–9 - _ . ~ kept), ending in `/`;
 * - the canonical query is the form-decoded query (`+` is a space), keys sorted and each key's values
 *   sorted, escaped the same way — and the signer puts that string on the wire as the query;
 * - each signed header gives one `name:value` line per value (values sorted, trimmed);
 * - the payload hash is an `X-Sdk-Content-Sha256` header's value if there is one, else SHA-256 of the body;
 * - `X-Project-Id` is added after signing, unsigned; the transport adds `Accept-Encoding` and
 *   `Content-Length`, also unsigned.
 */
import { createHash, createHmac } from 'node:crypto';

/** The User-Agent the provider's clients send. */
export const PROVIDER_USER_AGENT = 'terraform-provider-iac golangsdk/2.0.0';

/** Go's http.CanonicalHeaderKey: `x-sdk-date` → `X-Sdk-Date`. */
function canonicalKey(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part === '' ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join('-');
}

/** The escaping of the signer: every byte outside A–Z a–z 0–9 - _ . ~ as upper-case %XX. */
function escapeForSigning(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's url.ParseQuery: split on `&`, `+` is a space, then percent-decoding. */
function parseFormQuery(query: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    const key = decode(eq === -1 ? part : part.slice(0, eq));
    const value = decode(eq === -1 ? '' : part.slice(eq + 1));
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function canonicalQuery(query: string): string {
  const values = parseFormQuery(query);
  return [...values.keys()]
    .sort(byBytes)
    .flatMap((key) => [...values.get(key)!].sort(byBytes).map((v) => `${escapeForSigning(key)}=${escapeForSigning(v)}`))
    .join('&');
}

function canonicalPath(path: string): string {
  const uri = decodeURIComponent(path).split('/').map(escapeForSigning).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

export interface GoSignInput {
  method: string;
  /** Path and query as the caller built the URL (the query need not be canonical yet). */
  url: string;
  /** Go's `req.Header` at signing time: canonical keys, one or more values each. */
  header: Map<string, string[]>;
  body: string | undefined;
  accessKey: string;
  secretKey: string;
  /** `YYYYMMDD'T'HHMMSS'Z'`; the signer sets it when the request has none. */
  sdkDate: string;
}

/**
 * The Go signer's Sign: sets X-Sdk-Date, computes the signature over every header present, sets
 * Authorization, and rewrites the query to its canonical form. Returns the new request line's target.
 */
export function goSign(input: GoSignInput): { url: string; signedHeaders: string[] } {
  const header = input.header;
  if (!header.has('X-Sdk-Date')) header.set('X-Sdk-Date', [input.sdkDate]);
  const date = header.get('X-Sdk-Date')![0]!;
  const signedHeaders = [...header.keys()].map((k) => k.toLowerCase()).sort(byBytes);
  const mark = input.url.indexOf('?');
  const path = mark === -1 ? input.url : input.url.slice(0, mark);
  const query = canonicalQuery(mark === -1 ? '' : input.url.slice(mark + 1));
  const lower = new Map([...header].map(([k, v]) => [k.toLowerCase(), v]));
  const headerLines = signedHeaders.flatMap((name) =>
    [...lower.get(name)!].sort(byBytes).map((value) => `${name}:${value.trim()}`),
  );
  const payload =
    lower.get('x-sdk-content-sha256')?.[0] ??
    createHash('sha256')
      .update(input.body ?? '', 'utf8')
      .digest('hex');
  const canonical = [
    input.method,
    canonicalPath(path),
    query,
    `${headerLines.join('\n')}\n`,
    signedHeaders.join(';'),
    payload,
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const signature = createHmac('sha256', input.secretKey).update(toSign, 'utf8').digest('hex');
  header.set('Authorization', [
    `SDK-HMAC-SHA256 Access=${input.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  ]);
  return { url: query === '' ? path : `${path}?${query}`, signedHeaders };
}

export interface GoRequestInput {
  method: string;
  /** Path and query as the provider builds it, project id substituted. */
  url: string;
  /** The body, already Go-encoded (goJson). */
  body?: string;
  /** The call's MoreHeaders; an empty value removes the header. */
  moreHeaders?: Record<string, string>;
  accessKey: string;
  secretKey: string;
  /** Added after signing as X-Project-Id; none when undefined. */
  projectId?: string;
  sdkDate: string;
  userAgent?: string;
}

export interface GoWireRequest {
  method: string;
  url: string;
  /** Lower-cased names, as a server receives them. */
  headers: Record<string, string>;
  body: string | undefined;
  signedHeaders: string[];
}

/** One request as golangsdk's doRequest sends it (see the module comment), signed. */
export function goRequest(input: GoRequestInput): GoWireRequest {
  const header = new Map<string, string[]>();
  if (input.body !== undefined) header.set('Content-Type', ['application/json']);
  header.set('Accept', ['application/json']);
  header.set('User-Agent', [input.userAgent ?? PROVIDER_USER_AGENT]);
  for (const [name, value] of Object.entries(input.moreHeaders ?? {})) {
    if (value === '') header.delete(canonicalKey(name));
    else header.set(canonicalKey(name), [value]);
  }
  const { url, signedHeaders } = goSign({
    method: input.method,
    url: input.url,
    header,
    body: input.body,
    accessKey: input.accessKey,
    secretKey: input.secretKey,
    sdkDate: input.sdkDate,
  });
  if (input.projectId !== undefined) header.set('X-Project-Id', [input.projectId]);
  const headers: Record<string, string> = {};
  for (const [name, values] of header) headers[name.toLowerCase()] = values.join(', ');
  headers['accept-encoding'] = 'gzip';
  if (input.body !== undefined) headers['content-length'] = String(Buffer.byteLength(input.body));
  return { method: input.method, url, headers, body: input.body, signedHeaders };
}
