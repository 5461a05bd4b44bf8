// The official Node SDK's resource-management operations (test/helpers/sdk-operations.ts) against
// src/http/operations.ts.
import { describe, expect, it } from 'vitest';
import { KNOWN_OPERATIONS } from '../../src/http/operations.js';
import { useHarness } from '../helpers/harness.js';
import { SDK_OPERATION_COUNT, SDK_OPERATIONS } from '../helpers/sdk-operations.js';

/** Paths compared as the wire sees them: parameter names do not travel. */
const shape = (path: string) => path.replace(/:\w+|\{\w+\}/g, '{}');
const operationId = (sdkMethod: string) => sdkMethod[0].toUpperCase() + sdkMethod.slice(1);

describe("the SDK's resource-management operations", () => {
  const h = useHarness();

  it(`are ${SDK_OPERATION_COUNT}, each named once`, () => {
    expect(SDK_OPERATIONS).toHaveLength(SDK_OPERATION_COUNT);
    expect(new Set(SDK_OPERATIONS.map(([name]) => name)).size).toBe(SDK_OPERATION_COUNT);
  });

  it('each is built (a route of its own in the API document) or listed in operations.ts at its method and path', () => {
    const documented = h.app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const built = new Map<string, string | undefined>();
    for (const [path, methods] of Object.entries(documented.paths))
      for (const [method, op] of Object.entries(methods))
        built.set(`${method.toUpperCase()} ${shape(path)}`, op.operationId);
    const listed = new Map(KNOWN_OPERATIONS.map((op) => [`${op.method} ${shape(op.url)}`, op.operationId]));
    const missing: string[] = [];
    for (const [name, method, path] of SDK_OPERATIONS) {
      const key = `${method} ${shape(path)}`;
      const id = built.get(key) ?? listed.get(key);
      if (id === undefined) missing.push(`${name}: ${method} ${path}`);
      else expect(id, `${method} ${path}`).toBe(operationId(name));
    }
    expect(missing).toEqual([]);
  });

  it('no operation of operations.ts that the SDK has sits at another method or path', () => {
    const sdk = new Map(SDK_OPERATIONS.map(([name, method, path]) => [operationId(name), `${method} ${shape(path)}`]));
    for (const op of KNOWN_OPERATIONS) {
      const expected = sdk.get(op.operationId);
      if (expected !== undefined) expect(`${op.method} ${shape(op.url)}`, op.operationId).toBe(expected);
    }
  });

  it('each answers on its route: its own answer or the 501 of an operation not built, never "no such route"', async () => {
    for (const [name, method, path] of SDK_OPERATIONS) {
      const url = path.replace(/\{(?!project_id)\w+\}/g, 'some-name');
      const res = await h.client.request(method, url, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expect(res.body?.error_code, `${name}: ${method} ${path}`).not.toBe('APIGW.0101');
      if (res.status === 501) expect(res.body.error_msg).toContain(operationId(name));
    }
  });
});
