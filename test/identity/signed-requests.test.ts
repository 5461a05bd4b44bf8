// AK/SK signatures over HTTP (issue item 1; auth-errors.md §3): what is accepted, what each change
// after signing does, the ±15 minute window against the wall clock, and credentials that stop holding.
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteCredential, setAccountDisabled, setCredentialDisabled } from '../../src/identity/identity.store.js';
import { formatSdkDate, signRequest } from '../helpers/signing.js';
import { ApiClient } from '../helpers/client.js';
import { activeNetwork, networkBody } from '../helpers/fixtures.js';
import { uniqueId, useHarness } from '../helpers/harness.js';
import { expectUnauthorized, NETWORKS, QUOTAS, sendInject, signForInject, type WireRequest } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MISMATCH = /the signature does not match the request/;
const MALFORMED = /the Authorization header or X-Sdk-Date is malformed/;
const UNKNOWN_KEY = /the access key is unknown or disabled/;
const EXPIRED = /X-Sdk-Date is more than 15 minutes away from the server time/;
const MISSING_HEADER = /a signed header is missing from the request/;

/** The same request with one header replaced (or removed with `undefined`), whatever its spelling. */
function withHeader(wire: WireRequest, name: string, value: string | undefined): WireRequest {
  const headers: Record<string, string> = {};
  for (const [key, v] of Object.entries(wire.headers)) if (key.toLowerCase() !== name.toLowerCase()) headers[key] = v;
  if (value !== undefined) headers[name] = value;
  return { ...wire, headers };
}

const header = (wire: WireRequest, name: string): string =>
  Object.entries(wire.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())![1];

describe('AK/SK signatures over HTTP', () => {
  let network: string;
  let otherNetwork: string;
  const sign = (request: Parameters<typeof signForInject>[0], signedAt?: Date) =>
    signForInject(request, h.credentials, h.projectId, signedAt);
  const send = (wire: WireRequest) => sendInject(h.app, wire);
  const networkCount = async () => {
    const res = await h.client.get(`${NETWORKS}?limit=500`);
    expect(res.status, res.text).toBe(200);
    return (res.body.items as unknown[]).length;
  };

  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_NETWORK_QUOTA: '100' });
  beforeAll(async () => {
    network = await activeNetwork(h.client, h.settle);
    otherNetwork = await activeNetwork(h.client, h.settle);
  });

  it('accepts a request signed as the SDK signs it, in either hex case', async () => {
    const wire = await sign({ method: 'GET', url: QUOTAS });
    expect((await send(wire)).status).toBe(200);
    const authorization = header(wire, 'authorization');
    const upper = authorization.replace(
      /Signature=([0-9a-f]{64})$/,
      (_, sig: string) => `Signature=${sig.toUpperCase()}`,
    );
    expect((await send(withHeader(wire, 'Authorization', upper))).status).toBe(200);
  });

  it("accepts OTC's older `Credential=AK/date//service/sdk_request` form", async () => {
    const wire = await sign({ method: 'GET', url: QUOTAS });
    const older = header(wire, 'authorization').replace(
      /Access=(\w+)/,
      'Credential=$1/20260301//modelarts/sdk_request',
    );
    expect((await send(withHeader(wire, 'Authorization', older))).status).toBe(200);
  });

  it('accepts the derived-key variant (V11-HMAC-SHA256)', async () => {
    const url = QUOTAS.replace('{project_id}', h.projectId);
    const { headers } = await signRequest({
      method: 'GET',
      url,
      headers: { host: 'localhost', 'content-type': 'application/json', 'x-project-id': h.projectId },
      accessKey: h.credentials.accessKey,
      secretKey: h.credentials.secretKey,
      derived: { regionId: 'local', service: 'modelarts' },
    });
    expect(headers.authorization).toMatch(/^V11-HMAC-SHA256 Credential=/);
    expect((await send({ method: 'GET', url, headers })).status).toBe(200);
  });

  describe('any change to a signed part after signing → 401 APIGW.0301', () => {
    it('the method (a signed GET replayed as DELETE)', async () => {
      const wire = await sign({ method: 'GET', url: `${NETWORKS}/${network}` });
      expectUnauthorized(await send({ ...wire, method: 'DELETE' }), MISMATCH);
      const after = await send(wire);
      expect(after.status, after.text).toBe(200);
      expect(after.body.status.phase).toBe('Active');
    });

    it('the path', async () => {
      const wire = await sign({ method: 'GET', url: `${NETWORKS}/${network}` });
      expectUnauthorized(await send({ ...wire, url: wire.url.replace(network, otherNetwork) }), MISMATCH);
      expect((await send(wire)).status).toBe(200);
    });

    it('a query value, an added query parameter, a removed one', async () => {
      const wire = await sign({ method: 'GET', url: `${NETWORKS}?limit=1&workspaceId=0` });
      expectUnauthorized(await send({ ...wire, url: wire.url.replace('limit=1', 'limit=2') }), MISMATCH);
      expectUnauthorized(await send({ ...wire, url: `${wire.url}&continue=x` }), MISMATCH);
      expectUnauthorized(await send({ ...wire, url: wire.url.replace('&workspaceId=0', '') }), MISMATCH);
      expect((await send(wire)).status).toBe(200);
    });

    it('one byte of the body, or only its whitespace — and nothing is created', async () => {
      const before = await networkCount();
      const body = networkBody(uniqueId('tamper').slice(0, 30));
      const wire = await sign({ method: 'POST', url: NETWORKS, body });
      expect(wire.body).toContain('192.168.128.0/17');
      expectUnauthorized(
        await send({ ...wire, body: wire.body!.replace('192.168.128.0/17', '192.168.129.0/17') }),
        MISMATCH,
      );
      expectUnauthorized(await send({ ...wire, body: JSON.stringify(body, null, 1) }), MISMATCH);
      expect(await networkCount()).toBe(before);
      const created = await send(wire);
      expect(created.status, created.text).toBe(200);
      expect(created.body.spec.cidr).toBe('192.168.128.0/17');
    });

    it('the content type (application/json → application/merge-patch+json on a PATCH)', async () => {
      const patch = { metadata: { annotations: { 'os.modelarts/description': 'signed words' } } };
      const wire = await sign({ method: 'PATCH', url: `${NETWORKS}/${network}`, body: patch });
      expectUnauthorized(await send(withHeader(wire, 'content-type', 'application/merge-patch+json')), MISMATCH);
      const shown = await h.client.get(`${NETWORKS}/${network}`);
      expect(shown.body.metadata.annotations['os.modelarts/description']).toBeUndefined();
      expect((await send(wire)).status).toBe(200);
    });

    it('X-Project-Id (authentication fails before the project is even looked at)', async () => {
      const other = await h.newProject();
      const wire = await sign({ method: 'GET', url: QUOTAS });
      expectUnauthorized(await send(withHeader(wire, 'x-project-id', other.projectId)), MISMATCH);
    });

    it('Host', async () => {
      const wire = await sign({ method: 'GET', url: QUOTAS });
      expectUnauthorized(await send(withHeader(wire, 'host', 'atelier.example.com')), MISMATCH);
      expectUnauthorized(await send(withHeader(wire, 'host', 'localhost:8080')), MISMATCH);
    });

    it('X-Sdk-Date, by one second', async () => {
      const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const wire = await sign({ method: 'GET', url: QUOTAS }, signedAt);
      const later = formatSdkDate(new Date(signedAt.getTime() + 1000));
      expectUnauthorized(await send(withHeader(wire, 'X-Sdk-Date', later)), MISMATCH);
    });

    it('a signed operation header (X-ModelArts-User-ID)', async () => {
      const wire = await sign({ method: 'GET', url: QUOTAS, headers: { 'X-ModelArts-User-ID': 'user-1' } });
      expect(header(wire, 'authorization')).toContain('x-modelarts-user-id');
      expectUnauthorized(await send(withHeader(wire, 'X-ModelArts-User-ID', 'user-2')), MISMATCH);
      expect((await send(wire)).status).toBe(200);
    });

    it('a signed header removed', async () => {
      const wire = await sign({ method: 'GET', url: QUOTAS });
      expectUnauthorized(await send(withHeader(wire, 'x-project-id', undefined)), MISSING_HEADER);
      expectUnauthorized(await send(withHeader(wire, 'content-type', undefined)), MISSING_HEADER);
    });
  });

  it('changes to unsigned headers, and the order of the query, still pass', async () => {
    const wire = await sign({ method: 'GET', url: `${NETWORKS}?limit=5&workspaceId=0` });
    let changed = withHeader(wire, 'user-agent', 'curl/8.0');
    changed = withHeader(changed, 'accept', '*/*');
    changed = withHeader(changed, 'accept-encoding', 'identity');
    changed = withHeader(changed, 'x-forwarded-for', '203.0.113.9');
    // A signature takes precedence over a token (auth-errors.md §2): a bogus one is never looked at.
    changed = withHeader(changed, 'x-auth-token', 'not-a-token');
    expect((await send(changed)).status).toBe(200);
    expect(
      (await send({ ...wire, url: wire.url.replace('limit=5&workspaceId=0', 'workspaceId=0&limit=5') })).status,
    ).toBe(200);
  });

  describe('X-Sdk-Date must be within ±15 minutes of the wall clock', () => {
    const at = (offsetMs: number) => h.client.request('GET', QUOTAS, { signedAt: new Date(Date.now() + offsetMs) });

    it('16 minutes in the past or the future → 401', async () => {
      expectUnauthorized(await at(-16 * MINUTE), EXPIRED);
      expectUnauthorized(await at(16 * MINUTE), EXPIRED);
    });

    it('14 minutes in the past or the future → 200', async () => {
      expect((await at(-14 * MINUTE)).status).toBe(200);
      expect((await at(14 * MINUTE)).status).toBe(200);
    });

    it('is measured against real time, not the service clock', async () => {
      h.clock.set(new Date(Date.now() + 10 * HOUR));
      expect((await at(0)).status).toBe(200);
      const res = await h.client.request('GET', QUOTAS, { signedAt: h.clock.now() });
      expectUnauthorized(res, EXPIRED);
    });
  });

  describe('a missing or malformed Authorization → 401', () => {
    const replace = (wire: WireRequest, from: RegExp, to: string) =>
      withHeader(wire, 'Authorization', header(wire, 'authorization').replace(from, to));

    it('no credentials at all', async () => {
      expectUnauthorized(
        await h.client.withCredentials(undefined).get(QUOTAS),
        /no Authorization or X-Auth-Token header/,
      );
      expectUnauthorized(
        await send(withHeader(await sign({ method: 'GET', url: QUOTAS }), 'Authorization', undefined)),
        /no Authorization/,
      );
    });

    it('another scheme', async () => {
      const wire = await sign({ method: 'GET', url: QUOTAS });
      for (const value of [
        'Basic dXNlcjpwYXNzd29yZA==',
        'Bearer abc',
        header(wire, 'authorization').replace('SDK-HMAC-SHA256', 'AWS4-HMAC-SHA256'),
      ]) {
        expectUnauthorized(await send(withHeader(wire, 'Authorization', value)), /not an SDK-HMAC-SHA256 signature/);
      }
    });

    it('a broken SDK-HMAC-SHA256 header', async () => {
      const wire = await sign({ method: 'GET', url: QUOTAS });
      const broken = [
        withHeader(wire, 'Authorization', 'SDK-HMAC-SHA256 '),
        replace(wire, /Signature=[0-9a-f]{64}$/, `Signature=${'a'.repeat(63)}`),
        replace(wire, /Signature=[0-9a-f]{64}$/, `Signature=${'z'.repeat(64)}`),
        replace(wire, /Access=[^,]+, /, ''),
        replace(wire, /SignedHeaders=[^,]+/, 'SignedHeaders=content-type;host;x-project-id'),
        replace(wire, /SignedHeaders=[^,]+/, 'SignedHeaders=content-type;;host;x-sdk-date'),
        withHeader(wire, 'X-Sdk-Date', '2026-03-01T08:00:00Z'),
        withHeader(wire, 'X-Sdk-Date', '20260230T080000Z'),
      ];
      for (const request of broken) expectUnauthorized(await send(request), MALFORMED, [h.credentials.secretKey]);
      expectUnauthorized(await send(withHeader(wire, 'X-Sdk-Date', undefined)), MISSING_HEADER);
      // Decision 15: a list without host is well-formed, but the SDK signed host, so the signature no longer matches.
      const noHost = replace(wire, /SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-project-id;x-sdk-date');
      expectUnauthorized(await send(noHost), MISMATCH, [h.credentials.secretKey]);
    });
  });

  it('an unknown access key → 401, a wrong secret key → 401; neither message holds a secret', async () => {
    const unknown = h.client.withCredentials({ accessKey: 'AKNOSUCHKEY000000000', secretKey: h.credentials.secretKey });
    expectUnauthorized(await unknown.get(QUOTAS), UNKNOWN_KEY, [h.credentials.secretKey]);
    const genuine = await sign({ method: 'GET', url: QUOTAS });
    const forged = await signForInject(
      { method: 'GET', url: QUOTAS },
      { ...h.credentials, secretKey: 'wrong-secret-key-000000000000' },
      h.projectId,
    );
    const signature = /Signature=([0-9a-f]{64})$/.exec(header(forged, 'authorization'))![1];
    const expected = /Signature=([0-9a-f]{64})$/.exec(header(genuine, 'authorization'))![1];
    expectUnauthorized(await send(forged), MISMATCH, [
      h.credentials.secretKey,
      'wrong-secret-key-000000000000',
      signature,
      expected,
    ]);
  });

  describe('credentials that stop holding', () => {
    const fresh = async (accountId?: string, projectId?: string) => {
      const identity = h.context.identity;
      const account = accountId ?? (await identity.requireAccount('default')).id;
      const credential = await identity.createCredential(account, [projectId ?? h.projectId]);
      return { credential, client: ApiClient.inject(h.app, projectId ?? h.projectId, credential) };
    };

    it('a disabled credential → 401 at once after forget(); enabled again, it works', async () => {
      const { credential, client } = await fresh();
      expect((await client.get(QUOTAS)).status).toBe(200);
      await setCredentialDisabled(h.context.database.db, credential.accessKey, true);
      h.context.identity.forget();
      expectUnauthorized(await client.get(QUOTAS), UNKNOWN_KEY, [credential.secretKey]);
      await setCredentialDisabled(h.context.database.db, credential.accessKey, false);
      h.context.identity.forget();
      expect((await client.get(QUOTAS)).status).toBe(200);
      // The bootstrap credential was never affected.
      expect((await h.client.get(QUOTAS)).status).toBe(200);
    });

    it('a deleted credential → 401', async () => {
      const { credential, client } = await fresh();
      expect((await client.get(QUOTAS)).status).toBe(200);
      expect(await deleteCredential(h.context.database.db, credential.accessKey)).toBe(true);
      h.context.identity.forget(credential.accessKey);
      expectUnauthorized(await client.get(QUOTAS), UNKNOWN_KEY);
    });

    it('a disabled account → 401 for every credential and token of it', async () => {
      const identity = h.context.identity;
      const account = await identity.createAccount(uniqueId('acct'));
      const project = await identity.createProject(account.id);
      const { client } = await fresh(account.id, project.id);
      const { token } = await identity.issueToken(account.id, project.id);
      const byToken = client.withCredentials({ token });
      expect((await client.get(QUOTAS)).status).toBe(200);
      expect((await byToken.get(QUOTAS)).status).toBe(200);
      await setAccountDisabled(h.context.database.db, account.id, true);
      identity.forget();
      expectUnauthorized(await client.get(QUOTAS), UNKNOWN_KEY);
      expectUnauthorized(await byToken.get(QUOTAS), /the token is invalid, expired or revoked/, [token]);
    });
  });
});

describe('without forget(), a disabled credential stops working within ATELIER_AUTH_CACHE_MS', () => {
  const h = useHarness({ ATELIER_AUTH_CACHE_MS: '200' });

  it('is refused once the cached lookup is older than 200 ms', async () => {
    const account = await h.context.identity.requireAccount('default');
    const credential = await h.context.identity.createCredential(account.id, [h.projectId]);
    const client = ApiClient.inject(h.app, h.projectId, credential);
    expect((await client.get(QUOTAS)).status).toBe(200);
    const disabledAt = Date.now();
    await setCredentialDisabled(h.context.database.db, credential.accessKey, true);
    const refused = await waitFor(() => client.get(QUOTAS), {
      until: (res) => res.status === 401,
      timeout: 3_000,
      interval: 20,
    });
    expectUnauthorized(refused, UNKNOWN_KEY);
    // The cache bounds the delay: well under a second here, never the default second.
    expect(Date.now() - disabledAt).toBeLessThan(1_000);
    expect((await h.client.get(QUOTAS)).status).toBe(200);
  });
});
