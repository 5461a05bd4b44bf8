import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { KNOWN_OPERATIONS } from '../../src/http/operations.js';
import { expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';

describe('the error catalogue', () => {
  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const entry of Object.values(ERRORS)) {
      expect(doc, `docs/errors.md lacks ${entry.code}`).toContain(`\`${entry.code}\``);
      expect(entry.code.length).toBeGreaterThanOrEqual(8);
      expect(entry.code.length).toBeLessThanOrEqual(36);
    }
  });
});

describe('the operations list', () => {
  const h = useHarness();

  it('has a route for every known operation: its own, or a 501', async () => {
    const documented = h.app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const implemented = new Set<string>();
    for (const [path, methods] of Object.entries(documented.paths)) {
      for (const [method, op] of Object.entries(methods))
        implemented.add(`${method.toUpperCase()} ${path}|${op.operationId}`);
    }
    for (const op of KNOWN_OPERATIONS) {
      const openapiPath = op.url.replace(/:(\w+)/g, '{$1}');
      const path = op.url.replace(':project_id', '{project_id}').replace(/:(\w+)/g, 'some-name');
      const res = await h.client.request(
        op.method,
        path,
        op.method === 'GET' || op.method === 'DELETE' ? {} : { body: {} },
      );
      if (implemented.has(`${op.method} ${openapiPath}|${op.operationId}`)) {
        expect(res.status, `${op.operationId} is implemented`).not.toBe(501);
      } else {
        expectError(res, 501, 'ModelArts.50005010');
        expect(res.body.error_msg).toContain(op.operationId);
      }
    }
  });

  it('answers unknown routes with the gateway 404', async () => {
    expectError(await h.client.get('/v3/{project_id}/nothing-here'), 404, 'APIGW.0101');
    expectError(await h.client.request('PUT', '/v1/{project_id}/quotas'), 404, 'APIGW.0101');
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await h.client.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const ops = Object.values(res.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      (methods) => Object.values(methods).map((m) => m.operationId),
    );
    for (const id of [
      'ShowOsQuota',
      'ShowPoolStatistics',
      'CreatePool',
      'ListPools',
      'ShowPool',
      'PatchPool',
      'DeletePool',
      'CreateNetwork',
      'ListNetworks',
      'ShowNetwork',
      'PatchNetwork',
      'DeleteNetwork',
      'ListResourceFlavors',
      'ShowOsConfig',
    ]) {
      expect(ops).toContain(id);
    }
    const quotas = res.body.paths['/v1/{project_id}/quotas'].get;
    expect(quotas.responses['200'].content['application/json'].schema).toBeDefined();
  });
});

describe('request plumbing', () => {
  const h = useHarness();

  it('gives every response its own X-Request-Id and ignores a client-sent one', async () => {
    const a = await h.client.get('/v1/{project_id}/quotas', { 'x-request-id': 'forged' });
    const b = await h.client.get('/v1/{project_id}/quotas');
    expect(a.headers['x-request-id']).not.toBe('forged');
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('accepts the SDK content type on bodiless GET and DELETE', async () => {
    const res = await h.client.get('/v1/{project_id}/quotas', { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
  });

  it('refuses a body over 12 MB with 413', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(12 * 1024 * 1024 + 10) });
    expectError(await h.client.request('POST', '/v1/{project_id}/networks', { rawBody: big }), 413, 'APIGW.0201');
  });

  it('refuses a malformed project id in the path like any other foreign project', async () => {
    expectError(await h.clientFor('bad_id!').get('/v1/{project_id}/quotas'), 403, 'ModelArts.0210');
  });

  it('lists the resource flavors and the OS configuration', async () => {
    const flavors = await h.client.get('/v1/{project_id}/resourceflavors');
    expect(flavors.status).toBe(200);
    expect(flavors.body.kind).toBe('ResourceFlavorList');
    expect(flavors.body.items.length).toBeGreaterThan(3);
    expect(flavors.body.items[0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'ResourceFlavor',
      spec: { cpuArch: expect.any(String) },
    });
    const gpu = await h.client.get('/v1/{project_id}/resourceflavors?labelSelector=os.modelarts/scope%3DTrain');
    expect(gpu.body.items.length).toBeLessThan(flavors.body.items.length);
    const page = await h.client.get('/v1/{project_id}/resourceflavors?limit=2');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.metadata.continue).toEqual(expect.any(String));
    const next = await h.client.get(`/v1/{project_id}/resourceflavors?limit=2&continue=${page.body.metadata.continue}`);
    expect(next.body.items[0].metadata.name).not.toBe(page.body.items[0].metadata.name);

    const config = await h.client.get('/v1/{project_id}/os-user-config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ poolQuota: 15, networkQuota: 15, pooHighAvailable: false, maxPoolFlavors: 10 });
  });
});
