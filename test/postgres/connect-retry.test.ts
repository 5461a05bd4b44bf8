// A start beside a database that is not up yet (issue 15, "Also"): Atelier keeps trying for
// ATELIER_DATABASE_CONNECT_SECONDS, then gives up with a message that says where it looked.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/databases.js';
import { freePort } from '../helpers/ports.js';

const SECRET_KEY = 'connect-test-secret-key-0123456789';

/**
 * A TCP relay to the PostgreSQL server that hangs up on the first `refusals` connections, as a
 * server still starting does; then it relays.
 */
async function reluctantRelay(target: URL, refusals: number): Promise<{ url: URL; attempts(): number; close(): void }> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    attempts += 1;
    sockets.add(client);
    if (attempts <= refusals) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url,
    attempts: () => attempts,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const settings = (url: string, seconds: string) =>
  loadConfig({
    ATELIER_DATABASE_URL: url,
    ATELIER_DATABASE_CONNECT_SECONDS: seconds,
    ATELIER_SECRET_KEY: SECRET_KEY,
    ATELIER_PORT: '0',
    ATELIER_LOG_LEVEL: 'silent',
  });

describe('starting before the database accepts connections', () => {
  it('keeps trying and starts once the database answers', async () => {
    const database: TestDatabase = await freshPostgresDatabase();
    cleanups.push(() => database.drop());
    const relay = await reluctantRelay(new URL(database.url), 3);
    cleanups.push(() => relay.close());
    const server: RunningServer = await startServer(settings(relay.url.toString(), '20'), undefined, {
      runEngine: false,
    });
    cleanups.push(() => server.close());
    expect(relay.attempts()).toBeGreaterThan(3);
    const res = await fetch(`${server.address}/healthz`);
    expect(res.status).toBe(200);
  });

  it('gives up after ATELIER_DATABASE_CONNECT_SECONDS with a message naming the database, not its password', async () => {
    const port = await freePort();
    const started = Date.now();
    const url = `postgres://atelier:hunter2secret@127.0.0.1:${port}/atelier`;
    const error = await startServer(settings(url, '1')).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      new RegExp(`^Could not reach the database at 127\\.0\\.0\\.1:${port}/atelier within 1 s .*ECONNREFUSED`),
    );
    expect(error?.message).not.toContain('hunter2secret');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
