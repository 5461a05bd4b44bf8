// JSON nesting is bounded when the body is parsed, for every route: a deep body is a 400
// before any route (and the recursive merge-patch walk of PATCH) sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/http/request-body.js';
import { expectError, networkBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const nestedObject = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
const nestedArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON depth', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it.each([
    ['PATCH', '/v2/{project_id}/pools/anything', 'application/merge-patch+json'],
    ['PATCH', '/v1/{project_id}/networks/anything', 'application/merge-patch+json'],
    ['POST', '/v2/{project_id}/pools', 'application/json'],
    ['POST', '/v1/{project_id}/networks', 'application/json'],
  ])('refuses a deeply nested %s %s body with a 400, and changes nothing', async (method, path, type) => {
    for (const body of [nestedObject(100_000), nestedArray(100_000), `{"metadata":${nestedObject(MAX_JSON_DEPTH)}}`]) {
      const res = await h.client.request(method as 'PATCH', path, { rawBody: body, headers: { 'content-type': type } });
      expectError(res, 400, 'ModelArts.50004000');
      expect(res.body.error_msg).toMatch(/nested deeper than 32 levels/);
    }
    const networks = await h.client.get('/v1/{project_id}/networks');
    expect(networks.body.items).toEqual([]);
  });

  it('parses a body at the limit, and counts brackets inside strings as text', async () => {
    const atLimit = await h.client.request('PATCH', '/v2/{project_id}/pools/anything', {
      rawBody: nestedObject(MAX_JSON_DEPTH),
      headers: {
        'content-type': 'application/merge-patch+json',
      },
    });
    expect(atLimit.body.error_msg).not.toMatch(/nested deeper/);
    const text = JSON.stringify({ metadata: { annotations: { x: '[[[[{{{{'.repeat(100) } } });
    const inString = await h.client.request('PATCH', '/v2/{project_id}/pools/anything', {
      rawBody: text,
      headers: {
        'content-type': 'application/merge-patch+json',
      },
    });
    expect(inString.body.error_msg).not.toMatch(/nested deeper/);
  });
});

describe('text the database cannot store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  // SQLite stores it (and finds no such pool); PostgreSQL refuses it: either way a 4xx, never a 500.
  it('answers U+0000 in a path segment, a query value or a JSON string with a 4xx on both databases', async () => {
    const pg = h.context.database.kind === 'postgres';
    const lookup = await h.client.get('/v2/{project_id}/pools/%00');
    if (pg) expectError(lookup, 400, 'ModelArts.50004000');
    else expectError(lookup, 404, 'ModelArts.50015001');
    const listed = await h.client.get('/v2/{project_id}/pools?workspaceId=%00');
    expect(listed.status).toBeLessThan(500);
    const body = networkBody();
    (body.metadata as Record<string, unknown>).annotations = { 'example.com/x': 'a\u0000b' };
    const created = await h.client.post('/v1/{project_id}/networks', body);
    // Kept as the JSON escape it arrived in.
    expect(created.status, created.text).toBe(200);
  });
});
