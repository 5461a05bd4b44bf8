// The engine's error paths (issue 15, "the tests must pin the guarantees"): a step that fails is
// logged, its lease handed back and the step tried again at a later pass while the other rows go on;
// a whole pass that fails is logged, readiness stops seeing passes, and the engine recovers by itself.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { activeNetwork, poolBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** What the engine logged at error level, as (message, fields). */
function capturingLog() {
  const errors: Array<{ message: string; fields: Record<string, unknown> }> = [];
  return {
    errors,
    log: {
      error: (...args: unknown[]) => {
        const [fields, message] = args as [Record<string, unknown>, string];
        errors.push({ message, fields });
      },
      debug: () => {},
    },
  };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Makes the database refuse any change of the named pool's phase, as a failing disk or bug would. */
async function breakPhaseChanges(h: Harness, poolName: string): Promise<void> {
  const db = h.context.database.db;
  if (h.context.database.kind === 'sqlite') {
    await sql`create trigger broken_step before update of phase on pools
      when old.name = ${sql.lit(poolName)} and new.phase <> old.phase
      begin select raise(abort, 'this step is broken'); end`.execute(db);
    return;
  }
  await sql`create function broken_step() returns trigger language plpgsql as $$
      begin raise exception 'this step is broken'; end $$`.execute(db);
  await sql`create trigger broken_step before update of phase on pools for each row
      when (old.name = ${sql.lit(poolName)} and new.phase <> old.phase) execute function broken_step()`.execute(db);
}

async function repairPhaseChanges(h: Harness): Promise<void> {
  const db = h.context.database.db;
  if (h.context.database.kind === 'sqlite') {
    await sql`drop trigger broken_step`.execute(db);
    return;
  }
  await sql`drop trigger broken_step on pools`.execute(db);
  await sql`drop function broken_step()`.execute(db);
}

describe('the engine when a step or a pass fails', () => {
  let h: Harness;
  let engine: LifecycleEngine | undefined;
  beforeEach(async () => {
    h = await startHarness({
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '5',
      ATELIER_ENGINE_INTERVAL_MS: '20',
    });
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    await h.close();
  });

  const phase = async (name: string) => (await h.client.get(`/v2/{project_id}/pools/${name}`)).body.status.phase;

  it('logs a failing step, hands its lease back, finishes the other rows, and tries the step again later', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const names: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await h.client.post('/v2/{project_id}/pools', poolBody(network));
      expect(res.status, res.text).toBe(200);
      names.push(res.body.metadata.name);
    }
    const db = h.context.database.db;
    const broken = names[1]!;
    // A row whose step cannot complete: the database refuses to change its phase (a lease
    // hand-back changes no phase, so it still goes through).
    await breakPhaseChanges(h, broken);
    const { errors, log } = capturingLog();
    engine = new LifecycleEngine(h.context, log);
    h.clock.advance(5_000);
    await engine.runOnce();

    // The pool's own step brings its due nodes up and makes it Running: that step fails,
    // logged with the pool's name, and nothing it did is kept.
    expect(errors.map((e) => [e.message, e.fields.kind, e.fields.name])).toEqual([
      ['lifecycle step failed', 'pools', broken],
    ]);
    const row = await db
      .selectFrom('pools')
      .select(['phase', 'lease_owner', 'lease_expires_at'])
      .where('name', '=', broken)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ phase: 'Creating', lease_owner: null, lease_expires_at: null });
    expect(await phase(names[0]!)).toBe('Running');
    expect(await phase(names[2]!)).toBe('Running');

    // Repaired, the row is taken up again at the next pass.
    await repairPhaseChanges(h);
    await engine.runOnce();
    expect(await phase(broken)).toBe('Running');
    expect(errors).toHaveLength(1);
  });

  it('logs a failing pass, stops counting passes, and goes on by itself once the database answers again', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const { errors, log } = capturingLog();
    engine = new LifecycleEngine(h.context, log);
    engine.start();
    await until('a first pass', () => engine!.lastPassAt() !== undefined);

    // Every pass starts by claiming due networks: without their table, the whole pass fails.
    await sql`alter table networks rename to networks_away`.execute(h.context.database.db);
    try {
      await until('a failed pass', () => errors.some((e) => e.message === 'lifecycle pass failed'));
      const stalledAt = engine.lastPassAt()!.getTime();
      await until('another failed pass', () => errors.filter((e) => e.message === 'lifecycle pass failed').length >= 2);
      expect(engine.lastPassAt()!.getTime()).toBe(stalledAt);
      expect(engine.isRunning()).toBe(true);
    } finally {
      await sql`alter table networks_away rename to networks`.execute(h.context.database.db);
    }
    const failedAt = Date.now();
    await until('a pass that succeeds', () => engine!.lastPassAt()!.getTime() >= failedAt);

    // And its work is done again.
    const res = await h.client.post('/v2/{project_id}/pools', poolBody(network));
    expect(res.status, res.text).toBe(200);
    h.clock.advance(5_000);
    engine.wake();
    await until('the pool to be Running', async () => (await phase(res.body.metadata.name)) === 'Running');
  });
});
