// Route validators and serializers compile at their first use (src/http/deferred-compile.ts): every
// one of them must still compile, and a request must be checked and answered as before.
import { describe, expect, it } from 'vitest';
import { DeferredCompilations } from '../../src/http/deferred-compile.js';
import { networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';

describe('deferred compilations', () => {
  it('compile at the first call, once, and compileAll runs only those still waiting', () => {
    const compilations = new DeferredCompilations();
    const compiled: string[] = [];
    const a = compilations.defer(() => (compiled.push('a'), 'A'));
    compilations.defer(() => (compiled.push('b'), 'B'));
    expect(compiled).toEqual([]);
    expect(compilations.pending).toBe(2);
    expect([a(), a()]).toEqual(['A', 'A']);
    expect(compiled).toEqual(['a']);
    expect(compilations.compileAll()).toBe(1);
    expect(compiled).toEqual(['a', 'b']);
    expect(compilations.compileAll()).toBe(0);
  });

  it('report a schema that cannot compile from compileAll, and keep it waiting', () => {
    const compilations = new DeferredCompilations();
    compilations.defer(() => {
      throw new Error('unknown keyword');
    });
    expect(() => compilations.compileAll()).toThrow('unknown keyword');
    expect(compilations.pending).toBe(1);
  });
});

describe("the application's route schemas", () => {
  const h = useHarness();

  it('are not compiled at start, are checked at their first request, and every one compiles', async () => {
    // The first request to this route compiles its body validator: the 400 names the field as before.
    const bad = await h.client.post('/v1/{project_id}/networks', { ...networkBody(), kind: 'Pool' });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body).toEqual({
      error_code: 'ModelArts.50004000',
      error_msg: 'Bad request. body/kind: must be equal to constant (Network)',
    });
    const created = await h.client.post('/v1/{project_id}/networks', networkBody());
    expect(created.status, created.text).toBe(200);
    expect(created.body.kind).toBe('Network');
    // Hundreds of validators and serializers (every route, its HEAD twin, every status) were left.
    expect(h.app.compileSchemas()).toBeGreaterThan(300);
    expect(h.app.compileSchemas()).toBe(0);
  });
});
