// Access keys cannot be enumerated (issue 15, item 6): an unknown AK and a known AK with a wrong
// signature get the same answer, and the unknown key is checked as far, HMAC included.
import * as crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifySignature } from '../../src/identity/signature.js';
import { formatSdkDate, signRequest } from '../helpers/signing.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { expectUnauthorized, QUOTAS, sendInject, signForInject } from './helpers.js';

// A pass-through spy on Node's one-shot hash, which the verifier's HMAC (two hashes) and the
// canonical request's digest are made of, so a test can see how much hashing a verification did.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, hash: vi.fn(actual.hash) };
});
const createHmac = vi.mocked(crypto.hash);

const SECRET = 'a-secret-key-of-the-known-access-key';

/** A request to the quotas signed with `secretKey` under `accessKey`, as the server receives it. */
async function signed(accessKey: string, secretKey: string) {
  const url = '/v1/p1/quotas';
  const headers = { host: 'localhost', 'content-type': 'application/json' };
  const result = await signRequest({
    method: 'GET',
    url,
    headers,
    accessKey,
    secretKey,
    sdkDate: formatSdkDate(new Date()),
  });
  return { method: 'GET', rawUrl: url, headers: result.headers, body: undefined, now: new Date() };
}

describe('the verifier does the same work for an unknown access key', () => {
  const lookupSecret = (ak: string) => (ak === 'AKKNOWN' ? SECRET : undefined);

  it('computes the HMAC for an unknown key exactly as for a known key with a wrong signature', async () => {
    const known = await signed('AKKNOWN', 'not-the-secret');
    const unknown = await signed('AKNOBODY', 'not-the-secret');
    createHmac.mockClear();
    expect(verifySignature({ ...known, lookupSecret })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const forKnown = createHmac.mock.calls.length;
    createHmac.mockClear();
    expect(verifySignature({ ...unknown, lookupSecret })).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    // The canonical request's digest and the HMAC's inner and outer hash.
    expect(forKnown).toBeGreaterThanOrEqual(3);
    expect(createHmac.mock.calls.length).toBe(forKnown);
  });
});

describe('the answer to an unknown access key over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('is the answer to a known access key with a wrong signature, byte for byte', async () => {
    const wrongSignature = await sendInject(
      h.app,
      await signForInject(
        { method: 'GET', url: QUOTAS },
        { ...h.credentials, secretKey: 'not-the-secret' },
        h.projectId,
      ),
    );
    const unknownKey = await sendInject(
      h.app,
      await signForInject({ method: 'GET', url: QUOTAS }, { accessKey: 'AKNOBODY0000', secretKey: 'x' }, h.projectId),
    );
    expectUnauthorized(wrongSignature);
    expect(unknownKey.status).toBe(wrongSignature.status);
    expect(unknownKey.text).toBe(wrongSignature.text);
    const shape = (headers: Record<string, unknown>) =>
      Object.keys(headers)
        .filter((name) => !['x-request-id', 'date'].includes(name))
        .map((name) => [name, headers[name]]);
    expect(shape(unknownKey.headers)).toEqual(shape(wrongSignature.headers));
  });
});
