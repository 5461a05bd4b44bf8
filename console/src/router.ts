import { useEffect, useState } from 'react';

/** Hash routes (`#/pools/name`): the server serves one page at /console/ and needs no fallback. */
export type Route =
  | { page: 'overview' }
  | { page: 'pools' }
  | { page: 'pool'; name: string }
  | { page: 'new-pool' }
  | { page: 'networks' }
  | { page: 'network'; name: string }
  | { page: 'new-network' }
  | { page: 'emulator' };

export function parseRoute(hash: string): Route {
  const [first, second] = hash
    .replace(/^#\/?/, '')
    .split('/')
    .map((part) => decodeURIComponent(part));
  if (first === 'pools' && second === 'new') return { page: 'new-pool' };
  if (first === 'pools' && second) return { page: 'pool', name: second };
  if (first === 'pools') return { page: 'pools' };
  if (first === 'networks' && second === 'new') return { page: 'new-network' };
  if (first === 'networks' && second) return { page: 'network', name: second };
  if (first === 'networks') return { page: 'networks' };
  if (first === 'emulator') return { page: 'emulator' };
  return { page: 'overview' };
}

export const poolHref = (name: string) => `#/pools/${encodeURIComponent(name)}`;
export const networkHref = (name: string) => `#/networks/${encodeURIComponent(name)}`;

export function navigate(hash: string): void {
  window.location.hash = hash;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
