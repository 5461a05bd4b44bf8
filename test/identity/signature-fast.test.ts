import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256, parseSdkDate, VerifiedSignatures } from '../../src/identity/signature.js';
import { signRequest } from '../helpers/signing.js';

/** X-Sdk-Date as a pattern and Date objects read it: the reading parseSdkDate must keep. */
function sdkDateByPattern(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  const same =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60;
  return same ? ms : null;
}

describe('the verification hot path computes what the plain definitions compute', () => {
  it('hmacSha256 equals createHmac for keys shorter, as long as and longer than the block, and any text', () => {
    for (const keyLength of [0, 1, 20, 40, 63, 64, 65, 100, 200]) {
      for (const message of [
        '',
        'SDK-HMAC-SHA256\n20260301T080000Z\nabc',
        'é€😀\n'.repeat(50),
        randomBytes(300).toString('latin1'),
      ]) {
        const key = randomBytes(keyLength).toString('base64').slice(0, keyLength) + (keyLength > 50 ? 'ü' : '');
        const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest();
        expect(hmacSha256(key, message).equals(expected)).toBe(true);
      }
    }
  });

  it('parseSdkDate reads exactly the instants the pattern and Date.UTC read', () => {
    const cases = [
      '20260301T080000Z',
      '20240229T235959Z',
      '20230229T000000Z',
      '19000229T000000Z',
      '20000229T000000Z',
      '20251231T240000Z',
      '20251231T236000Z',
      '20251231T235960Z',
      '20250230T000000Z',
      '20250431T000000Z',
      '20251301T000000Z',
      '20250001T000000Z',
      '20250100T000000Z',
      '00500101T000000Z',
      '00990101T000000Z',
      '01000101T000000Z',
      '99991231T235959Z',
      '2025010T000000Z',
      '20250101t000000Z',
      '20250101T000000z',
      '20250101T000000ZZ',
      '2025-101T000000Z',
      '２0250101T000000Z',
      '',
    ];
    const digit = () => String.fromCharCode(48 + Math.floor(Math.random() * 10));
    for (let i = 0; i < 5000; i += 1) {
      const d = Array.from({ length: 14 }, digit).join('');
      cases.push(`${d.slice(0, 8)}T${d.slice(8)}Z`);
    }
    for (const text of cases) expect([text, parseSdkDate(text)]).toEqual([text, sdkDateByPattern(text)]);
  });
});

describe('VerifiedSignatures under a fleet of fresh signatures', () => {
  const SK = 'SKfleet-secret-00000000000000000000001';
  const lookupSecret = () => SK;
  const NOW = new Date('2026-03-01T08:00:00Z');

  async function request(client: number) {
    const { headers } = await signRequest({
      method: 'GET',
      url: '/v1/p1/quotas',
      headers: { host: 'atelier.example', 'content-type': 'application/json', 'x-client-id': `c${client}` },
      accessKey: 'AKFLEET0000000000001',
      secretKey: SK,
      sdkDate: '20260301T080000Z',
    });
    return { method: 'GET', rawUrl: '/v1/p1/quotas', headers, body: undefined, lookupSecret, now: NOW };
  }

  it('holds at most its capacity, and keeps what is recalled while new signatures keep coming', async () => {
    const memo = new VerifiedSignatures(4);
    const requests = await Promise.all(Array.from({ length: 12 }, (_, i) => request(i)));
    const recalled = (i: number) => memo.recall('GET', '/v1/p1/quotas', requests[i]!.headers) !== undefined;
    // A signature is remembered the second time it verifies.
    for (const r of requests.slice(0, 4)) {
      expect(memo.verify(r)).toMatchObject({ ok: true });
      expect(memo.recall('GET', '/v1/p1/quotas', r.headers)).toBeUndefined();
      expect(memo.verify(r)).toMatchObject({ ok: true });
    }
    expect(recalled(3)).toBe(true);
    expect(memo.size).toBeLessThanOrEqual(4);
    // Request 0 is recalled between newcomers: it stays while the others make room.
    expect(recalled(0)).toBe(true);
    for (const r of requests.slice(4)) {
      expect(memo.verify(r)).toMatchObject({ ok: true });
      expect(memo.verify(r)).toMatchObject({ ok: true });
      expect(recalled(0)).toBe(true);
      expect(memo.size).toBeLessThanOrEqual(4);
    }
    expect([1, 2, 3, 4, 5, 6, 7].some(recalled)).toBe(false);
  });

  it('remembers nothing of signatures that each verify once, however many come', async () => {
    const memo = new VerifiedSignatures(4);
    for (let i = 0; i < 64; i += 1) expect(memo.verify(await request(100 + i))).toMatchObject({ ok: true });
    expect(memo.size).toBe(0);
  });
});
