import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { consoleUrl } from '../../src/http/console.js';
import { useHarness } from '../helpers/harness.js';

const built = readdirSync(new URL('../../console/dist/assets/', import.meta.url));

describe('the console at /console/', () => {
  const h = useHarness({ ATELIER_ADMIN_TOKEN: 'a-console-test-admin-token' });

  it('is served without credentials, the page never cached and the assets for good', async () => {
    for (const url of ['/console/', '/console']) {
      const page = await h.app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('/console/assets/');
    }
    const script = built.find((f) => f.endsWith('.js'))!;
    const asset = await h.app.inject({ url: `/console/assets/${script}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await h.app.inject({ url: '/console/assets/none.js' })).statusCode).toBe(404);
  });

  it('leaves the emulator controls out of /openapi.json; the console build alone documents them', async () => {
    const served = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(served.paths).filter((p) => p.startsWith('/_atelier/'))).toEqual([]);
    const app = await buildApp(h.context, { openApi: { emulator: true } });
    try {
      const paths = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
      expect(paths).toEqual(expect.arrayContaining(['/_atelier/faults', '/_atelier/lifecycle', '/_atelier/clock']));
      expect(paths).toEqual(expect.arrayContaining(Object.keys(served.paths)));
    } finally {
      await app.close();
    }
  });

  it('is announced at an address a browser can open', () => {
    expect(consoleUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/console/');
    expect(consoleUrl('http://0.0.0.0:8080')).toBe('http://localhost:8080/console/');
  });
});
