// `atelier serve` as a real process: what it writes to stdout per request, and how it stops on SIGTERM.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../helpers/signing.js';
import { ApiClient, sdkDate } from '../helpers/client.js';
import { networkBody } from '../helpers/fixtures.js';
import { uniqueId } from '../helpers/harness.js';
import { runCli, ServeProcess, TempDirs } from '../identity/helpers.js';
import { waitFor } from '../helpers/wait-for.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

const lines = (stdout: string): LogLine[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

describe('atelier serve', () => {
  const dirs = new TempDirs();
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await serve?.stop();
    serve = undefined;
    dirs.removeAll();
  });

  async function start(extra: (dir: string) => Record<string, string> = () => ({})) {
    const dir = dirs.make('atelier-serve-');
    const projectId = uniqueId('proj');
    const credentials = {
      accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
      secretKey: randomBytes(20).toString('hex'),
    };
    const env = {
      ATELIER_DATABASE_URL: `sqlite:${dir}/atelier.db`,
      ATELIER_HOST: '127.0.0.1',
      ATELIER_PORT: '0',
      ATELIER_LOG_LEVEL: 'info',
      ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
      ATELIER_BOOTSTRAP_AK: credentials.accessKey,
      ATELIER_BOOTSTRAP_SK: credentials.secretKey,
      ...extra(dir),
    };
    serve = new ServeProcess(env);
    const [, baseUrl] = await serve.waitFor(/"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/);
    return { env, projectId, credentials, baseUrl: baseUrl!, process: serve };
  }

  it('writes exactly one info line per request, with its route and project and no secret', async () => {
    const s = await start();
    const issued = await runCli(['tokens', 'create', '--account', 'default', '--project', s.projectId], s.env);
    expect(issued.code, issued.stderr).toBe(0);
    const token = /^token\s+(\S+)$/m.exec(issued.stdout)![1]!;

    const signed = await ApiClient.http(s.baseUrl, s.projectId, s.credentials).get('/v1/{project_id}/quotas');
    const byToken = await ApiClient.http(s.baseUrl, s.projectId, { token }).get(
      '/v1/{project_id}/events?resource=pools&name=nothing',
    );
    const refused = await ApiClient.http(s.baseUrl, s.projectId, { token: `${token}x` }).get('/v1/{project_id}/quotas');
    expect([signed.status, byToken.status, refused.status]).toEqual([200, 404, 401]);
    const ids = [signed, byToken, refused].map((r) => r.headers['x-request-id'] as string);

    const logged = await waitFor(
      async () => lines(s.process.stdout).filter((l) => l.reqId !== undefined && ids.includes(l.reqId)),
      { until: (found) => found.length >= 3, interval: 20 },
    );
    expect(logged).toHaveLength(3);
    const [a, b, c] = ids.map((id) => logged.find((l) => l.reqId === id)!);
    const fields = { level: 30, msg: 'request completed', projectId: s.projectId, method: 'GET' };
    expect(a).toMatchObject({
      ...fields,
      route: '/v1/:project_id/quotas',
      statusCode: 200,
      durationMs: expect.any(Number),
    });
    expect(b).toMatchObject({ ...fields, route: '/v1/:project_id/events', statusCode: 404 });
    expect(c).toMatchObject({ ...fields, route: '/v1/:project_id/quotas', statusCode: 401 });
    for (const line of [a, b, c]) {
      expect(Object.keys(line).sort()).toEqual([
        'durationMs',
        'hostname',
        'level',
        'method',
        'msg',
        'pid',
        'projectId',
        'reqId',
        'route',
        'statusCode',
        'time',
      ]);
    }
    const all = s.process.stdout + s.process.stderr;
    expect(all).not.toMatch(/incoming request/);
    for (const secret of [s.credentials.secretKey, token, 'SDK-HMAC-SHA256', 'Signature='])
      expect(all).not.toContain(secret);
  });

  it('logs what a seed file loaded at start, by kind', async () => {
    const s = await start((dir) => {
      const file = join(dir, 'seed.yaml');
      writeFileSync(
        file,
        `projects:\n  - id: ${uniqueId('seedstart')}\n    name: cn-start-1\n    networks: [{ name: net-one, cidr: 10.0.0.0/16 }]\n`,
      );
      return { ATELIER_SEED_FILE: file };
    });
    const loaded = lines(s.process.stdout).find((l) => l.msg === 'seed file loaded');
    expect(loaded).toMatchObject({ level: 30, loaded: { projects: 1, credentials: 0, networks: 1, pools: 0 } });
  });

  it('lets a slow in-flight request finish on SIGTERM, then exits 0 within 10 s', async () => {
    const s = await start();
    const url = new URL('/v1/{project_id}/networks'.replace('{project_id}', s.projectId), s.baseUrl);
    const body = JSON.stringify(networkBody());
    const { headers } = await signRequest({
      method: 'POST',
      url: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json', 'x-project-id': s.projectId },
      body,
      accessKey: s.credentials.accessKey,
      secretKey: s.credentials.secretKey,
      sdkDate: sdkDate(),
    });
    const { host: _host, ...rest } = headers;
    // Expect: 100-continue makes the server confirm it has the request before any body is sent:
    // then SIGTERM, and the body only once the server is shutting down.
    let exit: Promise<number | null> | undefined;
    let signalled = 0;
    const response = new Promise<{ status: number; text: string; connection?: string }>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { ...rest, 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
      });
      req.on('response', (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.once('continue', () => {
        signalled = Date.now();
        exit = s.process.stop();
        // New connections are refused while this request is still open; then its body goes.
        s.process
          .waitFor(/"msg":"shutting down"/)
          .then(() =>
            waitFor(
              () =>
                fetch(new URL('/healthz', s.baseUrl)).then(
                  () => 'answered',
                  () => 'refused',
                ),
              { until: (r) => r === 'refused', interval: 20 },
            ),
          )
          .then(() => req.end(body), reject);
      });
      req.flushHeaders();
    });
    const res = await response;
    expect(res.status, res.text).toBe(200);
    // The client is told to hang up, so the drain need not wait out its keep-alive.
    expect(res.connection).toBe('close');
    expect(JSON.parse(res.text).metadata.labels['os.modelarts/name']).toEqual(expect.any(String));
    expect(await exit!).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    const stopped = lines(s.process.stdout).find((l) => l.msg === 'shut down');
    expect(stopped, s.process.stdout).toBeDefined();
    const posted = lines(s.process.stdout).filter((l) => l.msg === 'request completed' && l.method === 'POST');
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ route: '/v1/:project_id/networks', statusCode: 200 });
  });
});
