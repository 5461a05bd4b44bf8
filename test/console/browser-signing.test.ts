import { describe, expect, it } from 'vitest';
import { signRequest as signInBrowser } from '../../console/src/api/sign.js';
import { formatSdkDate, signRequest as signWithSdk } from '../helpers/signing.js';

const AK = 'AKCONSOLETEST0000001';
const SK = 'SKconsole-test-secret-000000000000000001';
const HOST = '127.0.0.1:8080';
const PROJECT = '0123456789abcdef0123456789abcdef';

/**
 * The console's signer (WebCrypto, which Node has too) against the official SDK's: the same request at
 * the same second must carry the same Authorization, byte for byte. The browser test signs in with it
 * against the server; this pins it to the SDK on the awkward cases.
 */
describe("the console's SDK-HMAC-SHA256 signer", () => {
  const cases: Array<{ method: string; url: string; body?: string }> = [
    { method: 'GET', url: `/v1/${PROJECT}/quotas` },
    { method: 'GET', url: `/v2/${PROJECT}/pools?workspaceId=0&labelSelector=${encodeURIComponent('a=b,c!=d')}` },
    { method: 'GET', url: `/v1/${PROJECT}/events?resource=pools&name=pool-%C3%A9t%C3%A9&limit=20&ascend=true` },
    { method: 'GET', url: '/v3/projects' },
    {
      method: 'POST',
      url: `/v1/${PROJECT}/networks`,
      body: JSON.stringify({ metadata: { labels: { 'os.modelarts/name': 'net-é' } }, spec: { cidr: '10.0.0.0/8' } }),
    },
    { method: 'DELETE', url: `/v2/${PROJECT}/pools/pool-1` },
  ];

  for (const { method, url, body } of cases) {
    it(`${method} ${url.slice(0, 70)}`, async () => {
      const now = new Date('2026-12-01T10:11:12.000Z');
      const withProject: Record<string, string> = url.startsWith('/v3/') ? {} : { 'X-Project-Id': PROJECT };
      const sdk = await signWithSdk({
        method,
        url,
        headers: { host: HOST, 'content-type': 'application/json', ...withProject },
        body,
        accessKey: AK,
        secretKey: SK,
        sdkDate: formatSdkDate(now),
      });
      const browser = await signInBrowser({
        method,
        url: new URL(`http://${HOST}${url}`),
        headers: { 'Content-Type': 'application/json', ...withProject },
        body: body ?? '',
        accessKey: AK,
        secretKey: SK,
        now,
      });
      expect(browser.Authorization).toBe(sdk.authorization);
      expect(browser['X-Sdk-Date']).toBe(formatSdkDate(now));
    });
  }
});
