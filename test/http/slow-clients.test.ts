// Slow and idle connections over real sockets: each is cut off in bounded time by a timeout
// from the configuration, while ordinary clients keep being served (docs/operations.md).
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { openSocket, parseResponse, readUntilClosed } from '../helpers/raw-http.js';

const HEADERS_TIMEOUT_S = 1;
const REQUEST_TIMEOUT_S = 2;

function get(port: number, path: string): Promise<{ status: number; requestId: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: res.headers['x-request-id'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('slow and idle clients', () => {
  let h: Harness;
  let port: number;

  beforeAll(async () => {
    h = await startHarness({
      ATELIER_HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_S),
      ATELIER_HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_S),
      ATELIER_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '0.5',
      ATELIER_HTTP_IDLE_TIMEOUT_SECONDS: '1.5',
      ATELIER_HTTP_MAX_CONNECTIONS: '40',
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(() => h.close());

  it('cuts off a client that trickles its headers, with a 408 envelope, while others are served', async () => {
    const slow = await openSocket(port);
    const reading = readUntilClosed(slow, 10_000);
    const started = Date.now();
    const header = `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ${'a'.repeat(200)}`;
    let sent = 0;
    const trickle = setInterval(() => {
      if (!slow.destroyed && sent < header.length) slow.write(header[sent++]!);
    }, 250);
    // Ordinary clients meanwhile: every one answered.
    const served: number[] = [];
    while (Date.now() - started < (HEADERS_TIMEOUT_S + 0.5) * 1000) served.push((await get(port, '/healthz')).status);
    const { text, closed } = await reading;
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    expect(closed).toBe(true);
    expect(elapsed).toBeLessThan((HEADERS_TIMEOUT_S + 2) * 1000);
    expect(sent).toBeLessThan(header.length);
    const res = parseResponse(text);
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toEqual({ error_code: 'APIGW.0204', error_msg: expect.any(String) });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(served.length).toBeGreaterThan(3);
    expect(new Set(served)).toEqual(new Set([200]));
  });

  it('cuts off a client that trickles its body once the request timeout passes', async () => {
    const slow = await openSocket(port);
    const reading = readUntilClosed(slow, 10_000);
    const started = Date.now();
    slow.write(
      `POST /v3/auth/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{`,
    );
    const trickle = setInterval(() => !slow.destroyed && slow.write(' '), 200);
    const { closed } = await reading;
    clearInterval(trickle);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan((REQUEST_TIMEOUT_S + 2) * 1000);
  });

  it('closes a connection that never sends anything, and an idle keep-alive connection', async () => {
    const silent = await openSocket(port);
    const started = Date.now();
    const { closed } = await readUntilClosed(silent, 10_000);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan((HEADERS_TIMEOUT_S + 2) * 1000);

    const idle = await openSocket(port);
    const reading = readUntilClosed(idle, 10_000);
    idle.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const answered = await reading;
    expect(answered.closed).toBe(true);
    expect(parseResponse(answered.text).status).toBe(200);
  });

  it('refuses connections above the limit and keeps serving the ones it holds', async () => {
    const held = await Promise.all(Array.from({ length: 40 }, () => openSocket(port)));
    // Each of the 40 holds a half-sent request; a 41st connection is closed without an answer.
    for (const socket of held) socket.write('GET /healthz HTTP/1.1\r\n');
    const extra = await openSocket(port);
    const refused = await readUntilClosed(extra, 5_000);
    expect(refused).toEqual({ text: '', closed: true });
    for (const socket of held) socket.destroy();
    // Once they are gone, new clients are served again.
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200)
      status = await get(port, '/healthz').then(
        (r) => r.status,
        () => 0,
      );
    expect(status).toBe(200);
  });
});
