// Display-name rules and generated object names (quotas-networks.md §2.2, pools.md §2).
import { randomHex } from './random-text.js';

/**
 * The `metadata.name` of a new pool or network: the display name, a dash and 32 random lowercase
 * hex digits. The suffix keeps names unique across re-creations of the same display name.
 */
export function generateResourceName(displayName: string): string {
  return `${displayName}-${randomHex(16)}`;
}

/** Network `os.modelarts/name` characters; the length rule is NETWORK_DISPLAY_NAME_LENGTH. */
export const NETWORK_DISPLAY_NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const NETWORK_DISPLAY_NAME_LENGTH = Object.freeze({ min: 4, max: 32 });

/** Pool `os.modelarts/name`; the quantifier also enforces the 4–30 length. */
export const POOL_DISPLAY_NAME = /^[a-z][a-z0-9-]{2,28}[a-z0-9]$/;

/** A node pool's name (nodepools-nodes-jobs.md §4, HW rule): 2–50 characters. */
export const NODE_POOL_NAME = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;

/**
 * Characters the service refuses in `os.modelarts/description`. No `g` flag on purpose: a global
 * regex keeps `lastIndex` between `.test()` calls and would skip matches on a shared constant.
 */
export const FORBIDDEN_DESCRIPTION_CHARS = /[!<>=&"']/;

export function isValidNetworkDisplayName(name: string): boolean {
  return (
    name.length >= NETWORK_DISPLAY_NAME_LENGTH.min &&
    name.length <= NETWORK_DISPLAY_NAME_LENGTH.max &&
    NETWORK_DISPLAY_NAME.test(name)
  );
}

export function isValidPoolDisplayName(name: string): boolean {
  return POOL_DISPLAY_NAME.test(name);
}
