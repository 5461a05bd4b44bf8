// The error envelope on the wire, pinned: one representative of each status a client can meet —
// 400 (body, query, content type), 401, 403, 404 (route and object), 409 — and the 501 of every
// known operation that is not built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_OPERATIONS } from '../../src/http/operations.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { pinner, WireNormaliser } from './normalise.js';

const OTHER_PROJECT = '0123456789abcdef0123456789abcdef';

describe('wire: error envelopes', () => {
  let h: Harness;
  let n: WireNormaliser;
  const pin = pinner(() => n);

  beforeAll(async () => {
    h = await startHarness();
    n = new WireNormaliser({
      t0: h.clock.now(),
      known: { project: h.projectId, ak: h.credentials.accessKey, 'other-project': OTHER_PROJECT },
    });
  });
  afterAll(() => h.close());

  it('400: schema validation of a body and a query, bad JSON, a wrong content type', async () => {
    pin(await h.client.post('/v1/{project_id}/networks', { apiVersion: 'v1', kind: 'Network' }), 'body field missing');
    pin(
      await h.client.post('/v1/{project_id}/networks', {
        apiVersion: 'v1',
        kind: 'Network',
        metadata: { labels: { 'os.modelarts/name': 'wire-net' } },
        spec: { cidr: 'not-a-cidr' },
      }),
      'body field invalid',
    );
    pin(await h.client.get('/v1/{project_id}/events?resource=pools&name=x&limit=ten'), 'query invalid');
    pin(await h.client.get('/v1/{project_id}/events?resource=pools'), 'query field missing');
    pin(await h.client.get('/v2/{project_id}/pools/NOT_A_NAME!'), 'pool name outside the rules (a 404, not a 400)');
    pin(await h.client.request('POST', '/v1/{project_id}/networks', { rawBody: '{"apiVersion":' }), 'malformed JSON');
    pin(
      await h.client.request('PATCH', '/v2/{project_id}/pools/some-pool', {
        body: {},
        headers: { 'content-type': 'text/plain' },
      }),
      'unsupported content type',
    );
  });

  it('401: no credentials, a wrong signature, an unknown token', async () => {
    const anonymous = h.client.withCredentials(undefined);
    pin(await anonymous.get('/v1/{project_id}/quotas'), 'unsigned');
    pin(
      await h.client
        .withCredentials({ accessKey: h.credentials.accessKey, secretKey: 'not-the-secret-key-at-all' })
        .get('/v1/{project_id}/quotas'),
      'wrong signature',
    );
    pin(
      await h.client.withCredentials({ token: 'atl.not-a-token-we-issued-000000' }).get('/v1/{project_id}/quotas'),
      'unknown token',
    );
  });

  it('403: a project the credential was not granted', async () => {
    pin(await h.clientFor(OTHER_PROJECT).get('/v1/{project_id}/quotas'), 'project not granted');
  });

  it('404: an unknown route, an unknown method on a known path, an unknown object', async () => {
    pin(await h.client.get('/v3/{project_id}/nothing-here'), 'unknown route');
    pin(await h.client.request('PUT', '/v1/{project_id}/quotas'), 'unknown method');
    pin(await h.client.get('/v2/{project_id}/pools/no-such-pool'), 'no such pool');
    pin(await h.client.get('/v1/{project_id}/networks/no-such-network'), 'no such network');
  });

  it('409: a network display name taken in the workspace', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: { labels: { 'os.modelarts/name': 'wire-dup' } },
      spec: { cidr: '192.168.0.0/16' },
    };
    const first = await h.client.post('/v1/{project_id}/networks', body);
    expect(first.status, first.text).toBe(200);
    pin(await h.client.post('/v1/{project_id}/networks', body), 'network name taken');
  });

  it('501: every known operation that is not built', async () => {
    const documented = h.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const unbuilt = KNOWN_OPERATIONS.filter(
      (op) => !documented.paths[op.url.replace(/:(\w+)/g, '{$1}')]?.[op.method.toLowerCase()],
    );
    expect(unbuilt.map((op) => op.operationId)).toMatchSnapshot('the operations not built');
    for (const op of unbuilt) {
      const path = op.url.replace(':project_id', '{project_id}').replace(/:(\w+)/g, 'some-name');
      const res = await h.client.request(
        op.method,
        path,
        op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} },
      );
      pin(res, op.operationId);
    }
  });
});
