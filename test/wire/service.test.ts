// The wire of what is not a ModelArts operation, pinned: health and readiness, the OpenAPI document
// (its paths, operation ids, parameters and response statuses) and the emulator controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { admin, ADMIN_TOKEN } from '../admin/helpers.js';
import { pinner, WireNormaliser } from './normalise.js';

describe('wire: health, readiness and the OpenAPI document', () => {
  let h: Harness;
  let n: WireNormaliser;
  const pin = pinner(() => n);

  beforeAll(async () => {
    h = await startHarness();
    n = new WireNormaliser({ t0: h.clock.now(), known: { project: h.projectId } });
  });
  afterAll(() => h.close());

  it('/healthz and /readyz, without credentials', async () => {
    const anonymous = h.client.withCredentials(undefined);
    pin(await anonymous.get('/healthz'), 'healthz');
    pin(await anonymous.get('/readyz'), 'readyz');
  });

  it('/openapi.json: paths, operation ids, parameters, request bodies and response statuses', async () => {
    const res = await h.client.withCredentials(undefined).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(n.response({ ...res, body: undefined, text: '' }).headers).toMatchSnapshot('headers');
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, any>>;
      components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
    };
    const shape: Record<string, unknown> = {};
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        shape[`${method.toUpperCase()} ${path}`] = {
          operationId: op.operationId,
          tags: op.tags,
          parameters: (op.parameters ?? []).map((p: any) => `${p.in}:${p.name}${p.required ? '' : '?'}`),
          requestBody: op.requestBody ? Object.keys(op.requestBody.content ?? {}) : undefined,
          responses: Object.keys(op.responses ?? {}),
        };
      }
    }
    expect({
      openapi: doc.openapi,
      operations: shape,
      schemas: Object.keys(doc.components?.schemas ?? {}).sort(),
      securitySchemes: Object.keys(doc.components?.securitySchemes ?? {}).sort(),
    }).toMatchSnapshot('shape');
  });
});

describe('wire: emulator controls', () => {
  let h: Harness;
  let n: WireNormaliser;
  const pin = pinner(() => n);

  beforeAll(async () => {
    h = await startHarness({ ATELIER_ADMIN_TOKEN: ADMIN_TOKEN, ATELIER_POOL_CREATE_SECONDS: '5' });
    n = new WireNormaliser({ t0: h.clock.now(), known: { project: h.projectId, ak: h.credentials.accessKey } });
  });
  afterAll(() => h.close());

  it('clock: show, advance, a backward move refused', async () => {
    pin(await admin(h, 'GET', '/_atelier/clock'), 'GET clock');
    pin(await admin(h, 'POST', '/_atelier/clock/advance', { seconds: 30, hours: 1 }), 'POST clock/advance');
    pin(await admin(h, 'POST', '/_atelier/clock/advance', { seconds: -1 }), 'POST clock/advance backwards');
  });

  it('lifecycle: show, update, advance', async () => {
    pin(await admin(h, 'GET', '/_atelier/lifecycle'), 'GET lifecycle');
    pin(
      await admin(h, 'PUT', '/_atelier/lifecycle', {
        all: { mode: 'auto', seconds: 0 },
        poolCreate: { mode: 'manual' },
      }),
      'PUT lifecycle',
    );
    pin(await admin(h, 'PUT', '/_atelier/lifecycle', { poolCreate: { mode: 'sometimes' } }), 'PUT lifecycle invalid');
    const network = await h.client.post('/v1/{project_id}/networks', {
      apiVersion: 'v1',
      kind: 'Network',
      metadata: { labels: { 'os.modelarts/name': 'wire-net' } },
      spec: { cidr: '192.168.0.0/16' },
    });
    expect(network.status, network.text).toBe(200);
    await h.settle();
    const pool = await h.client.post('/v2/{project_id}/pools', {
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': 'wire-pool' } },
      spec: {
        type: 'Dedicate',
        scope: ['Train'],
        network: { name: network.body.metadata.name },
        resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 1 }],
      },
    });
    expect(pool.status, pool.text).toBe(200);
    pin(await admin(h, 'POST', '/_atelier/lifecycle/advance', { name: 'wire-pool' }), 'POST lifecycle/advance');
  });

  it('faults: register, list, clear one, clear all, unknown id', async () => {
    pin(
      await admin(h, 'POST', '/_atelier/faults', {
        operation: 'create',
        project: h.projectId,
        name: 'ci-*',
        reason: 'No capacity in az-1.',
      }),
      'POST faults',
    );
    pin(await admin(h, 'POST', '/_atelier/faults', { operation: 'scale', count: 2 }), 'POST faults second');
    pin(await admin(h, 'GET', `/_atelier/faults?project=${h.projectId}`), 'GET faults by project');
    pin(await admin(h, 'GET', '/_atelier/faults'), 'GET faults');
    const listed = (await admin(h, 'GET', '/_atelier/faults')).body.faults as Array<{ id: number }>;
    pin(await admin(h, 'DELETE', `/_atelier/faults/${listed[0]!.id}`), 'DELETE faults/id');
    pin(await admin(h, 'DELETE', '/_atelier/faults/999999'), 'DELETE faults/id unknown');
    pin(await admin(h, 'DELETE', '/_atelier/faults'), 'DELETE faults');
  });

  it('reset: one project, an unknown project, everything', async () => {
    pin(await admin(h, 'POST', '/_atelier/reset', { project: h.projectId }), 'POST reset project');
    pin(await admin(h, 'POST', '/_atelier/reset', { project: 'no-such-project' }), 'POST reset unknown project');
    pin(await admin(h, 'POST', '/_atelier/reset'), 'POST reset everything');
  });

  it('refusals: no token, a wrong token; the prefix without a configured token', async () => {
    pin(await admin(h, 'GET', '/_atelier/clock', undefined, null), 'no token');
    pin(await admin(h, 'GET', '/_atelier/clock', undefined, 'Bearer wrong-token-wrong-token-0000'), 'wrong token');
    const plain = await startHarness();
    try {
      pin(await admin(plain, 'GET', '/_atelier/clock'), 'controls disabled');
    } finally {
      await plain.close();
    }
  });
});
