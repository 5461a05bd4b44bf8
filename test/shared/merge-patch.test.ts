import { describe, it, expect } from 'vitest';
import { applyMergePatch, flattenPatchPaths, patchTouches } from '../../src/shared/merge-patch.js';

describe('applyMergePatch', () => {
  // The example and the test cases of RFC 7386 §1 and Appendix A.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('replaces arrays wholesale, [] included', () => {
    const pool = {
      spec: {
        resources: [
          { flavor: 'a', count: 1 },
          { flavor: 'b', count: 2 },
        ],
        scope: ['Train'],
      },
    };
    expect(applyMergePatch(pool, { spec: { resources: [{ flavor: 'b', count: 3 }] } })).toEqual({
      spec: { resources: [{ flavor: 'b', count: 3 }], scope: ['Train'] },
    });
    expect(applyMergePatch(pool, { spec: { scope: [] } })).toEqual({
      spec: { resources: pool.spec.resources, scope: [] },
    });
  });

  it('keeps nulls inside arrays, which are values rather than deletions', () => {
    expect(applyMergePatch({}, { a: [null, { b: null }] })).toEqual({ a: [null, { b: null }] });
  });

  it('deletes labels with null and leaves siblings alone', () => {
    const target = { metadata: { labels: { a: '1', b: '2' }, annotations: { d: 'x' } } };
    expect(applyMergePatch(target, { metadata: { labels: { a: null, c: '3' } } })).toEqual({
      metadata: { labels: { b: '2', c: '3' }, annotations: { d: 'x' } },
    });
  });

  it('treats a scalar target as {} when the patch is an object', () => {
    expect(applyMergePatch('x', { a: 1 })).toEqual({ a: 1 });
    expect(applyMergePatch(undefined, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
    expect(applyMergePatch({ a: 1 }, {})).toEqual({ a: 1 });
  });

  it('never mutates its inputs and shares nothing with them', () => {
    const target = { keep: { deep: [1, 2] }, change: { x: 1 }, drop: 1 };
    const patch = { change: { y: [3] }, drop: null, add: { z: [4] } };
    const targetCopy = structuredClone(target);
    const patchCopy = structuredClone(patch);

    const result = applyMergePatch(target, patch) as {
      keep: { deep: number[] };
      change: { x: number; y: number[] };
      add: { z: number[] };
    };
    expect(result).toEqual({ keep: { deep: [1, 2] }, change: { x: 1, y: [3] }, add: { z: [4] } });
    expect(target).toEqual(targetCopy);
    expect(patch).toEqual(patchCopy);

    expect(result.keep).not.toBe(target.keep);
    expect(result.keep.deep).not.toBe(target.keep.deep);
    expect(result.change.y).not.toBe(patch.change.y);
    expect(result.add).not.toBe(patch.add);
    result.keep.deep.push(9);
    result.add.z.push(9);
    expect(target.keep.deep).toEqual([1, 2]);
    expect(patch.add.z).toEqual([4]);
  });

  it('keeps a "__proto__" key as data instead of changing the prototype', () => {
    const patch: unknown = JSON.parse('{"a": {"__proto__": {"polluted": true}}}');
    const result = applyMergePatch({}, patch) as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(result.a)).toBe(Object.prototype);
    expect(Object.hasOwn(result.a, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('patchTouches', () => {
  const patch = {
    metadata: { annotations: { 'os.modelarts/description': 'hi' }, labels: { 'os.modelarts/workspace.id': null } },
    spec: { resources: [{ flavor: 'a', count: 1 }] },
  };

  it('finds named paths and paths under them', () => {
    expect(patchTouches(patch, ['metadata', 'annotations', 'os.modelarts/description'])).toBe(true);
    expect(patchTouches(patch, ['metadata', 'labels', 'os.modelarts/workspace.id'])).toBe(true);
    expect(patchTouches(patch, ['metadata'])).toBe(true);
    expect(patchTouches(patch, ['spec', 'resources'])).toBe(true);
    expect(patchTouches(patch, ['spec', 'resources', '0', 'flavor'])).toBe(true);
  });

  it('misses paths the patch does not mention', () => {
    expect(patchTouches(patch, ['spec', 'type'])).toBe(false);
    expect(patchTouches(patch, ['metadata', 'name'])).toBe(false);
    expect(patchTouches(patch, ['status'])).toBe(false);
    expect(patchTouches({}, ['spec'])).toBe(false);
  });

  it('counts replacing or deleting an ancestor as touching', () => {
    expect(patchTouches({ spec: null }, ['spec', 'type'])).toBe(true);
    expect(patchTouches({ spec: 'x' }, ['spec', 'network', 'name'])).toBe(true);
    expect(patchTouches(null, ['spec'])).toBe(true);
    expect(patchTouches([], ['spec'])).toBe(true);
  });

  it('does not follow inherited properties', () => {
    expect(patchTouches({}, ['constructor'])).toBe(false);
    expect(patchTouches({ a: {} }, ['a', 'toString'])).toBe(false);
  });

  it('treats the empty path as the whole document', () => {
    expect(patchTouches({}, [])).toBe(false);
    expect(patchTouches({ a: 1 }, [])).toBe(true);
    expect(patchTouches('x', [])).toBe(true);
  });
});

describe('flattenPatchPaths', () => {
  it('lists every leaf, with arrays and null as leaves', () => {
    expect(
      flattenPatchPaths({
        metadata: { labels: { a: '1', b: null }, annotations: { 'os.modelarts/description': 'd' } },
        spec: { resources: [{ flavor: 'x', count: 1 }], scope: [] },
      }),
    ).toEqual([
      ['metadata', 'labels', 'a'],
      ['metadata', 'labels', 'b'],
      ['metadata', 'annotations', 'os.modelarts/description'],
      ['spec', 'resources'],
      ['spec', 'scope'],
    ]);
  });

  it('treats an empty object as a leaf, since it can replace a scalar', () => {
    expect(flattenPatchPaths({ spec: { type: {} } })).toEqual([['spec', 'type']]);
    expect(flattenPatchPaths({ spec: {} })).toEqual([['spec']]);
  });

  it('returns nothing for {} and the root path for a non-object patch', () => {
    expect(flattenPatchPaths({})).toEqual([]);
    expect(flattenPatchPaths(null)).toEqual([[]]);
    expect(flattenPatchPaths([1])).toEqual([[]]);
    expect(flattenPatchPaths('x')).toEqual([[]]);
  });

  it('lets a caller reject non-patchable fields', () => {
    const patchable = [
      ['metadata', 'annotations', 'os.modelarts/description'],
      ['spec', 'resources'],
    ];
    const allowed = (path: string[]): boolean =>
      patchable.some((p) => p.length <= path.length && p.every((k, i) => path[i] === k));
    const bad = flattenPatchPaths({ spec: { type: 'Dedicate', resources: [] } }).filter((p) => !allowed(p));
    expect(bad).toEqual([['spec', 'type']]);
  });
});
