import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where Vite writes the console (console/vite.config.ts); src/ and dist/ both sit beside console/. */
const CONSOLE_ROOT = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** The path the console is served under. */
export const CONSOLE_PATH = '/console/';

/**
 * The console's address for the banners. A wildcard listen address is not one a browser can open, and
 * the console signs in a secure context only (WebCrypto), which localhost is and a LAN address is not.
 */
export function consoleUrl(address: string): string {
  const url = new URL(address);
  if (['0.0.0.0', '[::]'].includes(url.hostname)) url.hostname = 'localhost';
  return new URL(CONSOLE_PATH, url).toString();
}
const CONSOLE_ENTRY = '/console';

/**
 * Serves the web console (console/, built by `npm run build:console`, which `npm ci` runs) at /console/.
 * Its files are public like /docs: the console signs its API calls in the browser, as any client does.
 * Without a build (a checkout where only `tsc` ran), /console/ says how to build it instead of a 404.
 */
export async function registerConsole(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), public: true };
      route.schema = { ...route.schema, hide: true } as typeof route.schema;
    });
    if (!existsSync(`${CONSOLE_ROOT}index.html`)) {
      scope.get(CONSOLE_ENTRY, async (_request, reply) =>
        reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The console is not built: run `npm run build:console` (npm ci does it).\n'),
      );
      return;
    }
    await scope.register(fastifyStatic, { root: CONSOLE_ROOT, prefix: CONSOLE_PATH, cacheControl: false });
    // Vite names every asset by its content: cache those for good, never the page that names them.
    scope.addHook('onSend', async (request, reply) => {
      const asset = request.url.startsWith(`${CONSOLE_PATH}assets/`) && reply.statusCode === 200;
      reply.header('cache-control', asset ? 'public, max-age=31536000, immutable' : 'no-cache');
    });
    // The router ignores trailing slashes, so /console/ arrives as /console, which the wildcard misses.
    scope.get(CONSOLE_ENTRY, (_request, reply) => reply.sendFile('index.html'));
  });
}
