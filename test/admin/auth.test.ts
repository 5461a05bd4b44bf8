// The emulator controls exist only with ATELIER_ADMIN_TOKEN, and every one of them
// demands it as a bearer token (docs/emulator.md).
import { describe, expect, it } from 'vitest';
import { adminTokenMatches } from '../../src/admin/admin.routes.js';
import { expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { admin, ADMIN_TOKEN, useAdminHarness } from './helpers.js';

const ENDPOINTS: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?]> = [
  ['POST', '/_atelier/reset', {}],
  ['GET', '/_atelier/lifecycle'],
  ['PUT', '/_atelier/lifecycle', { poolCreate: { mode: 'manual' } }],
  ['POST', '/_atelier/lifecycle/advance', {}],
  ['GET', '/_atelier/faults'],
  ['POST', '/_atelier/faults', { operation: 'create' }],
  ['DELETE', '/_atelier/faults'],
  ['DELETE', '/_atelier/faults/1'],
  ['GET', '/_atelier/clock'],
  ['POST', '/_atelier/clock/advance', { seconds: 60 }],
];

describe('the emulator controls without ATELIER_ADMIN_TOKEN', () => {
  const h = useHarness();

  it('answer 404 under the whole prefix, with or without a token', async () => {
    for (const [method, url, body] of ENDPOINTS) {
      expectError(await admin(h, method, url, body), 404, 'APIGW.0101');
      expectError(await admin(h, method, url, body, null), 404, 'APIGW.0101');
    }
  });

  it('are not in the OpenAPI document', async () => {
    const doc = (await h.client.get('/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/_atelier'))).toEqual([]);
  });
});

describe('the emulator controls with ATELIER_ADMIN_TOKEN', () => {
  const h = useAdminHarness();

  it('refuse a missing, wrong or malformed token on every endpoint with the 401 envelope', async () => {
    const wrong = [
      null,
      'Bearer wrong-token-0123456789',
      `Bearer ${ADMIN_TOKEN}x`,
      `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
      ADMIN_TOKEN,
      `Basic ${ADMIN_TOKEN}`,
      'Bearer ',
    ];
    for (const [method, url, body] of ENDPOINTS) {
      for (const authorization of wrong) {
        const res = await admin(h, method, url, body, authorization);
        expectError(res, 401, 'APIGW.0301');
        expect(res.body.error_msg).toContain('Bearer');
      }
    }
  });

  it('refuse an AK/SK signature in place of the token', async () => {
    const res = await h.client.get('/_atelier/lifecycle');
    expectError(res, 401, 'APIGW.0301');
  });

  it('serve the caller with the token, who needs no AK/SK signature', async () => {
    const res = await admin(h, 'GET', '/_atelier/clock');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ now: '2026-03-01T08:00:00.000Z', offsetSeconds: 0 });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    // The scheme name is case-insensitive (RFC 7235).
    expect((await admin(h, 'GET', '/_atelier/clock', undefined, `bearer ${ADMIN_TOKEN}`)).status).toBe(200);
  });

  it('leave the ModelArts API to its own authentication', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/v1/${h.projectId}/quotas`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.statusCode).toBe(401);
    expect((await h.client.get('/v1/{project_id}/quotas')).status).toBe(200);
  });

  it('validate bodies into the 400 envelope', async () => {
    expectError(await admin(h, 'POST', '/_atelier/faults', { operation: 'explode' }), 400, 'ModelArts.50004000');
    expectError(
      await admin(h, 'POST', '/_atelier/faults', { operation: 'create', surprise: 1 }),
      400,
      'ModelArts.50004000',
    );
    expectError(await admin(h, 'POST', '/_atelier/clock/advance', { seconds: -5 }), 400, 'ModelArts.50004000');
    expectError(await admin(h, 'POST', '/_atelier/clock/advance', {}), 400, 'ModelArts.50004000');
    expectError(
      await admin(h, 'PUT', '/_atelier/lifecycle', { poolCreate: { mode: 'sometimes' } }),
      400,
      'ModelArts.50004000',
    );
  });
});

describe('adminTokenMatches', () => {
  it('accepts exactly the token, as a bearer credential', () => {
    expect(adminTokenMatches(ADMIN_TOKEN, `Bearer ${ADMIN_TOKEN}`)).toBe(true);
    expect(adminTokenMatches(ADMIN_TOKEN, `Bearer  ${ADMIN_TOKEN} `)).toBe(true);
    expect(adminTokenMatches(ADMIN_TOKEN, undefined)).toBe(false);
    expect(adminTokenMatches(ADMIN_TOKEN, 'Bearer')).toBe(false);
    expect(adminTokenMatches(ADMIN_TOKEN, `Bearer ${ADMIN_TOKEN.toUpperCase()}`)).toBe(false);
    expect(adminTokenMatches(ADMIN_TOKEN, `Token ${ADMIN_TOKEN}`)).toBe(false);
  });
});
