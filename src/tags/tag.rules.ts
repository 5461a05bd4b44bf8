import { badRequest } from '../errors.js';

/** Tags one pool may carry (config-events-flavors §6.2). */
export const MAX_TAGS_PER_POOL = 20;

/** Keys the service keeps for itself (the pool UserTag rule). */
const RESERVED_PREFIXES = ['CCE-', '__type_baremetal'];

/** A key outside the rules the schema cannot state → 400. */
export function checkKey(key: string, where: string): void {
  const reserved = RESERVED_PREFIXES.find((prefix) => key.startsWith(prefix));
  if (reserved) throw badRequest(`${where}.key: ${key} starts with ${reserved}, which is reserved`);
}

/** The same key twice in one request with different values: which one is meant? */
export function checkNoClash(tags: readonly { key: string; value?: string }[], where: string): void {
  const seen = new Map<string, string | undefined>();
  tags.forEach((tag, i) => {
    checkKey(tag.key, `${where}[${i}]`);
    if (seen.has(tag.key) && seen.get(tag.key) !== tag.value) {
      throw badRequest(`${where}[${i}].key: ${tag.key} is listed twice with different values`);
    }
    seen.set(tag.key, tag.value);
  });
}

/** The tags a pool would have are within the limit → otherwise 400 naming it. */
export function checkLimit(count: number, pool: string): void {
  if (count > MAX_TAGS_PER_POOL) {
    throw badRequest(`tags: pool ${pool} would have ${count} tags; a pool has at most ${MAX_TAGS_PER_POOL}`);
  }
}
