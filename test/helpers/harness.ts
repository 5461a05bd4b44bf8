import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from './client.js';
import { freshDatabase } from './databases.js';

export interface Harness {
  app: FastifyInstance;
  context: AppContext;
  clock: ManualClock;
  engine: LifecycleEngine;
  config: Config;
  projectId: string;
  /** A client for the bootstrap project, sending what the official SDK sends. */
  client: ApiClient;
  /** The bootstrap credential, granted the bootstrap project. */
  credentials: { accessKey: string; secretKey: string };
  /**
   * The bootstrap credential aimed at another project id: the server refuses it
   * with 403 unless that project was granted to it.
   */
  clientFor(projectId: string): ApiClient;
  /** A new project of the bootstrap account with its own credential, and a client for it. */
  newProject(): Promise<ApiClient>;
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
 * A real Atelier application over a real database — SQLite in a fresh temporary
 * directory, or a fresh database on the run's PostgreSQL cluster when the vitest
 * project's dialect is postgres — with a clock the test moves and an engine the test drives.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-test-'));
  const testDb = await freshDatabase(dir);
  const projectId = uniqueId('proj');
  const credentials = {
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
  };
  const config = loadConfig({
    ATELIER_DATABASE_URL: testDb.url,
    // Without a SQLite file there is no directory for a key file: give the key outright.
    ...((env.ATELIER_DATABASE_URL ?? testDb.url).startsWith('sqlite:')
      ? {}
      : { ATELIER_SECRET_KEY: 'atelier-test-secret-key-0123456789' }),
    ATELIER_BOOTSTRAP_PROJECT_ID: projectId,
    ATELIER_BOOTSTRAP_AK: credentials.accessKey,
    ATELIER_BOOTSTRAP_SK: credentials.secretKey,
    ATELIER_LOG_LEVEL: 'silent',
    ...env,
  });
  const clock = new ManualClock(new Date('2026-03-01T08:00:00.000Z'));
  const { context, database } = await openContext(config, clock);
  const app = await buildApp(context, { engine: () => engine });
  const log = { error: (...args: unknown[]) => console.error(...args), debug: () => {} };
  const engine = new LifecycleEngine(context, log as never);
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
    credentials,
    client: ApiClient.inject(app, projectId, credentials),
    clientFor: (id) => ApiClient.inject(app, id, credentials),
    newProject: async () => {
      const account = await context.identity.requireAccount('default');
      const project = await context.identity.createProject(account.id, { id: uniqueId('proj') });
      const credential = await context.identity.createCredential(account.id, [project.id]);
      return ApiClient.inject(app, project.id, credential);
    },
    advance: async (ms) => {
      clock.advance(ms);
      await settle();
    },
    settle,
    close: async () => {
      await app.close();
      await database.close();
      await testDb.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The harness of the enclosing `describe`: started before its first test, closed after its last. The
 * value is usable as a Harness inside hooks and tests (it forwards to the harness once started), so a
 * describe writes one line instead of a variable, a beforeAll and an afterAll.
 */
export function useHarness(env: Record<string, string> = {}): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(env);
  });
  afterAll(async () => {
    await started?.close();
    started = undefined;
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error(`the harness is used before it started (reading ${String(key)})`);
      return started[key as keyof Harness];
    },
  });
}
