import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import { fromDbTime, toDbTime, type Executor } from '../db/database.js';
import type { FaultRow, NetworkRow, PoolRow } from '../db/schema.js';
import { LIFECYCLE_STEPS } from '../engine/lifecycle-policy.js';
import { AtelierError, badRequest } from '../errors.js';
import {
  deleteFaults,
  faultMatches,
  findFault,
  insertFault,
  selectFaultedPoolIds,
  selectFaults,
  takeFault,
} from '../faults/fault.store.js';
import { bootstrapIdentity, DEFAULT_ACCOUNT } from '../identity/bootstrap.js';
import { countTokensExpiringBetween, findAccount } from '../identity/identity.store.js';
import { advanceNetwork } from '../networks/network.service.js';
import { selectDueNetworks } from '../networks/network.store.js';
import { healAbnormal, makeAbnormal } from '../pools/pool.faults.js';
import type { PoolSpec } from '../pools/pool.schema.js';
import { advancePool } from '../pools/pool.service.js';
import { selectDuePools } from '../pools/pool.store.js';
import { admitEveryWaitingPool } from '../pools/pool.transitions.js';
import { requireProject } from '../projects/project.service.js';
import { loadSeedFile } from '../seed/seed.loader.js';
import type {
  AdvanceBody,
  AdvanceResult,
  ClearResult,
  ClockBody,
  ClockState,
  Fault,
  FaultBody,
  Lifecycle,
  LifecycleBody,
  ResetBody,
  ResetResult,
} from './admin.schema.js';
import { clearEmulatorSettings, saveClockOffset, saveLifecycle } from './emulator-settings.store.js';

/**
 * The emulator controls (docs/emulator.md): reset, lifecycle timing, faults and
 * the clock. Every change that must outlive a restart is written to the database;
 * the in-memory copies (policy, clock offset) are updated after the commit.
 * They assume one server process per database, as an emulator is run: another
 * replica would see a changed timing or clock only after its own restart.
 */

// --- reset -------------------------------------------------------------------

export async function resetState(ctx: AppContext, body: ResetBody, log: FastifyBaseLogger): Promise<ResetResult> {
  const { database } = ctx;
  const projectId = body.project;
  const keepIdentities = body.keepIdentities ?? true;
  const removed = await database.transaction(async (tx) => {
    if (projectId !== undefined) {
      await database.lockProject(tx, projectId);
      await requireProject(ctx, projectId, tx);
    }
    const p = projectId;
    const poolIds = p
      ? tx.selectFrom('pools').select('id').where('project_id', '=', p)
      : tx.selectFrom('pools').select('id');
    await tx.deleteFrom('faulted_pools').where('pool_id', 'in', poolIds).execute();
    await tx.deleteFrom('pool_nodes').where('pool_id', 'in', poolIds).execute();
    const pools = await (
      p ? tx.deleteFrom('pools').where('project_id', '=', p) : tx.deleteFrom('pools')
    ).executeTakeFirst();
    const networks = await (
      p ? tx.deleteFrom('networks').where('project_id', '=', p) : tx.deleteFrom('networks')
    ).executeTakeFirst();
    // Counters go with the rows they count, so quotas and statistics stay true.
    await (p ? tx.deleteFrom('usage_counts').where('project_id', '=', p) : tx.deleteFrom('usage_counts')).execute();
    const events = await (
      p ? tx.deleteFrom('events').where('project_id', '=', p) : tx.deleteFrom('events')
    ).executeTakeFirst();
    const faults = await (
      p ? tx.deleteFrom('faults').where('project_id', '=', p) : tx.deleteFrom('faults')
    ).executeTakeFirst();
    let projects = 0;
    if (!keepIdentities) {
      await (p ? tx.deleteFrom('tokens').where('project_id', '=', p) : tx.deleteFrom('tokens')).execute();
      await (p ? tx.deleteFrom('grants').where('project_id', '=', p) : tx.deleteFrom('grants')).execute();
      if (!p) {
        await tx.deleteFrom('users').execute();
        await tx.deleteFrom('credentials').execute();
      }
      const gone = await (
        p ? tx.deleteFrom('projects').where('id', '=', p) : tx.deleteFrom('projects')
      ).executeTakeFirst();
      projects = Number(gone.numDeletedRows);
      if (!p) await tx.deleteFrom('accounts').execute();
    }
    if (projectId === undefined) await clearEmulatorSettings(tx);
    // Nodes a reset project held are free again for the others' waiting pools.
    else await admitEveryWaitingPool(ctx, tx);
    return {
      pools: Number(pools.numDeletedRows),
      networks: Number(networks.numDeletedRows),
      events: Number(events.numDeletedRows),
      faults: Number(faults.numDeletedRows),
      projects,
    };
  });
  if (projectId === undefined) {
    ctx.lifecycle.reset();
    ctx.clockOffset.setOffset(0);
  }
  ctx.projects.forget();
  ctx.identity.forget();
  if (!keepIdentities) {
    // The configured bootstrap project and key are part of the installation, not of its state.
    if (ctx.config.bootstrap.projectId) await bootstrapIdentity(ctx.config, database, ctx.identity);
    else if (!(await findAccount(database.db, DEFAULT_ACCOUNT))) await ctx.identity.createAccount(DEFAULT_ACCOUNT);
  }
  if (body.reseed) await reseed(ctx, log);
  ctx.wakeEngine();
  return { scope: projectId === undefined ? 'all' : 'project', ...(projectId ? { project: projectId } : {}), removed };
}

/** Loads the configured seed file again; a reseed with none to load is worth a warning, not an error. */
async function reseed(ctx: AppContext, log: FastifyBaseLogger): Promise<void> {
  const seedFile = ctx.config.seedFile;
  if (!seedFile) {
    log.warn('reset asked to reseed, but no seed file is configured (ATELIER_SEED_FILE): nothing was seeded');
    return;
  }
  log.info({ seedFile, loaded: await loadSeedFile(ctx, seedFile) }, 'seed file loaded');
}

// --- lifecycle timing ----------------------------------------------------------

export function showLifecycle(ctx: AppContext): Lifecycle {
  return { timings: ctx.lifecycle.snapshot() };
}

/** Changes step timings; steps already started keep their due time (an advance moves them). */
export async function updateLifecycle(ctx: AppContext, body: LifecycleBody): Promise<Lifecycle> {
  const next = ctx.lifecycle.snapshot();
  for (const step of LIFECYCLE_STEPS) {
    const timing = body[step] ?? body.all;
    if (timing) next[step] = timing;
  }
  await ctx.database.transaction((tx) => saveLifecycle(tx, next));
  for (const step of LIFECYCLE_STEPS) ctx.lifecycle.set(step, next[step]);
  return showLifecycle(ctx);
}

type Step = { kind: 'network'; row: NetworkRow } | { kind: 'pool'; row: PoolRow };

/** Runs one step per row, each in its own transaction, as the engine does (engine/engine.ts). */
async function runSteps(ctx: AppContext, steps: readonly Step[]): Promise<number> {
  const { database } = ctx;
  const quiet = { ...ctx, wakeEngine: () => {} };
  let ran = 0;
  for (const step of steps) {
    const moved = await database.transaction(async (tx) => {
      if (ctx.flavors.anyFinite) await database.lockProject(tx, step.row.project_id);
      return step.kind === 'network' ? advanceNetwork(quiet, tx, step.row) : advancePool(quiet, tx, step.row);
    });
    if (moved) ran += 1;
  }
  return ran;
}

/**
 * Makes every pending lifecycle step that matches due now and runs it: what
 * manual mode waits for, and a shortcut in automatic mode. Retention of
 * CreationFailed records is not a lifecycle step; the clock moves it.
 */
export async function advanceLifecycle(ctx: AppContext, body: AdvanceBody): Promise<AdvanceResult> {
  const { database } = ctx;
  const now = toDbTime(ctx.clock.now());
  const steps: Step[] = [];
  const kinds = body.kind ? [body.kind] : (['network', 'pool'] as const);
  await database.transaction(async (tx) => {
    if (kinds.includes('network')) {
      let query = tx.updateTable('networks').set({ due_at: now }).where('due_at', 'is not', null);
      if (body.project) query = query.where('project_id', '=', body.project);
      if (body.name)
        query = query.where((eb) => eb.or([eb('name', '=', body.name!), eb('display_name', '=', body.name!)]));
      for (const row of await query.returningAll().execute()) steps.push({ kind: 'network', row });
    }
    if (kinds.includes('pool')) {
      let query = tx
        .updateTable('pools')
        .set({ due_at: now })
        .where('due_at', 'is not', null)
        .where('phase', '!=', 'CreationFailed');
      if (body.project) query = query.where('project_id', '=', body.project);
      if (body.name)
        query = query.where((eb) => eb.or([eb('name', '=', body.name!), eb('display_name', '=', body.name!)]));
      for (const row of await query.returningAll().execute()) steps.push({ kind: 'pool', row });
    }
  });
  await runSteps(ctx, steps);
  ctx.wakeEngine();
  const advanced: AdvanceResult['advanced'] = [];
  for (const step of steps) {
    const table = step.kind === 'network' ? 'networks' : 'pools';
    const after = await database.db.selectFrom(table).select('phase').where('id', '=', step.row.id).executeTakeFirst();
    advanced.push({
      kind: step.kind,
      project: step.row.project_id,
      name: step.row.name,
      phase: after?.phase ?? 'Deleted',
    });
  }
  return { advanced };
}

// --- faults ------------------------------------------------------------------

function toFault(row: FaultRow, applied?: string[]): Fault {
  return {
    id: Number(row.id),
    operation: row.operation,
    project: row.project_id,
    name: row.name_pattern,
    flavor: row.flavor,
    remaining: Number(row.remaining),
    triggered: Number(row.triggered),
    reason: row.reason,
    recoverAfterSeconds: row.recover_after_seconds === null ? null : Number(row.recover_after_seconds),
    createdAt: fromDbTime(row.created_at).toISOString(),
    ...(applied ? { applied } : {}),
  };
}

const DEFAULT_REASONS: Record<FaultBody['operation'], string> = {
  create: 'Creation failed: simulated provisioning failure (emulator fault).',
  scale: 'Scaling failed: simulated provisioning failure (emulator fault).',
  delete: 'Deletion failed: simulated teardown failure (emulator fault).',
  abnormal: 'Pool abnormal: simulated node failure (emulator fault).',
};

/**
 * Registers a fault. An `abnormal` fault turns matching Running pools Abnormal at
 * once (oldest first, as many as its count); uses left over apply to pools as they
 * reach Running.
 */
export async function createFault(ctx: AppContext, body: FaultBody): Promise<Fault> {
  if (body.flavor !== undefined && !ctx.flavors.has(body.flavor)) {
    throw badRequest(`flavor: unknown flavor ${body.flavor}; GET /v1/{project_id}/resourceflavors lists them`);
  }
  if (body.recoverAfterSeconds !== undefined && body.operation !== 'abnormal') {
    throw badRequest('recoverAfterSeconds: only an abnormal fault recovers');
  }
  const { database } = ctx;
  return database.transaction(async (tx) => {
    const row = await insertFault(tx, {
      operation: body.operation,
      projectId: body.project ?? null,
      namePattern: body.name ?? null,
      flavor: body.flavor ?? null,
      count: body.count ?? 1,
      reason: body.reason ?? DEFAULT_REASONS[body.operation],
      recoverAfterSeconds: body.recoverAfterSeconds ?? null,
      at: ctx.clock.now(),
    });
    if (body.operation !== 'abnormal') return toFault(row);
    const applied = await applyAbnormal(ctx, tx, row);
    return toFault((await findFault(tx, Number(row.id))) ?? row, applied);
  });
}

async function applyAbnormal(ctx: AppContext, tx: Executor, fault: FaultRow): Promise<string[]> {
  let query = tx
    .selectFrom('pools')
    .selectAll()
    .where('phase', '=', 'Running')
    .where('due_at', 'is', null)
    .orderBy('id');
  if (fault.project_id !== null) query = query.where('project_id', '=', fault.project_id);
  const applied: string[] = [];
  for (const pool of await query.execute()) {
    const flavors = (JSON.parse(pool.spec) as PoolSpec).resources.map((r) => r.flavor);
    if (!faultMatches(fault, { ...pool, flavors })) continue;
    await ctx.database.lockProject(tx, pool.project_id);
    const taken = await takeFault(tx, 'abnormal', { ...pool, flavors });
    if (!taken) break;
    const moved = await makeAbnormal(ctx, tx, pool, {
      message: taken.reason,
      details: `fault ${taken.id}: ${taken.reason}`,
      faultId: Number(taken.id),
      recoverAfterSeconds: taken.recover_after_seconds,
    });
    if (moved) applied.push(pool.name);
  }
  return applied;
}

export async function listFaults(ctx: AppContext, projectId?: string): Promise<{ faults: Fault[] }> {
  return { faults: (await selectFaults(ctx.database.db, projectId)).map((row) => toFault(row)) };
}

/** Deletes one fault (or all) and heals the pools it had made Abnormal. */
export async function clearFaults(ctx: AppContext, id?: number): Promise<ClearResult> {
  const { database } = ctx;
  return database.transaction(async (tx) => {
    if (id !== undefined && !(await findFault(tx, id))) throw new AtelierError('faultNotFound', { id });
    // Project locks before fault rows, in the order an engine step takes them, so the
    // two cannot deadlock on PostgreSQL.
    const poolIds = await selectFaultedPoolIds(tx, id === undefined ? undefined : [id]);
    const pools =
      poolIds.length === 0
        ? []
        : await tx.selectFrom('pools').select(['id', 'project_id']).where('id', 'in', poolIds).execute();
    for (const projectId of [...new Set(pools.map((p) => p.project_id))].sort())
      await database.lockProject(tx, projectId);
    const cleared = await deleteFaults(tx, id === undefined ? {} : { id });
    const healed: string[] = [];
    for (const { id: poolId } of pools) {
      const pool = await tx.selectFrom('pools').selectAll().where('id', '=', poolId).executeTakeFirst();
      if (pool?.phase === 'Abnormal' && (await healAbnormal(ctx, tx, pool))) healed.push(pool.name);
    }
    return { cleared, healed };
  });
}

// --- clock ---------------------------------------------------------------------

export function showClock(ctx: AppContext): ClockState {
  return { now: ctx.clock.now().toISOString(), offsetSeconds: ctx.clockOffset.offsetMs / 1000 };
}

/**
 * Moves the service clock forward (never back: stored times would lie in the
 * future) and runs every step the move made due, so the answer shows the world
 * after the jump. Signature freshness keeps to real time (identity.service.ts).
 */
export async function advanceClock(ctx: AppContext, body: ClockBody, log: FastifyBaseLogger): Promise<ClockState> {
  const ms = Math.round((body.seconds ?? 0) * 1000 + (body.hours ?? 0) * 3_600_000);
  if (ms <= 0) throw badRequest('give seconds or hours, greater than 0');
  const offset = ctx.clockOffset.offsetMs + ms;
  const before = ctx.clock.now();
  await ctx.database.transaction((tx) => saveClockOffset(tx, offset));
  ctx.clockOffset.setOffset(offset);
  // Tokens expire by the service clock: a jump can log out every client at once.
  const expiredTokens = await countTokensExpiringBetween(ctx.database.db, before, ctx.clock.now());
  if (expiredTokens > 0) {
    log.warn(
      { expiredTokens, movedSeconds: ms / 1000 },
      'the clock move expired tokens: their clients now get 401 and must ask for new ones',
    );
  }
  let stepsRun = 0;
  // Each pass may make more work due (a failure record's expiry, an admitted pool); a
  // bounded number of passes keeps a huge backlog from holding the request forever.
  for (let pass = 0; pass < 20; pass += 1) {
    const now = ctx.clock.now();
    const networks = await selectDueNetworks(ctx.database.db, now, 500);
    const pools = await selectDuePools(ctx.database.db, now, 500);
    const steps: Step[] = [
      ...networks.map((row) => ({ kind: 'network' as const, row })),
      ...pools.map((row) => ({ kind: 'pool' as const, row })),
    ];
    if (steps.length === 0) break;
    const ran = await runSteps(ctx, steps);
    stepsRun += ran;
    if (ran === 0) break;
  }
  ctx.wakeEngine();
  return { ...showClock(ctx), stepsRun };
}
