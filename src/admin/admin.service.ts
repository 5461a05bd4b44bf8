import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { LIFECYCLE_STEPS } from '../engine/lifecycle-policy.js';
import { AtelierError, badRequest } from '../errors.js';
import {
  deleteFaults,
  findFault,
  insertFault,
  NODE_FAULTS,
  selectFaultedPoolIds,
  selectFaults,
  type FaultRecord,
} from '../faults/fault.service.js';
import { networkPhase } from '../networks/network.reads.js';
import type { NetworkRecord } from '../networks/network.record.js';
import { applyNodeFault, healFaultedNodes } from '../pools/pool.node-faults.js';
import { advanceNetwork, makeNetworksDue, selectDueNetworks } from '../networks/network.steps.js';
import { poolPhase, projectsOfPools } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import {
  advancePool,
  advancePoolNodes,
  applyAbnormalFault,
  healFaultedPool,
  makePoolsDue,
  selectDuePools,
  selectPoolsMatching,
} from '../pools/pool.steps.js';
import { makePoolNodesDue, selectDueNodes, type NodeRecord } from '../nodes/node.reads.js';
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
} from './admin.schema.js';
import { saveClockOffset, saveLifecycle } from './emulator-settings.store.js';
import { settleDueWorkloads } from '../workloads/workload.steps.js';

/**
 * The emulator controls (docs/emulator.md): lifecycle timing, faults and the
 * clock (the reset is reset.service.ts). Every change that must outlive a
 * restart is written to the database; the in-memory copies (policy, clock
 * offset) are updated after the commit.
 * They assume one server process per database, as an emulator is run: another
 * replica would see a changed timing or clock only after its own restart.
 */

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

type Step =
  | { kind: 'network'; row: NetworkRecord }
  | { kind: 'pool'; row: PoolRecord }
  | { kind: 'nodes'; row: { projectId: string; poolId: number }; nodes: NodeRecord[] };

/** Due nodes as steps, one per pool, as the engine runs them. */
function nodeSteps(nodes: readonly NodeRecord[]): Step[] {
  const byPool = new Map<number, NodeRecord[]>();
  for (const node of nodes) byPool.set(node.poolId, [...(byPool.get(node.poolId) ?? []), node]);
  return [...byPool.values()].map((group) => ({
    kind: 'nodes' as const,
    row: { projectId: group[0].projectId, poolId: group[0].poolId },
    nodes: group,
  }));
}

const runStep = (ctx: AppContext, tx: Executor, step: Step): Promise<boolean> => {
  switch (step.kind) {
    case 'network':
      return advanceNetwork(ctx, tx, step.row);
    case 'pool':
      return advancePool(ctx, tx, step.row);
    case 'nodes':
      return advancePoolNodes(ctx, tx, step.row.poolId, step.nodes);
  }
};

/** Runs one step per row, each in its own transaction, as the engine does (engine/engine.ts). */
async function runSteps(ctx: AppContext, steps: readonly Step[]): Promise<number> {
  const { database } = ctx;
  const quiet = { ...ctx, wakeEngine: () => {} };
  let ran = 0;
  for (const step of steps) {
    const moved = await database.transaction(async (tx) => {
      if (ctx.flavors.anyFinite) await database.lockProject(tx, step.row.projectId);
      return runStep(quiet, tx, step);
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
  const now = ctx.clock.now();
  const filter = { projectId: body.project, name: body.name };
  const steps: Step[] = [];
  const kinds = body.kind ? [body.kind] : (['network', 'pool'] as const);
  await database.transaction(async (tx) => {
    if (kinds.includes('network')) {
      for (const row of await makeNetworksDue(tx, now, filter)) steps.push({ kind: 'network', row });
    }
    if (kinds.includes('pool')) {
      for (const row of await makePoolsDue(tx, now, filter)) steps.push({ kind: 'pool', row });
      // A pool's nodes come up after its own step, which may be what completes the pool.
      const pools = await selectPoolsMatching(tx, filter);
      const due = await makePoolNodesDue(
        tx,
        pools.map((p) => p.id),
        now,
      );
      steps.push(...nodeSteps(due));
    }
  });
  await runSteps(ctx, steps);
  ctx.wakeEngine();
  const advanced: AdvanceResult['advanced'] = [];
  for (const step of steps) {
    if (step.kind === 'nodes') continue;
    const db = database.db;
    const after = step.kind === 'network' ? await networkPhase(db, step.row.id) : await poolPhase(db, step.row.id);
    advanced.push({
      kind: step.kind,
      project: step.row.projectId,
      name: step.row.name,
      phase: after ?? 'Deleted',
    });
  }
  return { advanced };
}

// --- faults ------------------------------------------------------------------

function toFault(fault: FaultRecord, applied?: string[]): Fault {
  return {
    id: fault.id,
    operation: fault.operation,
    project: fault.projectId,
    name: fault.namePattern,
    flavor: fault.flavor,
    remaining: fault.remaining,
    triggered: fault.triggered,
    reason: fault.reason,
    recoverAfterSeconds: fault.recoverAfterSeconds,
    createdAt: fault.createdAt.toISOString(),
    ...(applied ? { applied } : {}),
  };
}

const DEFAULT_REASONS: Record<FaultBody['operation'], string> = {
  create: 'Creation failed: simulated provisioning failure (emulator fault).',
  scale: 'Scaling failed: simulated provisioning failure (emulator fault).',
  delete: 'Deletion failed: simulated teardown failure (emulator fault).',
  abnormal: 'Pool abnormal: simulated node failure (emulator fault).',
  plugin: 'Plugin installation failed: simulated failure (emulator fault).',
  nodeCreate: 'Node creation failed: simulated provisioning failure (emulator fault).',
  nodeAbnormal: 'Node abnormal: simulated node failure (emulator fault).',
  driverAbnormal: 'Driver abnormal: simulated driver failure (emulator fault).',
  scope: 'Scope enabling failed: simulated failure (emulator fault).',
  nodeReboot: 'Node reboot failed: the node did not come back (emulator fault).',
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
    if (body.operation === 'nodeAbnormal' || body.operation === 'driverAbnormal') {
      const hitNodes = await applyNodeFault(ctx, tx, row);
      return toFault((await findFault(tx, row.id)) ?? row, hitNodes);
    }
    if (body.operation !== 'abnormal') return toFault(row);
    const applied = await applyAbnormalFault(ctx, tx, row);
    return toFault((await findFault(tx, row.id)) ?? row, applied);
  });
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
    for (const projectId of await projectsOfPools(tx, poolIds)) await database.lockProject(tx, projectId);
    const nodeFaults = (await selectFaults(tx)).filter(
      (f) => NODE_FAULTS.has(f.operation) && (id === undefined || f.id === id),
    );
    const cleared = await deleteFaults(tx, id === undefined ? {} : { id });
    const healed: string[] = await healFaultedNodes(
      ctx,
      tx,
      nodeFaults.map((f) => f.id),
    );
    for (const poolId of [...poolIds].sort((a, b) => a - b)) {
      const name = await healFaultedPool(ctx, tx, poolId);
      if (name) healed.push(name);
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
  const expiredTokens = await ctx.identity.countTokensExpiringBetween(before, ctx.clock.now());
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
      ...nodeSteps(await selectDueNodes(ctx.database.db, now, 1000)),
    ];
    // Workloads after the nodes: a run's end, or room on a node that just came up.
    const ran = (steps.length > 0 ? await runSteps(ctx, steps) : 0) + (await settleDueWorkloads(ctx));
    stepsRun += ran;
    if (ran === 0) break;
  }
  ctx.wakeEngine();
  return { ...showClock(ctx), stepsRun };
}
