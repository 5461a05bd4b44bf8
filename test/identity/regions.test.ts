// IAM's region list (GET /v3/regions, /v3/regions/{id}) for the regions ATELIER_REGION names: what an
// SDK client built with a region asks for when it cannot find a project of that name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ATELIER_REGION: 'cn-north-4,ap-southeast-1' });
});
afterAll(() => h?.close());

describe('GET /v3/regions', () => {
  it('lists the regions the installation names, as IAM does, without credentials', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v3/regions', headers: { host: 'iam.example:8080' } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.regions.map((r: { id: string }) => r.id)).toEqual(['cn-north-4', 'ap-southeast-1']);
    expect(body.regions[0]).toEqual({
      id: 'cn-north-4',
      type: 'public',
      description: '',
      parent_region_id: null,
      locales: { 'zh-cn': 'cn-north-4', 'en-us': 'cn-north-4' },
      links: { self: 'http://iam.example:8080/v3/regions/cn-north-4' },
    });
    expect(body.links).toEqual({ self: 'http://iam.example:8080/v3/regions', previous: null, next: null });
  });

  it('shows one region, and answers an unknown one with 404 and the envelope', async () => {
    const one = await h.client.get('/v3/regions/ap-southeast-1');
    expect(one.status, one.text).toBe(200);
    expect(one.body.region.id).toBe('ap-southeast-1');
    const unknown = await h.client.get('/v3/regions/eu-west-0');
    expectError(unknown, 404, 'Atelier.40402001');
    expect(unknown.body.error_msg).toContain('cn-north-4, ap-southeast-1');
  });
});
