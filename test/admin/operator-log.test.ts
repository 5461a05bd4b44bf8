import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { uniqueId, type Harness } from '../helpers/harness.js';
import { ADMIN_TOKEN, startAdminHarness } from './helpers.js';

type Line = Record<string, unknown> & { level: number; msg: string };

/** The app of a harness once more, logging at info into memory; calls to the emulator controls. */
async function loggingApp(h: Harness) {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  const app = await buildApp(h.context, { logger: { level: 'info', stream } });
  const lines = (): Line[] =>
    written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const call = async (url: string, body: unknown) => {
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.headers['x-request-id'] as string;
  };
  return { app, lines, call };
}

describe('what the emulator controls tell the log', () => {
  let h: Harness;
  let log: Awaited<ReturnType<typeof loggingApp>>;
  beforeAll(async () => {
    h = await startAdminHarness();
    log = await loggingApp(h);
  });
  afterAll(async () => {
    await log.app.close();
    await h.close();
  });

  it('warns when a reset asks to reseed and no seed file is configured', async () => {
    const reqId = await log.call('/_atelier/reset', { reseed: true });
    const warning = log.lines().find((l) => l.reqId === reqId && l.level === 40);
    expect(warning?.msg).toMatch(/no seed file/i);
    expect(warning?.msg).toContain('ATELIER_SEED_FILE');
    // A reset that does not ask for it says nothing of the kind.
    const quiet = await log.call('/_atelier/reset', {});
    expect(log.lines().filter((l) => l.reqId === quiet && l.level >= 40)).toEqual([]);
  });

  it('warns when a clock move expires tokens, and counts them', async () => {
    const account = await h.context.identity.requireAccount('default');
    const now = h.context.clock.now().getTime();
    for (const ttlMs of [60_000, 90_000, 7_200_000])
      await h.context.identity.issueToken(account.id, h.projectId, { ttlMs });
    const reqId = await log.call('/_atelier/clock/advance', { seconds: 120 });
    const warning = log.lines().find((l) => l.reqId === reqId && l.level === 40);
    expect(warning).toMatchObject({ expiredTokens: 2, movedSeconds: 120 });
    expect(warning?.msg).toMatch(/expired/);
    // A move that expires none is not worth a warning.
    const quiet = await log.call('/_atelier/clock/advance', { seconds: 60 });
    expect(log.lines().filter((l) => l.reqId === quiet && l.level >= 40)).toEqual([]);
    expect(h.context.clock.now().getTime()).toBeGreaterThanOrEqual(now + 180_000);
  });
});

describe('what a reseed tells the log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-oplog-'));
  const file = join(dir, 'seed.yaml');
  let h: Harness;
  let log: Awaited<ReturnType<typeof loggingApp>>;
  beforeAll(async () => {
    writeFileSync(
      file,
      `projects:\n  - id: ${uniqueId('seedlog')}\n    name: cn-log-1\n    networks:\n      - { name: net-a, cidr: 192.168.0.0/16 }\n      - { name: net-b, cidr: 172.16.0.0/16 }\n`,
    );
    h = await startAdminHarness({ ATELIER_SEED_FILE: file });
    log = await loggingApp(h);
  });
  afterAll(async () => {
    await log.app.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs what the seed file loaded, by kind', async () => {
    const reqId = await log.call('/_atelier/reset', { reseed: true });
    const loaded = log.lines().find((l) => l.reqId === reqId && l.msg === 'seed file loaded');
    expect(loaded).toMatchObject({
      level: 30,
      seedFile: file,
      loaded: { projects: 0, credentials: 0, networks: 2, pools: 0 },
    });
  });
});
