// What node's HTTP parser and Fastify's router refuse before any route runs, sent as raw bytes
// over a real socket: every answer is the ModelArts envelope with an X-Request-Id.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { sendRaw, type RawResponse } from '../helpers/raw-http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectEnvelope(res: RawResponse, status: number, code: string): void {
  expect(res.status, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['x-request-id']).toMatch(UUID);
  const body = JSON.parse(res.body) as { error_code: string; error_msg: string };
  expect(body).toEqual({ error_code: code, error_msg: expect.any(String) });
  expect(body.error_msg.length).toBeGreaterThanOrEqual(2);
  expect(body.error_msg.length).toBeLessThanOrEqual(512);
}

describe('HTTP-level errors', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(() => h.close());

  const quotas = () => `/v1/${h.projectId}/quotas`;

  it.each([
    ['a malformed request line', 'GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n'],
    ['an invalid method', 'G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an invalid header name', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
    [
      'bad chunking',
      'POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    ],
    [
      'Content-Length beside Transfer-Encoding',
      'POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    ],
    ['an invalid Content-Length', 'POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n{}'],
    ['bytes that are not HTTP at all', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
  ])('answers %s with 400', async (_what, bytes) => {
    expectEnvelope(await sendRaw(port, bytes), 400, 'APIGW.0202');
  });

  it('answers an oversized URL and oversized headers with 431', async () => {
    expectEnvelope(await sendRaw(port, `GET /v1/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, 'APIGW.0203');
    expectEnvelope(
      await sendRaw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
      431,
      'APIGW.0203',
    );
  });

  it('answers an unknown Expect with 417, and still honours 100-continue', async () => {
    expectEnvelope(
      await sendRaw(port, `GET ${quotas()} HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n`),
      417,
      'APIGW.0205',
    );
    const res = await sendRaw(
      port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(100);
  });

  it('answers what the router refuses (a bad percent-escape, an over-long segment) in the envelope', async () => {
    expectEnvelope(
      await sendRaw(port, 'GET /v1/%zz/quotas HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      400,
      'ModelArts.50004000',
    );
    expectEnvelope(
      await sendRaw(
        port,
        `GET /v2/${h.projectId}/pools/${'p'.repeat(300)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
      400,
      'ModelArts.50004000',
    );
  });

  it('keeps serving ordinary requests after refusing broken ones', async () => {
    const res = await sendRaw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(UUID);
  });
});
