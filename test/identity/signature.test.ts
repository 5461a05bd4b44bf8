import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  EMPTY_PAYLOAD_SHA256,
  enc,
  type HeaderMap,
  parseAuthorization,
  parseSdkDate,
  VerifiedSignatures,
  verifySignature,
  type VerifyInput,
} from '../../src/identity/signature.js';
import { signRequest } from '../helpers/signing.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Splits an absolute URL into what a server sees on the request line. */
function target(url: string): { rawUrl: string; rawPath: string; rawQuery: string } {
  const rawUrl = url.replace(/^https?:\/\/[^/]+/, '');
  const q = rawUrl.indexOf('?');
  return q === -1
    ? { rawUrl, rawPath: rawUrl, rawQuery: '' }
    : { rawUrl, rawPath: rawUrl.slice(0, q), rawQuery: rawUrl.slice(q + 1) };
}

describe('§3.4 A — Huawei API-signing guide vector', () => {
  const AK = 'QTWAOYTTINDUT2QVKYUC';
  const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
  const url =
    'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0';
  const headers = {
    'content-type': 'application/json',
    host: 'service.region.example.com',
    'x-sdk-date': '20191115T033655Z',
  };
  const signedHeaders = ['content-type', 'host', 'x-sdk-date'];
  const { rawUrl, rawPath, rawQuery } = target(url);

  it('canonicalises URI and query as the guide does', () => {
    expect(canonicalUri(rawPath)).toBe('/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/');
    expect(canonicalQueryString(rawQuery)).toBe('limit=2&marker=13551d6b-755d-4757-b956-536f674975c0');
  });

  it('hashes the canonical request and signs it to the published values', () => {
    const canonical = canonicalRequest({ method: 'GET', rawPath, rawQuery, headers, signedHeaders, body: undefined });
    expect(canonical).not.toBeNull();
    expect(sha256(canonical!)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    const signature = computeSignature({
      algorithm: 'SDK-HMAC-SHA256',
      secretKey: SK,
      accessKey: AK,
      sdkDate: headers['x-sdk-date'],
      canonicalRequest: canonical!,
    });
    expect(signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
  });

  it('verifies the request end to end', () => {
    const authorization =
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, ` +
      'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe';
    const result = verifySignature({
      method: 'GET',
      rawUrl,
      headers: { ...headers, authorization },
      body: undefined,
      lookupSecret: (ak) => (ak === AK ? SK : undefined),
      now: new Date('2019-11-15T03:36:55Z'),
    });
    expect(result).toEqual({ ok: true, accessKey: AK });
  });
});

describe('§3.4 B — captured from the real Node SDK', () => {
  const AK = 'AKEXAMPLE0000000001';
  const SK = 'SKEXAMPLEsecretkey0000000000000000000001';
  const PROJECT = '0123456789abcdef0123456789abcdef';
  const SDK_DATE = '20261123T151301Z';
  const SIGNED_HEADERS = 'content-type;host;x-project-id;x-sdk-date';
  const baseHeaders = {
    'content-type': 'application/json',
    host: '127.0.0.1:43331',
    'x-project-id': PROJECT,
    'x-sdk-date': SDK_DATE,
  };
  const networkBody =
    '{"apiVersion":"v1","kind":"Network","metadata":{"labels":{"os.modelarts/name":"net-demo"}},"spec":{"cidr":"192.168.128.0/17"}}';

  const rows = [
    {
      name: 'GET quotas',
      method: 'GET',
      rawUrl: `/v1/${PROJECT}/quotas`,
      body: undefined,
      payloadHash: EMPTY_PAYLOAD_SHA256,
      canonicalHash: 'd4aa41aa7bb7185c86ee4034164af93d67896b61cbaa50cf49ed7f967c3c6f87',
      signature: '7ffa318610ece9ff793479d7fee82c0b98021c01cefd7cdff0cca92900ff1e42',
    },
    {
      name: 'GET networks with a reserved-character query',
      method: 'GET',
      rawUrl: `/v1/${PROJECT}/networks?labelSelector=os.modelarts%2Fworkspace.id%3D0&limit=10&continue=abc%20def%2B%2F%3D`,
      body: undefined,
      payloadHash: EMPTY_PAYLOAD_SHA256,
      canonicalHash: 'a2340d457c6c171dcc9ccb00d7d0bae4dcdc0d5616abb3076063778a3d0740f2',
      signature: 'be4c02da5a52ebfa3ee4fe6a0a0fe95a5dafe44f29ccc697768ebc92169c62b9',
    },
    {
      name: 'POST networks with a JSON body',
      method: 'POST',
      rawUrl: `/v1/${PROJECT}/networks`,
      body: Buffer.from(networkBody),
      payloadHash: 'd3b034890b148675f02e807ab2394d101b61929aeeb5703d432f434e214ef206',
      canonicalHash: '68ea613f8490db7a0b6f075cd1d863b4b625d532d5f3aa2b08a9fa55f5197c34',
      signature: 'f41fff21b2ad72ddab75409aca6a4ee2c7b874598156dec344ed8d1a028b9d46',
    },
  ];

  for (const row of rows) {
    describe(row.name, () => {
      const { rawPath, rawQuery } = target(row.rawUrl);
      const canonical = canonicalRequest({
        method: row.method,
        rawPath,
        rawQuery,
        headers: baseHeaders,
        signedHeaders: SIGNED_HEADERS.split(';'),
        body: row.body,
      });

      it('reproduces the payload hash, canonical-request hash and signature', () => {
        expect(canonical).not.toBeNull();
        expect(canonical!.split('\n').at(-1)).toBe(row.payloadHash);
        expect(sha256(canonical!)).toBe(row.canonicalHash);
        expect(
          computeSignature({
            algorithm: 'SDK-HMAC-SHA256',
            secretKey: SK,
            accessKey: AK,
            sdkDate: SDK_DATE,
            canonicalRequest: canonical!,
          }),
        ).toBe(row.signature);
      });

      it('verifies with the clock check effectively disabled', () => {
        const result = verifySignature({
          method: row.method,
          rawUrl: row.rawUrl,
          headers: {
            ...baseHeaders,
            authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${SIGNED_HEADERS}, Signature=${row.signature}`,
          },
          body: row.body,
          lookupSecret: (ak) => (ak === AK ? SK : undefined),
          now: new Date(),
          maxSkewMs: Number.POSITIVE_INFINITY,
        });
        expect(result).toEqual({ ok: true, accessKey: AK });
      });
    });
  }

  it('builds the exact canonical request text of row 2', () => {
    const { rawPath, rawQuery } = target(rows[1].rawUrl);
    const canonical = canonicalRequest({
      method: 'GET',
      rawPath,
      rawQuery,
      headers: baseHeaders,
      signedHeaders: SIGNED_HEADERS.split(';'),
      body: undefined,
    });
    expect(canonical).toBe(
      [
        'GET',
        '/v1/0123456789abcdef0123456789abcdef/networks/',
        'continue=abc%20def%2B%2F%3D&labelSelector=os.modelarts%2Fworkspace.id%3D0&limit=10',
        'content-type:application/json',
        'host:127.0.0.1:43331',
        'x-project-id:0123456789abcdef0123456789abcdef',
        'x-sdk-date:20261123T151301Z',
        '',
        'content-type;host;x-project-id;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
  });
});

describe('canonicalisation details', () => {
  it('encodes every byte outside A-Z a-z 0-9 - _ . ~ as upper-case %XX of its UTF-8', () => {
    expect(enc('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(enc(" !'()*+/:=?@%")).toBe('%20%21%27%28%29%2A%2B%2F%3A%3D%3F%40%25');
    expect(enc('é€😀')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80');
  });

  it('re-encodes an already-encoded path segment, as the SDK does', () => {
    expect(canonicalUri('/v1/%7Bproject_id%7D/pools')).toBe('/v1/%257Bproject_id%257D/pools/');
    expect(canonicalUri('/v1/p/pools/')).toBe('/v1/p/pools/');
    expect(canonicalUri('')).toBe('/');
  });

  it('decodes the query without form semantics, groups repeated keys and sorts by code unit', () => {
    expect(canonicalQueryString('b=2&a=z&a=y&B=1&&flag&plus=a+b')).toBe('B=1&a=y&a=z&b=2&flag=&plus=a%2Bb');
    expect(canonicalQueryString('')).toBe('');
  });

  it('reports a malformed percent sequence as null instead of throwing', () => {
    expect(canonicalQueryString('a=%zz')).toBeNull();
    expect(canonicalQueryString('%E0%A4%A=1')).toBeNull();
  });

  it('joins repeated header occurrences with ", " and trims values', () => {
    const canonical = canonicalRequest({
      method: 'get',
      rawPath: '/',
      rawQuery: '',
      headers: { host: '  h  ', 'x-multi': [' a ', 'b'] },
      signedHeaders: ['host', 'x-multi'],
      body: undefined,
    });
    expect(canonical).toBe(`GET\n/\n\nhost:h\nx-multi:a, b\n\nhost;x-multi\n${EMPTY_PAYLOAD_SHA256}`);
  });

  it('uses UNSIGNED-PAYLOAD when the client asks for it', () => {
    const canonical = canonicalRequest({
      method: 'PUT',
      rawPath: '/',
      rawQuery: '',
      headers: { host: 'h', 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' },
      signedHeaders: ['host', 'x-sdk-content-sha256'],
      body: Buffer.from('anything'),
    });
    expect(canonical!.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
  });

  it('hashes the body when X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is not itself signed', () => {
    const canonical = canonicalRequest({
      method: 'PUT',
      rawPath: '/',
      rawQuery: '',
      headers: { 'x-sdk-date': '20261123T151301Z', 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' },
      signedHeaders: ['x-sdk-date'],
      body: Buffer.from('anything'),
    });
    expect(canonical!.split('\n').at(-1)).toBe(createHash('sha256').update('anything').digest('hex'));
  });

  it('accepts only real instants as X-Sdk-Date', () => {
    expect(parseSdkDate('20261123T151301Z')).toBe(Date.UTC(2026, 10, 23, 15, 13, 1));
    expect(parseSdkDate('20250230T000000Z')).toBeNull();
    expect(parseSdkDate('20261123T151301')).toBeNull();
    expect(parseSdkDate('2026-11-23T15:13:01Z')).toBeNull();
  });
});

describe('parseAuthorization', () => {
  const sig = 'A'.repeat(64);

  it('reads the SDK form and lower-cases the signature', () => {
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig}`)).toEqual({
      algorithm: 'SDK-HMAC-SHA256',
      accessKey: 'AK1',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: 'a'.repeat(64),
    });
  });

  it('reads the older Credential= form, taking the AK before the first /', () => {
    const parsed = parseAuthorization(
      `SDK-HMAC-SHA256   Credential=AK1/20191115//vpc/sdk_request,SignedHeaders=host;x-sdk-date,  Signature=${sig}`,
    );
    expect(parsed?.accessKey).toBe('AK1');
    expect(parsed?.credentialScope).toBeUndefined();
  });

  it('reads the V11 form and keeps its scope', () => {
    expect(
      parseAuthorization(
        `V11-HMAC-SHA256 Credential=AK1/20261123/region-1/modelarts, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
      ),
    ).toEqual({
      algorithm: 'V11-HMAC-SHA256',
      accessKey: 'AK1',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: 'a'.repeat(64),
      credentialScope: '20261123/region-1/modelarts',
    });
  });

  it.each([
    '',
    'Bearer abc',
    `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig.slice(1)}`,
    `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${'g'.repeat(64)}`,
    `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;;x-sdk-date, Signature=${sig}`,
    `SDK-HMAC-SHA256 Access=AK1, Signature=${sig}`,
    `SDK-HMAC-SHA256 Credential=/20191115, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
    `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig} trailing`,
    `V11-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
    `V11-HMAC-SHA256 Credential=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
    `V11-HMAC-SHA256 Credential=AK1/2026112/r/s, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
    `V11-HMAC-SHA256 Credential=AK1/20261123/r/s/extra, SignedHeaders=host;x-sdk-date, Signature=${sig}`,
  ])('rejects %j', (header) => {
    expect(parseAuthorization(header)).toBeNull();
  });
});

describe('verifySignature with the SDK signer', () => {
  const AK = 'AKTEST00000000000001';
  const SK = 'SKtest-secret-000000000000000000000001';
  const PROJECT = 'fedcba9876543210fedcba9876543210';
  const NOW = new Date('2026-03-01T08:00:00Z');
  const SDK_DATE = '20260301T080000Z';
  const lookupSecret = (ak: string) => (ak === AK ? SK : undefined);

  interface Sent {
    method: string;
    rawUrl: string;
    headers: HeaderMap;
    body: Buffer | undefined;
  }

  /** Signs through the SDK, then lower-cases header names as Node's HTTP parser would hand them over. */
  async function sign(overrides: Partial<Parameters<typeof signRequest>[0]> = {}): Promise<Sent> {
    const input = {
      method: 'POST',
      url: `/v1/${PROJECT}/pools?workspaceId=0&labelSelector=os.modelarts%2Fname%3Dp%201`,
      headers: {
        'content-type': 'application/json',
        host: 'atelier.example:8443',
        'X-Project-Id': PROJECT,
        'User-Agent': 'huaweicloud-usdk-nodejs/3.0',
      },
      body: '{"kind":"Pool","metadata":{"name":"p1"}}',
      accessKey: AK,
      secretKey: SK,
      sdkDate: SDK_DATE,
      ...overrides,
    };
    const signed = await signRequest(input);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
    return {
      method: input.method,
      rawUrl: input.url,
      headers,
      body: input.body === undefined ? undefined : Buffer.from(input.body),
    };
  }

  function verify(sent: Sent, extra: Partial<VerifyInput> = {}) {
    return verifySignature({ ...sent, lookupSecret, now: NOW, ...extra });
  }

  function withHeaders(sent: Sent, changes: HeaderMap): Sent {
    return { ...sent, headers: { ...sent.headers, ...changes } };
  }

  it('signs content-type, host, x-project-id and x-sdk-date, not the transport headers', async () => {
    const sent = await sign();
    expect(sent.headers.authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=AKTEST00000000000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(sent.headers['x-sdk-date']).toBe(SDK_DATE);
  });

  it('accepts an untouched request', async () => {
    expect(verify(await sign())).toEqual({ ok: true, accessKey: AK });
  });

  it('accepts GET and DELETE without a body', async () => {
    expect(verify(await sign({ method: 'GET', body: undefined }))).toEqual({ ok: true, accessKey: AK });
    expect(verify(await sign({ method: 'DELETE', url: `/v1/${PROJECT}/pools/p1`, body: undefined }))).toEqual({
      ok: true,
      accessKey: AK,
    });
  });

  it('accepts a V11 (derived key) signature and rejects it once tampered', async () => {
    const sent = await sign({ derived: { regionId: 'region-1', service: 'modelarts' } });
    expect(sent.headers.authorization).toMatch(
      /^V11-HMAC-SHA256 Credential=AKTEST00000000000001\/20260301\/region-1\/modelarts, SignedHeaders=/,
    );
    expect(verify(sent)).toEqual({ ok: true, accessKey: AK });
    expect(verify({ ...sent, body: Buffer.from('{}') })).toEqual({ ok: false, reason: 'mismatch' });

    const otherScope = String(sent.headers.authorization).replace('/region-1/', '/region-2/');
    expect(verify(withHeaders(sent, { authorization: otherScope }))).toEqual({ ok: false, reason: 'mismatch' });
    const otherDay = String(sent.headers.authorization).replace('/20260301/', '/20260302/');
    expect(verify(withHeaders(sent, { authorization: otherDay }))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('derives the V11 key as HKDF-SHA256(SK, salt AK, info scope) per §3.5', async () => {
    const canonical = 'GET\n/\n\nhost:h\nx-sdk-date:20260301T080000Z\n\nhost;x-sdk-date\n' + EMPTY_PAYLOAD_SHA256;
    const scope = '20260301/region-1/modelarts';
    const prk = createHmac('sha256', AK).update(SK).digest();
    const okm = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from(scope), Buffer.from([1])]))
      .digest('hex');
    const stringToSign = `V11-HMAC-SHA256\n${SDK_DATE}\n${scope}\n${sha256(canonical)}`;
    expect(
      computeSignature({
        algorithm: 'V11-HMAC-SHA256',
        secretKey: SK,
        accessKey: AK,
        sdkDate: SDK_DATE,
        canonicalRequest: canonical,
        credentialScope: scope,
      }),
    ).toBe(createHmac('sha256', okm).update(stringToSign).digest('hex'));
  });

  describe('rejects a tampered request', () => {
    it('method', async () => {
      expect(verify({ ...(await sign()), method: 'PUT' })).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('path', async () => {
      const sent = await sign();
      expect(verify({ ...sent, rawUrl: sent.rawUrl.replace('/pools', '/networks') })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });

    it('query value', async () => {
      const sent = await sign();
      expect(verify({ ...sent, rawUrl: sent.rawUrl.replace('workspaceId=0', 'workspaceId=1') })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    });

    it('added query parameter', async () => {
      const sent = await sign();
      expect(verify({ ...sent, rawUrl: sent.rawUrl + '&limit=1' })).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('one body byte', async () => {
      const sent = await sign();
      const body = Buffer.from(sent.body!);
      body[body.length - 3] ^= 1;
      expect(verify({ ...sent, body })).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('a signed header value', async () => {
      const sent = await sign();
      expect(verify(withHeaders(sent, { 'x-project-id': '00000000000000000000000000000000' }))).toEqual({
        ok: false,
        reason: 'mismatch',
      });
      expect(verify(withHeaders(sent, { host: 'elsewhere.example:8443' }))).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('the signature itself', async () => {
      const sent = await sign();
      const auth = String(sent.headers.authorization);
      const flipped = auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0');
      expect(verify(withHeaders(sent, { authorization: flipped }))).toEqual({ ok: false, reason: 'mismatch' });
    });

    it('a malformed percent sequence in the query', async () => {
      const sent = await sign();
      expect(verify({ ...sent, rawUrl: sent.rawUrl + '&x=%E0%A4' })).toEqual({ ok: false, reason: 'mismatch' });
    });
  });

  it('ignores changes to headers that were not signed', async () => {
    const sent = await sign();
    expect(
      verify(withHeaders(sent, { 'user-agent': 'curl/8', accept: '*/*', 'content-length': '42', 'x-request-id': 'r' })),
    ).toEqual({ ok: true, accessKey: AK });
  });

  it('accepts a signed header value with surrounding whitespace and an upper-case signature', async () => {
    const sent = await sign();
    const auth = String(sent.headers.authorization);
    const upper = auth.replace(/Signature=([0-9a-f]{64})$/, (_, s: string) => `Signature=${s.toUpperCase()}`);
    expect(verify(withHeaders(sent, { 'x-project-id': `  ${PROJECT} `, authorization: upper }))).toEqual({
      ok: true,
      accessKey: AK,
    });
  });

  describe('clock skew', () => {
    const fifteenMinutes = 15 * 60 * 1000;

    it('accepts exactly ±15 minutes', async () => {
      const sent = await sign();
      expect(verify(sent, { now: new Date(NOW.getTime() + fifteenMinutes) }).ok).toBe(true);
      expect(verify(sent, { now: new Date(NOW.getTime() - fifteenMinutes) }).ok).toBe(true);
    });

    it('rejects a request signed more than 15 minutes ago', async () => {
      expect(verify(await sign(), { now: new Date(NOW.getTime() + fifteenMinutes + 1000) })).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('rejects a request dated more than 15 minutes ahead', async () => {
      expect(verify(await sign(), { now: new Date(NOW.getTime() - fifteenMinutes - 1000) })).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('honours a custom window', async () => {
      expect(verify(await sign(), { now: new Date(NOW.getTime() + 61_000), maxSkewMs: 60_000 })).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('rejects an X-Sdk-Date that is not in the SDK format', async () => {
      const sent = withHeaders(await sign(), { 'x-sdk-date': '2026-03-01T08:00:00Z' });
      expect(verify(sent)).toEqual({ ok: false, reason: 'malformed' });
    });
  });

  it('rejects an unknown access key', async () => {
    expect(verify(await sign({ accessKey: 'AKNOBODY' }))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('rejects a request without Authorization', async () => {
    const { authorization: _dropped, ...headers } = (await sign()).headers;
    expect(verify({ ...(await sign()), headers })).toEqual({ ok: false, reason: 'missing' });
  });

  it('rejects a malformed Authorization', async () => {
    expect(verify(withHeaders(await sign(), { authorization: 'SDK-HMAC-SHA256 Access=AK, Signature=zz' }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verify(withHeaders(await sign(), { authorization: 'Basic dXNlcjpwYXNz' }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('rejects SignedHeaders without x-sdk-date; without host (decision 15) the signature must still match', async () => {
    const sent = await sign();
    const auth = String(sent.headers.authorization);
    const noDate = auth.replace('content-type;host;x-project-id;x-sdk-date', 'content-type;host;x-project-id');
    const noHost = auth.replace('content-type;host;x-project-id;x-sdk-date', 'content-type;x-project-id;x-sdk-date');
    expect(verify(withHeaders(sent, { authorization: noDate }))).toEqual({ ok: false, reason: 'malformed' });
    // The SDK signed host: leaving it out of the list changes the canonical request.
    expect(verify(withHeaders(sent, { authorization: noHost }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects a request missing a header it claims to have signed', async () => {
    expect(verify(withHeaders(await sign(), { 'x-project-id': undefined }))).toEqual({
      ok: false,
      reason: 'missing-signed-header',
    });
    expect(verify(withHeaders(await sign(), { 'x-sdk-date': undefined }))).toEqual({
      ok: false,
      reason: 'missing-signed-header',
    });
  });
});

describe('VerifiedSignatures: repeats of a verified signature', () => {
  const AK = 'AKMEMO00000000000001';
  const SK = 'SKmemo-secret-000000000000000000000001';
  const NOW = new Date('2026-03-01T08:00:00Z');
  const url = '/v1/p1/quotas';

  async function sent(overrides: Partial<Parameters<typeof signRequest>[0]> = {}) {
    const signed = await signRequest({
      method: 'GET',
      url,
      headers: { host: 'atelier.example', 'content-type': 'application/json' },
      accessKey: AK,
      secretKey: SK,
      sdkDate: '20260301T080000Z',
      ...overrides,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
    return { method: 'GET', rawUrl: overrides.url ?? url, headers, body: undefined as Buffer | undefined };
  }

  it('accepts a repeat without verifying it again, and refuses what a full verification refuses', async () => {
    const memo = new VerifiedSignatures();
    let lookups = 0;
    const lookupSecret = (ak: string) => {
      lookups += 1;
      return ak === AK ? SK : undefined;
    };
    const request = await sent();
    expect(memo.verify({ ...request, lookupSecret, now: NOW })).toEqual({ ok: true, accessKey: AK });
    expect(lookups).toBe(1);
    expect(memo.verify({ ...request, lookupSecret, now: NOW })).toEqual({ ok: true, accessKey: AK });
    // The repeat still asks for the current secret (a disabled key stops it).
    expect(lookups).toBe(2);
    // Seen twice, it is remembered: the next repeat is recalled, not verified again.
    expect(memo.recall('GET', url, request.headers)).toBeDefined();
    // A changed signed header, path or signature is a different request.
    expect(
      memo.verify({ ...request, headers: { ...request.headers, host: 'elsewhere' }, lookupSecret, now: NOW }),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(memo.verify({ ...request, rawUrl: '/v1/p2/quotas', lookupSecret, now: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    const forged = request.headers.authorization!.replace(/Signature=.{4}/, 'Signature=0000');
    expect(
      memo.verify({ ...request, headers: { ...request.headers, authorization: forged }, lookupSecret, now: NOW }),
    ).toMatchObject({ ok: false });
  });

  it('refuses a remembered signature once its key is disabled or rotated, or once X-Sdk-Date is 15 minutes away', async () => {
    const memo = new VerifiedSignatures();
    const request = await sent();
    expect(memo.verify({ ...request, lookupSecret: () => SK, now: NOW }).ok).toBe(true);
    expect(memo.verify({ ...request, lookupSecret: () => undefined, now: NOW })).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    expect(memo.verify({ ...request, lookupSecret: () => 'another secret', now: NOW })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const later = new Date(NOW.getTime() + 15 * 60_000 + 1_000);
    expect(memo.verify({ ...request, lookupSecret: () => SK, now: later })).toEqual({ ok: false, reason: 'expired' });
  });

  it('never remembers a request with a body, and holds no more entries than its capacity', async () => {
    const memo = new VerifiedSignatures(2);
    const withBody = { ...(await sent({ method: 'POST', body: '{}' })), method: 'POST', body: Buffer.from('{}') };
    expect(memo.verify({ ...withBody, lookupSecret: () => SK, now: NOW }).ok).toBe(true);
    expect(memo.verify({ ...withBody, body: Buffer.from('{"x":1}'), lookupSecret: () => SK, now: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(memo.size).toBe(0);
    for (const path of ['/v1/a/quotas', '/v1/b/quotas', '/v1/c/quotas']) {
      const request = await sent({ url: path });
      // Remembered from its second verification on.
      expect(memo.verify({ ...request, lookupSecret: () => SK, now: NOW }).ok).toBe(true);
      expect(memo.verify({ ...request, lookupSecret: () => SK, now: NOW }).ok).toBe(true);
    }
    expect(memo.size).toBe(2);
  });
});
