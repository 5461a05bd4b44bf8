import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from './client.js';

export interface Harness {
  app: FastifyInstance;
  context: AppContext;
  clock: ManualClock;
  engine: LifecycleEngine;
  config: Config;
  projectId: string;
  /** A client for the bootstrap project, sending what the official SDK sends. */
  client: ApiClient;
  /** A client for another project of the same installation. */
  clientFor(projectId: string): ApiClient;
  /** Moves the clock and runs engine passes until nothing more is due. */
  advance(ms: number): Promise<void>;
  /** Runs engine passes at the current time until nothing more is due. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** A unique id per test file and call, so test files can run side by side. */
export function uniqueId(prefix = 'p'): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}x${Date.now().toString(36)}`;
}

/**
 * A real Atelier application over a real SQLite database in a fresh temporary
 * directory, with a clock the test moves and an engine the test drives.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-test-'));
  const projectId = uniqueId('proj');
  const config = loadConfig({
    ATELIER_DATABASE_URL: `sqlite:${join(dir, 'atelier.db')}`,
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_LOG_LEVEL: 'silent',
    ...env,
  });
  const clock = new ManualClock(new Date('2026-03-01T08:00:00.000Z'));
  const { context, database } = await openContext(config, clock);
  const app = await buildApp(context);
  const engine = new LifecycleEngine(context, { error: (obj, msg) => console.error(msg, obj), debug: () => {} });
  const settle = async () => {
    for (let i = 0; i < 1000; i += 1) if ((await engine.runOnce()) === 0) return;
    throw new Error('the engine kept finding due work');
  };
  return {
    app,
    context,
    clock,
    engine,
    config,
    projectId,
    client: ApiClient.inject(app, projectId),
    clientFor: (id) => ApiClient.inject(app, id),
    advance: async (ms) => {
      clock.advance(ms);
      await settle();
    },
    settle,
    close: async () => {
      await app.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
