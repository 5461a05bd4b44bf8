import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.js';
import { activeNetwork, expectError, poolBody } from '../helpers/fixtures.js';

describe('GET /v1/{project_id}/quotas', () => {
  const h = useHarness({ ATELIER_POOL_CREATE_SECONDS: '0', ATELIER_NETWORK_CREATE_SECONDS: '0' });

  it('answers the seed shape with numbers', async () => {
    const res = await h.client.get('/v1/{project_id}/quotas');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({
      quotas: {
        resources: [
          { type: 'pool', quota: 15, used: 0 },
          { type: 'network', quota: 15, used: 0 },
        ],
      },
    });
  });

  it('counts what the project creates', async () => {
    const net = await activeNetwork(h.client, h.settle);
    const pool = await h.client.post('/v2/{project_id}/pools', poolBody(net));
    expect(pool.status, pool.text).toBe(200);
    const res = await h.client.get('/v1/{project_id}/quotas');
    expect(res.body.quotas.resources).toEqual([
      { type: 'pool', quota: 15, used: 1 },
      { type: 'network', quota: 15, used: 1 },
    ]);
  });

  it('refuses a project the caller was not granted, existing or not', async () => {
    expectError(await h.clientFor('no-such-project').get('/v1/{project_id}/quotas'), 403, 'ModelArts.0210');
    const other = await h.newProject();
    expectError(await h.clientFor(other.projectId).get('/v1/{project_id}/quotas'), 403, 'ModelArts.0210');
  });
});
