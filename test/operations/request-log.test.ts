import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ApiClient } from '../helpers/client.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** The app of a harness once more, logging at info into memory. */
describe('the request log', () => {
  let h: Harness;
  let app: FastifyInstance;
  const written: string[] = [];
  const lines = () =>
    written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  beforeAll(async () => {
    h = await startHarness();
    const stream = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    app = await buildApp(h.context, { logger: { level: 'info', stream } });
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  it('writes one line per request, router refusals included, without headers, query or body', async () => {
    const client = ApiClient.inject(app, h.projectId, h.credentials);
    const token = 'atl.not-a-real-token-but-secret-all-the-same';
    const responses = [
      await client.get('/v1/{project_id}/quotas?secret-query=1'),
      await client.post('/v1/{project_id}/networks', { secretBody: 'hush' }),
      await ApiClient.inject(app, h.projectId, { token }).get('/v1/{project_id}/quotas'),
      await client.get('/v9/no/such/route'),
    ];
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/%zz/quotas',
      headers: { authorization: `Bearer ${token}` },
    });
    const ids = [...responses.map((r) => r.headers['x-request-id']), refused.headers['x-request-id']];
    const logged = lines();
    expect(logged.map((l) => l.reqId)).toEqual(ids);
    expect(logged.map((l) => [l.route, l.statusCode])).toEqual([
      ['/v1/:project_id/quotas', 200],
      ['/v1/:project_id/networks', 400],
      ['/v1/:project_id/quotas', 401],
      [null, 404],
      [null, 400],
    ]);
    for (const line of logged) {
      expect(line).toMatchObject({
        level: 30,
        msg: 'request completed',
        method: expect.any(String),
        durationMs: expect.any(Number),
      });
    }
    expect(logged[0]!.projectId).toBe(h.projectId);
    const text = written.join('');
    for (const secret of [
      h.credentials.secretKey,
      h.credentials.accessKey,
      token,
      'secret-query',
      'hush',
      'Signature=',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
