// The hot-read lane (src/http/hot-reads.ts): for quotas and statistics it answers exactly what
// Fastify answers, and everything it does not answer with a 200 reaches Fastify unchanged.
import { inject } from 'light-my-request';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../src/http/authenticate.js';
import { LANE_HOOKS } from '../../src/http/hot-reads.js';
import { showOsQuota } from '../../src/quotas/quota.service.js';
import { showPoolStatistics } from '../../src/statistics/statistics.service.js';
import { formatSdkDate, signRequest } from '../helpers/signing.js';
import { ApiClient } from '../helpers/client.js';
import { networkBody } from '../helpers/fixtures.js';
import { startHarness, useHarness } from '../helpers/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Sent {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

describe('the hot-read lane', () => {
  let token: string;

  const h = useHarness();
  beforeAll(async () => {
    const account = await h.context.identity.requireAccount('default');
    ({ token } = await h.context.identity.issueToken(account.id, h.projectId));
  });

  const signed = async (url: string, extra: Record<string, string> = {}, method = 'GET') =>
    (
      await signRequest({
        method,
        url,
        headers: { host: 'localhost', 'content-type': 'application/json', 'x-project-id': h.projectId, ...extra },
        accessKey: h.credentials.accessKey,
        secretKey: h.credentials.secretKey,
        sdkDate: formatSdkDate(new Date()),
      })
    ).headers;

  /** Through the server's listener (the lane first) and through Fastify alone; says whether the lane answered. */
  async function both(method: string, url: string, headers: Record<string, string>) {
    const before = h.app.hotReads.answered;
    const viaLane = await inject(h.app.handleRequest, { method: method as 'GET', url, headers });
    const answered = h.app.hotReads.answered - before;
    const viaFastify = await h.app.inject({ method: method as 'GET', url, headers });
    const sent = (res: typeof viaLane): Sent => ({ status: res.statusCode, headers: res.headers, body: res.body });
    return { lane: sent(viaLane), fastify: sent(viaFastify), answered };
  }

  const comparable = (res: Sent) => {
    const { 'x-request-id': id, date: _date, ...rest } = res.headers;
    expect(id).toMatch(UUID);
    return { status: res.status, headers: rest, body: res.body };
  };

  /** `hook:functionName` of every request hook Fastify runs for `route` (from printRoutes, Fastify's own listing). */
  function hooksOf(route: string): string[] {
    const lines = h.app.printRoutes({ includeHooks: true, commonPrefix: false }).split('\n');
    const start = lines.findIndex((line) => line.includes(`${route} (GET)`));
    expect(start, `${route} is not among the routes`).toBeGreaterThan(-1);
    const hooks: string[] = [];
    for (const line of lines.slice(start + 1)) {
      const hook = /• \((\w+)\) (\[.*\])/.exec(line);
      if (!hook) break;
      for (const name of JSON.parse(hook[2]!) as string[]) hooks.push(`${hook[1]}:${name.replace(/\(\)$/, '')}`);
    }
    return hooks;
  }

  it('knows every hook Fastify runs for the routes it stands in for', () => {
    expect(h.app.hotReads.routes).toEqual(['/v1/:project_id/quotas', '/v2/:project_id/statistics/pools']);
    for (const route of h.app.hotReads.routes) expect(hooksOf(route).sort()).toEqual(Object.keys(LANE_HOOKS).sort());
  });

  it('answers signed and token reads of quotas and statistics with the bytes Fastify sends', async () => {
    const quotas = `/v1/${h.projectId}/quotas`;
    const statistics = `/v2/${h.projectId}/statistics/pools`;
    for (const url of [
      quotas,
      statistics,
      `${statistics}?workspaceId=0`,
      `${statistics}?workspaceId=ws-1`,
      `${statistics}?workspaceId=`,
    ]) {
      for (const headers of [await signed(url), { 'x-auth-token': token }]) {
        const { lane, fastify, answered } = await both('GET', url, headers);
        expect(answered, url).toBe(1);
        expect(lane.status).toBe(200);
        expect(comparable(lane)).toEqual(comparable(fastify));
      }
    }
  });

  it('answers a repeat from memory at once: no promise between the request and its answer', async () => {
    const quotas = `/v1/${h.projectId}/quotas`;
    const statistics = `/v2/${h.projectId}/statistics/pools`;
    const { identity, config } = h.context;
    for (const headers of [await signed(quotas), { 'x-auth-token': token }]) {
      const caller = { method: 'GET', rawUrl: quotas, headers };
      // The first one verifies (a signature is remembered from its second verification) and reads.
      for (let i = 0; i < 2; i += 1) await authorize(identity, config.authRequired, caller, h.projectId);
      expect(authorize(identity, config.authRequired, caller, h.projectId)).not.toBeInstanceOf(Promise);
    }
    await showOsQuota(h.context, h.projectId);
    expect(showOsQuota(h.context, h.projectId)).not.toBeInstanceOf(Promise);
    await showPoolStatistics(h.context, h.projectId);
    expect(showPoolStatistics(h.context, h.projectId)).not.toBeInstanceOf(Promise);
    // And the lane answers it (the same bytes as Fastify: above).
    const { answered } = await both('GET', statistics, await signed(statistics));
    expect(answered).toBe(1);
  });

  it('counts and logs what it answers under the route pattern, like Fastify does', async () => {
    const url = `/v1/${h.projectId}/quotas`;
    const metric = async () => {
      const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('atelier_http_requests_total{') &&
            l.includes('route="/v1/:project_id/quotas"') &&
            l.includes('status_code="200"'),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await metric();
    const { answered } = await both('GET', url, await signed(url));
    expect(answered).toBe(1);
    // One from the lane, one from Fastify alone.
    expect(await metric()).toBe(before + 2);
  });

  it('sees a write the moment it is committed (it reads committed state, never an open transaction)', async () => {
    const client = h.client;
    const used = async () =>
      (await client.get('/v1/{project_id}/quotas')).body.quotas.resources.find(
        (r: { type: string }) => r.type === 'network',
      ).used;
    const before = await used();
    expect((await client.post('/v1/{project_id}/networks', networkBody())).status).toBe(200);
    expect(await used()).toBe(before + 1);
  });

  describe('hands to Fastify, which gives the one answer, everything else', () => {
    type Case = { method?: string; url: string; headers: Record<string, string> | Promise<Record<string, string>> };
    const cases: Array<[string, () => Case, number]> = [
      ['no credentials', () => ({ url: `/v1/${h.projectId}/quotas`, headers: {} }), 401],
      [
        'a signature over another path',
        () => ({ url: `/v1/${h.projectId}/quotas`, headers: signed(`/v2/${h.projectId}/statistics/pools`) }),
        401,
      ],
      ['an unknown token', () => ({ url: `/v1/${h.projectId}/quotas`, headers: { 'x-auth-token': 'atl.nope' } }), 401],
      [
        'a project the caller may not use',
        () => ({ url: '/v1/someone-else/quotas', headers: signed('/v1/someone-else/quotas') }),
        403,
      ],
      [
        'X-Project-Id naming another project',
        () => ({
          url: `/v1/${h.projectId}/quotas`,
          headers: signed(`/v1/${h.projectId}/quotas`, { 'x-project-id': 'other' }),
        }),
        403,
      ],
      [
        'a project id the schema refuses',
        () => ({ url: '/v1/not_valid/quotas', headers: signed('/v1/not_valid/quotas') }),
        403,
      ],
      [
        'a trailing slash',
        () => ({ url: `/v1/${h.projectId}/quotas/`, headers: signed(`/v1/${h.projectId}/quotas/`) }),
        200,
      ],
      [
        'HEAD',
        () => ({
          method: 'HEAD',
          url: `/v1/${h.projectId}/quotas`,
          headers: signed(`/v1/${h.projectId}/quotas`, {}, 'HEAD'),
        }),
        200,
      ],
      [
        'a query on a route without one',
        () => ({ url: `/v1/${h.projectId}/quotas?x=1`, headers: signed(`/v1/${h.projectId}/quotas?x=1`) }),
        200,
      ],
      [
        'an over-long workspaceId',
        () => {
          const url = `/v2/${h.projectId}/statistics/pools?workspaceId=${'w'.repeat(65)}`;
          return { url, headers: signed(url) };
        },
        400,
      ],
      [
        'a repeated workspaceId',
        () => {
          const url = `/v2/${h.projectId}/statistics/pools?workspaceId=a&workspaceId=b`;
          return { url, headers: signed(url) };
        },
        400,
      ],
      [
        'an encoded workspaceId',
        () => {
          const url = `/v2/${h.projectId}/statistics/pools?workspaceId=w%2D1`;
          return { url, headers: signed(url) };
        },
        200,
      ],
      [
        'an undeclared query parameter',
        () => {
          const url = `/v2/${h.projectId}/statistics/pools?limit=1`;
          return { url, headers: signed(url) };
        },
        200,
      ],
    ];
    it.each(cases)('%s', async (_name, make, status) => {
      const { method = 'GET', url, headers } = make();
      const { lane, fastify, answered } = await both(method, url, await headers);
      expect(answered).toBe(0);
      expect(lane.status).toBe(status);
      expect(comparable(lane)).toEqual(comparable(fastify));
    });

    it('a project that does not exist (credentials not required)', async () => {
      const open = await startHarness({ ATELIER_AUTH_REQUIRED: 'false' });
      try {
        const before = open.app.hotReads.answered;
        const res = await ApiClient.inject(open.app, 'no-such-project', undefined).get('/v1/{project_id}/quotas');
        expect(res.status).toBe(404);
        expect(open.app.hotReads.answered).toBe(before);
        expect(
          (await ApiClient.inject(open.app, open.projectId, undefined).get('/v1/{project_id}/quotas')).status,
        ).toBe(200);
        expect(open.app.hotReads.answered).toBe(before + 1);
      } finally {
        await open.close();
      }
    });

    it('a GET with a body (the signature covers it)', async () => {
      const url = `/v1/${h.projectId}/quotas`;
      const { headers } = await signRequest({
        method: 'GET',
        url,
        headers: { host: 'localhost', 'content-type': 'application/json' },
        body: '{}',
        accessKey: h.credentials.accessKey,
        secretKey: h.credentials.secretKey,
      });
      const before = h.app.hotReads.answered;
      const res = await inject(h.app.handleRequest, { method: 'GET', url, headers, payload: '{}' });
      expect(res.statusCode).toBe(200);
      expect(h.app.hotReads.answered).toBe(before);
    });
  });
});
