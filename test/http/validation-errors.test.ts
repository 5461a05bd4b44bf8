import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** The envelope, with the further errors when there are some. */
function expectBadRequest(res: { status: number; body: any; headers: Record<string, unknown>; text: string }) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error_code).toBe('ModelArts.50004000');
  expect(Object.keys(res.body).filter((k) => !['error_code', 'error_msg', 'more_errors'].includes(k))).toEqual([]);
  expect(res.body.error_msg.length).toBeLessThanOrEqual(512);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
}

describe('a request with several validation errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('names the first in error_msg and lists the rest in more_errors', async () => {
    const body = networkBody();
    const res = await h.client.post('/v1/{project_id}/networks', {
      ...body,
      kind: 'Pool',
      spec: { cidr: 17, ipv6enable: 'yes', colour: 'blue' },
    });
    expectBadRequest(res);
    const all = [res.body.error_msg.replace(/^Bad request\. /, ''), ...(res.body.more_errors ?? [])];
    expect(all).toHaveLength(4);
    expect(all).toEqual(
      expect.arrayContaining([
        'body/kind: must be equal to constant (Network)',
        'body/spec: unknown field "colour"',
        'body/spec/cidr: must be string',
        'body/spec/ipv6enable: must be boolean',
      ]),
    );
    // Nothing was created.
    const list = await h.client.get('/v1/{project_id}/networks');
    expect(list.body.items).toEqual([]);
  });

  it('reports a value that fits no alternative of a union once, by the alternative it comes closest to', async () => {
    const res = await h.client.post('/v2/{project_id}/pools', {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': 'several' } },
      spec: { type: 'Dedicated', scope: ['Train', 'Bogus'], resources: [{ flavor: 'f', count: 0 }] },
    });
    expectBadRequest(res);
    expect([res.body.error_msg, ...(res.body.more_errors ?? [])]).toEqual([
      expect.stringMatching(/^Bad request\. body\/spec\/type: must be equal to (constant|one of the allowed values)/),
      expect.stringMatching(/^body\/spec\/scope\/1: must be equal to (constant|one of the allowed values)/),
      'body/spec/resources/0/count: must be >= 1',
    ]);
  });

  it('lists query errors together too, and keeps the envelope unchanged for a single error', async () => {
    const several = await h.client.get(`/v1/{project_id}/networks?limit=-1&continue=${'c'.repeat(600)}`);
    expectBadRequest(several);
    expect(several.body.more_errors).toHaveLength(1);

    const one = await h.client.get('/v1/{project_id}/networks?limit=-1');
    expectBadRequest(one);
    expect(Object.keys(one.body).sort()).toEqual(['error_code', 'error_msg']);
  });

  it('bounds the list, however many errors a body holds', async () => {
    const labels = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`key${i}`, i]));
    const body = networkBody();
    const res = await h.client.post('/v1/{project_id}/networks', {
      ...body,
      metadata: { labels: { ...body.metadata.labels, ...labels } },
    });
    expectBadRequest(res);
    expect(res.body.more_errors.length).toBeGreaterThan(0);
    expect(res.body.more_errors.length).toBeLessThanOrEqual(20);
    expect(res.body.more_errors.at(-1)).toMatch(/more errors? not listed$/);
  });

  it('reports only the first error of a large request, so a big invalid body costs no more than a valid one', async () => {
    const labels = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key${i}`, i]));
    const body = networkBody();
    const res = await h.client.post('/v1/{project_id}/networks', {
      ...body,
      metadata: { labels: { ...body.metadata.labels, ...labels } },
    });
    expectBadRequest(res);
    expect(res.body.error_msg).toMatch(/^Bad request\. body\/metadata\/labels/);
    expect(res.body.more_errors).toBeUndefined();
  });
});
