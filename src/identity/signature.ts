/**
 * AK/SK request signing as the Huawei Cloud SDKs and API Gateway do it
 * (spec: shared/spec/auth-errors.md §3). Pure functions: no I/O, no clock unless one is passed in.
 *
 * Verification only: clients sign with the official SDKs, and so do the tests (through the Node SDK
 * core, and as the Terraform provider's Go SDK signs, in test/helpers/go-signer.ts), so nothing here is
 * checked against a signer that shares its canonicalisation.
 */
import { hash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { hmacSha256, parseSdkDate } from './signature-parts.js';

export { hmacSha256, parseSdkDate };

export type SigningAlgorithm = 'SDK-HMAC-SHA256' | 'V11-HMAC-SHA256';

/** V11 signs under `<YYYYMMDD>/<regionId>/<service>`: the HKDF info and third line of the string to sign. */
export type SignatureScope =
  | { algorithm: 'SDK-HMAC-SHA256'; credentialScope?: undefined }
  | { algorithm: 'V11-HMAC-SHA256'; credentialScope: string };

/** Header map as Node's `IncomingMessage.headers` gives it (names lower-cased). */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

export type ParsedAuthorization = {
  accessKey: string;
  /** Names exactly as listed in `SignedHeaders=` (the SDK lower-cases them). */
  signedHeaders: string[];
  /** Lower-case hex. */
  signature: string;
} & SignatureScope;

export type VerifyFailureReason =
  'missing' | 'malformed' | 'unknown-key' | 'expired' | 'missing-signed-header' | 'mismatch';

export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: VerifyFailureReason };

export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
/** What an unknown access key's signature is computed with: as long as a real SK, held by nobody. */
const UNKNOWN_KEY_SECRET = randomBytes(30).toString('base64');

// §3.3 step 1. `[^,\s]+` for the credential keeps the SDK's `Access=AK` and OTC's older
// `Credential=AK/date//svc/sdk_request`; the AK is the part before the first `/`.
const SDK_AUTHORIZATION =
  /^SDK-HMAC-SHA256\s+(Access|Credential)=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})$/;
// §3.5: the scope is part of what is signed, so only the `Credential=AK/scope` form makes sense.
const V11_AUTHORIZATION =
  /^V11-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})$/;
const V11_SCOPE = /^(\d{8})\/([^/]*)\/([^/]+)$/;
const UNRESERVED_ONLY = /^[A-Za-z0-9\-_.~]*$/;
const UNRESERVED_PATH = /^[A-Za-z0-9\-_.~/]*$/;

/** A parsed Authorization header without its signature (shared by every header of that prefix: not to be changed). */
type AuthorizationPrefix = SignatureScope & { accessKey: string; signedHeaders: string[]; signature?: string };

/**
 * What the part of an `Authorization` header before its 64 signature digits parsed to. Both patterns end
 * in `Signature=` and exactly 64 hex digits, so a header whose prefix matched once matches again with
 * any other 64 digits, to the same groups: a fleet of clients of one key sends the same prefix with a
 * new signature every time. Bounded; emptied when full.
 */
const PREFIXES = new Map<string, AuthorizationPrefix>();
const PREFIXES_MAX = 256;
const SIGNATURE_HEX = 64;

/** True when the last 64 characters of `text` are hex digits. */
function endsInSignature(text: string): boolean {
  if (text.length <= SIGNATURE_HEX) return false;
  for (let i = text.length - SIGNATURE_HEX; i < text.length; i += 1) {
    const c = text.charCodeAt(i) | 0x20; // A-F to a-f; digits keep their codes
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The header parseAuthorization parsed last, and its answer: a request's header is parsed twice in a row. */
let lastParsed: { header: string; parsed: ParsedAuthorization | null } = { header: '', parsed: null };

/**
 * Parses an `Authorization` header value; `null` when it is not a well-formed AK/SK signature.
 * The answer may be shared with the next caller of the same header: not to be changed.
 */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  // The access key's lookup and the verification both parse the header of one request.
  if (header === lastParsed.header) return lastParsed.parsed;
  const parsed = parseAuthorizationAnew(header);
  lastParsed = { header, parsed };
  return parsed;
}

function parseAuthorizationAnew(header: string): ParsedAuthorization | null {
  if (endsInSignature(header)) {
    const known = PREFIXES.get(header.slice(0, header.length - SIGNATURE_HEX));
    if (known !== undefined) return withSignature(known, header.slice(header.length - SIGNATURE_HEX).toLowerCase());
  }
  const parsed = parseAuthorizationPattern(header);
  if (parsed !== null) {
    if (PREFIXES.size >= PREFIXES_MAX) PREFIXES.clear();
    PREFIXES.set(header.slice(0, header.length - SIGNATURE_HEX), withSignature(parsed, undefined));
  }
  return parsed;
}

// Built key by key: a spread with an added key takes a slow path in V8.
function withSignature(prefix: AuthorizationPrefix, signature: string): ParsedAuthorization;
function withSignature(prefix: AuthorizationPrefix, signature: undefined): AuthorizationPrefix;
function withSignature(prefix: AuthorizationPrefix, signature: string | undefined): AuthorizationPrefix {
  const { accessKey, signedHeaders } = prefix;
  return prefix.algorithm === 'V11-HMAC-SHA256'
    ? { algorithm: prefix.algorithm, accessKey, signedHeaders, signature, credentialScope: prefix.credentialScope }
    : { algorithm: prefix.algorithm, accessKey, signedHeaders, signature };
}

function parseAuthorizationPattern(header: string): ParsedAuthorization | null {
  const sdk = SDK_AUTHORIZATION.exec(header);
  if (sdk) {
    const credential = sdk[2];
    const accessKey = sdk[1] === 'Credential' ? credential.split('/', 1)[0] : credential;
    const signedHeaders = splitSignedHeaders(sdk[3]);
    if (accessKey === '' || signedHeaders === null) return null;
    return { algorithm: 'SDK-HMAC-SHA256', accessKey, signedHeaders, signature: sdk[4].toLowerCase() };
  }
  const v11 = V11_AUTHORIZATION.exec(header);
  if (v11) {
    const credential = v11[1];
    const slash = credential.indexOf('/');
    if (slash <= 0) return null;
    const credentialScope = credential.slice(slash + 1);
    const signedHeaders = splitSignedHeaders(v11[2]);
    if (!V11_SCOPE.test(credentialScope) || signedHeaders === null) return null;
    return {
      algorithm: 'V11-HMAC-SHA256',
      accessKey: credential.slice(0, slash),
      signedHeaders,
      signature: v11[3].toLowerCase(),
      credentialScope,
    };
  }
  return null;
}

function splitSignedHeaders(list: string): string[] | null {
  const names = list.split(';');
  return names.some((name) => name === '') ? null : names;
}

/**
 * The percent-encoding of §3.3 step 5: UTF-8 bytes, unreserved characters kept, every other byte
 * as upper-case `%XX`. Unlike `encodeURIComponent` it also encodes `!'()*`.
 */
export function enc(value: string): string {
  if (UNRESERVED_ONLY.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const isUnreserved =
      (byte >= 0x41 && byte <= 0x5a) || // A-Z
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      (byte >= 0x30 && byte <= 0x39) || // 0-9
      byte === 0x2d ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x7e; // - _ . ~
    out += isUnreserved ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * §3.3 step 5. The raw path is encoded without decoding first, so `%7B` becomes `%257B`: that is what
 * the SDK signs, because it encodes the already-encoded URL path.
 */
export function canonicalUri(rawPath: string): string {
  // A path of unreserved characters and slashes encodes to itself (every segment is kept as it is).
  const uri = UNRESERVED_PATH.test(rawPath) ? rawPath : rawPath.split('/').map(enc).join('/');
  return uri.endsWith('/') ? uri : uri + '/';
}

/**
 * §3.3 step 6. Returns `null` when a key or value holds a malformed percent sequence: such a query has
 * no canonical form, so no signature can match it.
 */
export function canonicalQueryString(rawQuery: string): string | null {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = safeDecode(eq === -1 ? '' : part.slice(eq + 1));
    if (key === null || value === null) return null;
    pairs.push([key, value]);
  }
  // Sorting the pairs by key, then by value, is the same as grouping by key and sorting each group.
  pairs.sort(([ka, va], [kb, vb]) => compareCodeUnits(ka, kb) || compareCodeUnits(va, vb));
  return pairs.map(([key, value]) => `${enc(key)}=${enc(value)}`).join('&');
}

function safeDecode(component: string): string | null {
  try {
    return decodeURIComponent(component);
  } catch {
    return null;
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The value of a header as it enters the canonical request: trimmed, repeated occurrences joined
 * with `, `. Names are matched case-insensitively so callers may pass headers as they wrote them.
 */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  let raw = headers[lower];
  if (raw === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        raw = headers[key];
        break;
      }
    }
  }
  if (raw === undefined) return undefined;
  return typeof raw === 'string' ? raw.trim() : raw.map((v) => v.trim()).join(', ');
}

/** §3.3 step 7: one `name:value\n` line per signed header, in the order given; `null` if one is missing. */
export function canonicalHeaders(signedHeaders: readonly string[], headers: HeaderMap): string | null {
  let out = '';
  for (const name of signedHeaders) {
    const value = headerValue(headers, name);
    if (value === undefined) return null;
    out += `${name}:${value}\n`;
  }
  return out;
}

/**
 * §3.3 step 8. `UNSIGNED-PAYLOAD` leaves the body out of the signature, so it is honoured only when
 * `x-sdk-content-sha256` is itself among the signed headers (both SDKs sign it when they send it): an
 * unsigned header is never trusted to decide what the signature covers. Any other value of the
 * header is not taken on trust either: the body received is hashed, which equals the value the
 * client signed with exactly when the body is the one it signed.
 */
export function hashedPayload(
  body: Buffer | string | undefined,
  headers: HeaderMap,
  signedHeaders: readonly string[],
): string {
  if (
    signedHeaders.some((name) => name.toLowerCase() === 'x-sdk-content-sha256') &&
    headerValue(headers, 'x-sdk-content-sha256') === UNSIGNED_PAYLOAD
  ) {
    return UNSIGNED_PAYLOAD;
  }
  if (body === undefined || body.length === 0) return EMPTY_PAYLOAD_SHA256;
  return sha256Hex(body);
}

export interface CanonicalRequestInput {
  method: string;
  /** Path as received, not percent-decoded. */
  rawPath: string;
  /** Query as received, without the `?`; empty string when there is none. */
  rawQuery: string;
  headers: HeaderMap;
  signedHeaders: readonly string[];
  body: Buffer | string | undefined;
}

/**
 * §3.3 step 9. `null` when the request has no canonical form (a signed header is missing or the query
 * holds a malformed percent sequence).
 */
export function canonicalRequest(input: CanonicalRequestInput): string | null {
  const headerLines = canonicalHeaders(input.signedHeaders, input.headers);
  return headerLines === null ? null : canonicalWithHeaderLines(input, headerLines);
}

/** canonicalRequest once the header lines are known; `null` for a query without a canonical form. */
function canonicalWithHeaderLines(input: CanonicalRequestInput, headerLines: string): string | null {
  const query = canonicalQueryString(input.rawQuery);
  if (query === null) return null;
  const payload = hashedPayload(input.body, input.headers, input.signedHeaders);
  return `${input.method.toUpperCase()}\n${canonicalUri(input.rawPath)}\n${query}\n${headerLines}\n${input.signedHeaders.join(';')}\n${payload}`;
}

export type StringToSignInput = SignatureScope & { sdkDate: string; canonicalRequest: string };

/** §3.3 step 10 and §3.5. */
export function stringToSign(input: StringToSignInput): string {
  const digest = sha256Hex(input.canonicalRequest);
  return input.algorithm === 'V11-HMAC-SHA256'
    ? `${input.algorithm}\n${input.sdkDate}\n${input.credentialScope}\n${digest}`
    : `${input.algorithm}\n${input.sdkDate}\n${digest}`;
}

export type ComputeSignatureInput = StringToSignInput & { secretKey: string; accessKey: string };

/** §3.3 step 11 (SK used directly) and §3.5 (key derived with HKDF from SK, AK and the scope). */
export function computeSignature(input: ComputeSignatureInput): string {
  return signatureBytes(input, input.secretKey, input.accessKey, input.sdkDate, input.canonicalRequest).toString('hex');
}

/** The signature's 32 bytes (arguments apart: an object spread with added keys is slow in V8). */
function signatureBytes(
  scope: SignatureScope,
  secretKey: string,
  accessKey: string,
  sdkDate: string,
  canonical: string,
): Buffer {
  const key =
    scope.algorithm === 'V11-HMAC-SHA256' ? deriveV11Key(secretKey, accessKey, scope.credentialScope) : secretKey;
  const digest = sha256Hex(canonical);
  const toSign =
    scope.algorithm === 'V11-HMAC-SHA256'
      ? `${scope.algorithm}\n${sdkDate}\n${scope.credentialScope}\n${digest}`
      : `${scope.algorithm}\n${sdkDate}\n${digest}`;
  return hmacSha256(key, toSign);
}

/** The V11 signing key: the hex text of HKDF-SHA256(IKM = SK, salt = AK, info = scope, 32 bytes). */
function deriveV11Key(secretKey: string, accessKey: string, credentialScope: string): string {
  return Buffer.from(hkdfSync('sha256', secretKey, accessKey, credentialScope, 32)).toString('hex');
}

export interface VerifyInput {
  method: string;
  /** Request target as received: raw path, optionally `?` and the raw query. */
  rawUrl: string;
  headers: HeaderMap;
  /** Raw body bytes as received, before any parsing. */
  body: Buffer | undefined;
  lookupSecret: (accessKey: string) => string | undefined;
  now: Date;
  maxSkewMs?: number;
  /** The caller looked for a remembered repeat already (VerifiedSignatures.verify): do not look again. */
  recallTried?: boolean;
}

/**
 * Verifies an AK/SK-signed request (§3.3, §3.5). Checks run in the order header, SignedHeaders, date,
 * key, signed headers, signature; the first failure is reported:
 * - `missing`: no `Authorization` header;
 * - `malformed`: the header does not parse, `SignedHeaders` lacks `x-sdk-date`, `X-Sdk-Date`
 *   is not a real `YYYYMMDD'T'HHMMSS'Z'` instant, or a V11 scope names another day than `X-Sdk-Date`;
 * - `missing-signed-header`: `X-Sdk-Date` is absent (checked with the date), or any other signed header is;
 * - `expired`: `X-Sdk-Date` is more than `maxSkewMs` away from `now`, in either direction;
 * - `unknown-key`: `lookupSecret` does not know the AK (found after every other check, the HMAC
 *   included, so that an unknown key costs what a wrong signature costs);
 * - `mismatch`: the signature differs, or the query has no canonical form.
 *
 * Project binding (§3.3 step 13) and temporary credentials (§3.6) are the caller's business.
 */
export function verifySignature(input: VerifyInput): VerifyResult {
  const verified = verifyInDetail(input);
  return verified.ok ? { ok: true, accessKey: verified.accessKey } : verified;
}

/** What a verified signature covered, for VerifiedSignatures to remember without parsing again. */
type Verified =
  | {
      ok: true;
      accessKey: string;
      secretKey: string;
      signedAt: number;
      signedHeaders: readonly string[];
      /** Lower-case hex. */
      signature: string;
    }
  | { ok: false; reason: VerifyFailureReason };

/** The signature a request carries, as bytes (verification is synchronous: one buffer serves every call). */
const GIVEN_SIGNATURE = Buffer.alloc(32);

function verifyInDetail(input: VerifyInput): Verified {
  const authorization = headerValue(input.headers, 'authorization');
  if (authorization === undefined || authorization === '') return fail('missing');
  const parsed = parseAuthorization(authorization);
  if (parsed === null) return fail('malformed');

  // Decision 15 (orders-billing-terraform.md §3.0): only x-sdk-date must be signed. The Node SDK signs
  // host too, but the Go signer of the Terraform provider signs the headers its request holds, which
  // never include host; every header named is verified, whichever they are.
  if (!parsed.signedHeaders.some((name) => name.toLowerCase() === 'x-sdk-date')) return fail('malformed');

  const sdkDate = headerValue(input.headers, 'x-sdk-date');
  if (sdkDate === undefined) return fail('missing-signed-header');
  const signedAt = parseSdkDate(sdkDate);
  if (signedAt === null) return fail('malformed');
  if (parsed.credentialScope !== undefined && !parsed.credentialScope.startsWith(sdkDate.slice(0, 8) + '/')) {
    return fail('malformed');
  }
  if (Math.abs(input.now.getTime() - signedAt) > (input.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)) return fail('expired');

  // An unknown key is checked as far as a known one, against a secret nobody holds, so neither the
  // answer nor the work done tells a caller which access keys exist.
  const knownSecret = input.lookupSecret(parsed.accessKey);
  const secretKey = knownSecret ?? UNKNOWN_KEY_SECRET;

  const headerLines = canonicalHeaders(parsed.signedHeaders, input.headers);
  if (headerLines === null) return fail('missing-signed-header');

  const { path, query } = splitUrl(input.rawUrl);
  const canonical = canonicalWithHeaderLines(
    {
      method: input.method,
      rawPath: path,
      rawQuery: query,
      headers: input.headers,
      signedHeaders: parsed.signedHeaders,
      body: input.body,
    },
    headerLines,
  );
  if (canonical === null) return fail('mismatch');

  const expected = signatureBytes(parsed, secretKey, parsed.accessKey, sdkDate, canonical);
  // The Authorization pattern admits exactly 64 hex digits: 32 bytes, compared in constant time.
  GIVEN_SIGNATURE.write(parsed.signature, 'hex');
  const matches = timingSafeEqual(expected, GIVEN_SIGNATURE);
  if (knownSecret === undefined) return fail('unknown-key');
  if (!matches) return fail('mismatch');
  return {
    ok: true,
    accessKey: parsed.accessKey,
    secretKey: knownSecret,
    signedAt,
    signedHeaders: parsed.signedHeaders,
    signature: parsed.signature,
  };
}

/** A request whose signature verified: what it covered, and under which key and secret. */
export interface RememberedSignature {
  readonly accessKey: string;
  readonly secretKey: string;
  /** X-Sdk-Date, in milliseconds since the epoch. */
  readonly signedAt: number;
  readonly method: string;
  readonly rawUrl: string;
  /** The signed headers' names (lower case) and their values exactly as received. */
  readonly names: readonly string[];
  readonly values: readonly string[];
}

/**
 * Signatures verified lately. The SDK dates a signature to the second, so a client polling faster
 * than once a second sends the very same signed request many times; `recall` recognises such a
 * repeat — the same Authorization header (key, signed header names and signature) over the same
 * method, target and signed header values, byte for byte — without canonicalising and hashing
 * again. Whoever accepts a recalled signature must still hold it against the clock and against the
 * key's current secret, as `verify` does, so a disabled or rotated key stops a remembered signature
 * exactly as it stops a new one. Requests with a body are always verified in full. Bounded to
 * `capacity` entries in two generations of Maps: when the newer one is full the older is dropped,
 * and a recalled entry of the older moves to the newer, so what is recalled stays; cheaper than a
 * least-recently-used list when every request brings a new signature (a fleet of clients).
 */
export class VerifiedSignatures {
  // No age limit of its own: an entry is held against the clock and the key's secret when recalled.
  private newer = new Map<string, RememberedSignature>();
  private older = new Map<string, RememberedSignature>();
  private readonly generation: number;
  /**
   * Signatures verified once, by 32 bits of the signature in a slot chosen by them: a signature is
   * remembered the second time it verifies. Each request of a fleet brings a signature never seen
   * again, and remembering it would only make garbage that lives long enough to reach V8's old space
   * (a run of fresh signatures grew the heap by tens of MiB); a poller's repeat is verified in full
   * twice instead of once. A collision only makes one signature remembered on its first repeat.
   */
  private readonly seen: Int32Array;

  constructor(capacity = 4096) {
    this.generation = Math.max(1, Math.floor(capacity / 2));
    this.seen = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(2, capacity))));
  }

  /** True when this signature verified before (as far as its slot tells); marks it as seen. */
  private seenBefore(signature: string): boolean {
    const fingerprint = Number.parseInt(signature.slice(0, 8), 16) | 0;
    const slot = fingerprint & (this.seen.length - 1);
    if (this.seen[slot] === fingerprint) return true;
    this.seen[slot] = fingerprint;
    return false;
  }

  /** How many verified requests are remembered. */
  get size(): number {
    return this.newer.size + this.older.size;
  }

  private lookUp(authorization: string): RememberedSignature | undefined {
    const newer = this.newer.get(authorization);
    if (newer !== undefined) return newer;
    const older = this.older.get(authorization);
    if (older !== undefined) {
      this.older.delete(authorization);
      this.store(authorization, older);
    }
    return older;
  }

  private store(authorization: string, entry: RememberedSignature): void {
    if (this.newer.size >= this.generation && !this.newer.has(authorization)) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.newer.set(authorization, entry);
  }

  /** The verified request this one repeats exactly, if any (clock and secret not yet checked). */
  recall(method: string, rawUrl: string, headers: HeaderMap): RememberedSignature | undefined {
    const authorization = headers.authorization;
    if (typeof authorization !== 'string') return undefined;
    const hit = this.lookUp(authorization);
    if (hit === undefined || hit.method !== method || hit.rawUrl !== rawUrl) return undefined;
    for (let i = 0; i < hit.names.length; i += 1) if (headers[hit.names[i]!] !== hit.values[i]) return undefined;
    return hit;
  }

  /** verifySignature, answered from memory for an exact repeat of a verified request. */
  verify(input: VerifyInput): VerifyResult {
    const withoutBody = input.body === undefined || input.body.length === 0;
    const hit = withoutBody && !input.recallTried ? this.recall(input.method, input.rawUrl, input.headers) : undefined;
    if (
      hit !== undefined &&
      Math.abs(input.now.getTime() - hit.signedAt) <= (input.maxSkewMs ?? DEFAULT_MAX_SKEW_MS) &&
      input.lookupSecret(hit.accessKey) === hit.secretKey
    ) {
      return { ok: true, accessKey: hit.accessKey };
    }
    const verified = verifyInDetail(input);
    if (!verified.ok) return verified;
    if (withoutBody && this.seenBefore(verified.signature)) this.remember(input, verified);
    return { ok: true, accessKey: verified.accessKey };
  }

  private remember(input: VerifyInput, verified: Verified & { ok: true }): void {
    const authorization = input.headers.authorization;
    if (typeof authorization !== 'string') return;
    const { accessKey, secretKey, signedAt } = verified;
    const names = verified.signedHeaders.map((name) => name.toLowerCase());
    const values: string[] = [];
    for (const name of names) {
      const value = input.headers[name];
      // A repeated header (an array) is joined for signing; such a request is not worth remembering.
      if (typeof value !== 'string') return;
      values.push(value);
    }
    this.store(authorization, {
      accessKey,
      secretKey,
      signedAt,
      method: input.method,
      rawUrl: input.rawUrl,
      names,
      values,
    });
  }
}

function fail(reason: VerifyFailureReason): { ok: false; reason: VerifyFailureReason } {
  return { ok: false, reason };
}

function splitUrl(rawUrl: string): { path: string; query: string } {
  const q = rawUrl.indexOf('?');
  return q === -1 ? { path: rawUrl, query: '' } : { path: rawUrl.slice(0, q), query: rawUrl.slice(q + 1) };
}

function sha256Hex(data: Buffer | string): string {
  return hash('sha256', data, 'hex');
}
