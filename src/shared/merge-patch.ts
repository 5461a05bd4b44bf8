// RFC 7386 JSON merge patch, the PATCH semantics of PatchPool and PatchNetwork (spec README
// decision 9; pools.md §6.4, quotas-networks.md §2.7): objects merge key by key, `null` deletes,
// anything else — arrays included — replaces what was there.

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds objects with Object.fromEntries because it defines own properties: a body key of
 * "__proto__" (which JSON.parse keeps as an own key) must stay data, not replace the prototype.
 */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

/**
 * Returns the result of applying `patch` to `target`. Neither input is mutated and the result
 * shares no objects or arrays with them, so callers may change it freely.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const base = isObject(target) ? target : {};
  const entries = new Map<string, unknown>();
  for (const [key, value] of Object.entries(base)) entries.set(key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) entries.delete(key);
    else entries.set(key, applyMergePatch(entries.get(key), value));
  }
  // Untouched target members are cloned too, so the result never aliases the input.
  return Object.fromEntries([...entries].map(([k, v]) => [k, Object.hasOwn(patch, k) ? v : clone(v)]));
}

/**
 * Whether applying `patch` could change the value at `path`: the patch names the path itself, a
 * key below it, or replaces (or deletes) one of its ancestors with a non-object. For example
 * `{"spec": null}` touches `["spec", "type"]`. The empty path is touched by any patch that is not
 * an empty object.
 */
export function patchTouches(patch: unknown, path: readonly string[]): boolean {
  if (!isObject(patch)) return true;
  if (path.length === 0) return Object.keys(patch).length > 0;
  const [head, ...rest] = path;
  if (!Object.hasOwn(patch, head)) return false;
  return patchTouches(patch[head], rest);
}

/**
 * Every path the patch sets or deletes, depth first in key order. Scalars, arrays and `null` are
 * leaves; so is an empty object, because `{"a": {}}` still replaces a non-object `a` with `{}`.
 * A patch that is not an object yields `[[]]`: it replaces the whole document.
 */
export function flattenPatchPaths(patch: unknown): string[][] {
  if (!isObject(patch)) return [[]];
  const paths: string[][] = [];
  const walk = (node: JsonObject, prefix: string[]): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = [...prefix, key];
      if (isObject(value) && Object.keys(value).length > 0) walk(value, path);
      else paths.push(path);
    }
  };
  walk(patch, []);
  return paths;
}
