// @ts-check
/**
 * Writes the OpenAPI document the console's client is typed from: Atelier's own, built by buildApp (from
 * the compiled dist/, which `npm run build` has just written) over a database in memory, without
 * listening, with the emulator controls included (the served /openapi.json hides them).
 * `npm run build:console` runs this, then openapi-typescript, then Vite.
 */
import { writeFileSync } from 'node:fs';
import { buildApp } from '../../dist/app.js';
import { loadConfig } from '../../dist/config.js';
import { openContext } from '../../dist/server.js';

const target = process.argv[2];
if (!target) throw new Error('usage: openapi-document.mjs <output.json>');

const config = loadConfig({
  ATELIER_DATABASE_URL: 'sqlite::memory:',
  ATELIER_ADMIN_TOKEN: 'console-build-only-token',
  ATELIER_LOG_LEVEL: 'silent',
});
const { context, database } = await openContext(config);
const app = await buildApp(context, { openApi: { emulator: true } });
writeFileSync(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
await app.close();
await database.close();
