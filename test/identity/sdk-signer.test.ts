import { describe, expect, it } from 'vitest';
import { parseAuthorization, verifySignature } from '../../src/identity/signature.js';
import { sdkRequest, sdkSign, type SdkSignInput, type SdkWireRequest } from '../helpers/sdk-signer.js';

const AK = 'AKSDKTEST00000000001';
const SK = 'SKsdk-test-secret-0000000000000000000001';
const PROJECT = '0123456789abcdef0123456789abcdef';
const ENDPOINT = 'http://127.0.0.1:8080';
const lookupSecret = (ak: string) => (ak === AK ? SK : undefined);

/** Hands the SDK's request to the verifier the way Node's HTTP server would: lower-cased header names. */
function verifyWire(wire: SdkWireRequest, now = new Date()) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(wire.headers)) headers[name.toLowerCase()] = value;
  return verifySignature({
    method: wire.method,
    rawUrl: wire.url,
    headers,
    body: wire.body === undefined ? undefined : Buffer.from(wire.body, 'utf8'),
    lookupSecret,
    now,
  });
}

async function viaSdk(input: Omit<SdkSignInput, 'ak' | 'sk'>): Promise<SdkWireRequest> {
  return sdkRequest({ ak: AK, sk: SK, ...input });
}

describe('requests signed by the official SDK verify with verifySignature', () => {
  it('GET with reserved characters, a space and a + in the query', async () => {
    const wire = await viaSdk({
      method: 'GET',
      url:
        `${ENDPOINT}/v1/${PROJECT}/networks?labelSelector=${encodeURIComponent('os.modelarts/workspace.id=0')}` +
        `&limit=10&continue=${encodeURIComponent('abc def+/=')}&name=${encodeURIComponent('a b')}&tag=x&tag=a`,
    });
    expect(wire.method).toBe('GET');
    // The SDK serialises with querystring.stringify: space → %20, + → %2B, / → %2F, = → %3D. Repeated
    // values come out sorted because AKSKSigner sorts the caller's array in place while signing.
    expect(wire.url).toBe(
      `/v1/${PROJECT}/networks?labelSelector=os.modelarts%2Fworkspace.id%3D0&limit=10` +
        '&continue=abc%20def%2B%2F%3D&name=a%20b&tag=a&tag=x',
    );
    expect(wire.body).toBeUndefined();
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('POST with a JSON body', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: { labels: { 'os.modelarts/name': 'net-demo' } },
      spec: { cidr: '192.168.128.0/17' },
    };
    const wire = await viaSdk({
      method: 'POST',
      url: `${ENDPOINT}/v1/${PROJECT}/networks`,
      body: JSON.stringify(body),
    });
    expect(wire.body).toBe(JSON.stringify(body));
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
    expect(verifyWire({ ...wire, body: wire.body!.replace('net-demo', 'net-demp') })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('PATCH with a JSON body and an operation header', async () => {
    const wire = await viaSdk({
      method: 'PATCH',
      url: `${ENDPOINT}/v2/${PROJECT}/pools/pool-a1b2`,
      headers: { 'X-ModelArts-User-ID': 'user-42' },
      body: JSON.stringify({ metadata: { labels: { team: 'a b' } }, spec: { resources: [{ count: 2 }] } }),
    });
    expect(parseAuthorization(wire.headers.Authorization)?.signedHeaders).toEqual([
      'content-type',
      'host',
      'x-modelarts-user-id',
      'x-project-id',
      'x-sdk-date',
    ]);
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('PATCH with merge-patch JSON, which the SDK signs as UNSIGNED-PAYLOAD', async () => {
    const wire = await viaSdk({
      method: 'PATCH',
      url: `${ENDPOINT}/v2/${PROJECT}/pools/pool-a1b2`,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { resources: [{ count: 3 }] } }),
    });
    expect(wire.headers['X-Sdk-Content-Sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('DELETE without a body', async () => {
    const wire = await viaSdk({ method: 'DELETE', url: `${ENDPOINT}/v2/${PROJECT}/pools/pool-a1b2` });
    expect(wire.body).toBeUndefined();
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('DELETE with a body (batch tag removal)', async () => {
    const wire = await viaSdk({
      method: 'DELETE',
      url: `${ENDPOINT}/v2/${PROJECT}/pools/pool-a1b2/tags/delete`,
      body: JSON.stringify({ tags: [{ key: 'k', value: 'v' }] }),
    });
    expect(wire.body).toBeDefined();
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('temporary credentials: X-Security-Token is signed', async () => {
    const wire = await viaSdk({
      method: 'GET',
      url: `${ENDPOINT}/v1/${PROJECT}/quotas`,
      securityToken: 'sts-token-value',
    });
    expect(parseAuthorization(wire.headers.Authorization)?.signedHeaders).toContain('x-security-token');
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('V11-HMAC-SHA256 (derived key) when the client opts in', async () => {
    const wire = await viaSdk({
      method: 'POST',
      url: `${ENDPOINT}/v2/${PROJECT}/pools?dryRun=true`,
      body: JSON.stringify({ kind: 'Pool' }),
      derived: { regionId: 'region-1', service: 'modelarts' },
    });
    const parsed = parseAuthorization(wire.headers.Authorization);
    expect(parsed?.algorithm).toBe('V11-HMAC-SHA256');
    expect(parsed?.credentialScope).toBe(`${wire.headers['X-Sdk-Date'].slice(0, 8)}/region-1/modelarts`);
    expect(verifyWire(wire)).toEqual({ ok: true, accessKey: AK });
  });

  it('rejects the SDK request once the clock is 16 minutes on', async () => {
    const wire = await viaSdk({ method: 'GET', url: `${ENDPOINT}/v1/${PROJECT}/quotas` });
    expect(verifyWire(wire, new Date(Date.now() + 16 * 60 * 1000))).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('sdkSign', () => {
  it('returns the full header set the SDK sends', async () => {
    const headers = await sdkSign({
      method: 'GET',
      url: `${ENDPOINT}/v1/${PROJECT}/quotas?x=1`,
      headers: {},
      ak: AK,
      sk: SK,
    });
    expect(headers).toMatchObject({
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-Project-Id': PROJECT,
      host: '127.0.0.1:8080',
    });
    expect(headers['User-Agent']).toMatch(/^huaweicloud-usdk-nodejs\/3\.0/);
    expect(headers['X-Sdk-Date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers.Authorization).toMatch(
      new RegExp(
        `^SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`,
      ),
    );
  });
});
