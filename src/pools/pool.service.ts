import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { isForeignKeyViolation, isUniqueViolation, WriteConflict, type Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import { findNetworkForPool, type NetworkForPool } from '../networks/network.reads.js';
import { scopePlugins, scopePluginsOf, type ScopePlugin } from '../plugins/plugin.reads.js';
import { installDefaultPlugins } from '../plugins/plugin.service.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { moveUsage, takePoolQuota, usageCounter } from '../quotas/quota.service.js';
import { checkDescription, DEFAULT_WORKSPACE, DESCRIPTION_ANNOTATION, WORKSPACE_LABEL } from '../shared/conventions.js';
import { applyMergePatch } from '../shared/merge-patch.js';
import { checkMetadataLimits } from '../shared/metadata-limits.js';
import { generateResourceName } from '../shared/names.js';
import { checkUnpagedList, labelSelectorFrom, selects } from '../shared/selection.js';
import {
  admitWaitingPools,
  capacityShortfall,
  finiteFlavors,
  planScale,
  queuedFlavors,
  queuePool,
  waitingMessage,
  type ScalePlan,
} from './pool.capacity.js';
import {
  checkPatchPaths,
  checkResources,
  checkScaleDirection,
  normaliseEchoes,
  plannedPool,
  WORKSPACE_PATH,
} from './pool.checks.js';
import {
  FAILED_CAP,
  FAILED_WINDOW_MS,
  phasesInBucket,
  POOL_ACQUIRES_CAPACITY,
  POOL_ENTRY,
  POOL_LISTED_BY_DEFAULT,
  POOL_PATCHABLE,
  POOL_SCALABLE,
  SCOPE_FAILED,
  type ScopeState,
} from './pool.lifecycle.js';
import { movePool, poolEvent, removePool, rollUpEvent } from './pool.move.js';
import type { PoolRecord } from './pool.record.js';
import type {
  CreatePoolBody,
  ListPoolsQuery,
  PatchPoolBody,
  Pool,
  PoolList,
  PoolSpec,
  RetryPoolScopeBody,
  ScopeStatus,
} from './pool.schema.js';
import { createPoolNodes, poolTallies, scalePoolNodes } from './pool.nodes.js';
import { ORDER_NAME_LABEL, settleWaitingItems } from '../orders/order.reads.js';
import {
  checkBillingChange,
  placeChangeOrder,
  placeCreateOrder,
  planChangeOrder,
  planCreateOrder,
  unpaidUntil,
} from './pool.orders.js';
import { selectTallies, startTallies, type NodeTally } from '../nodes/node.reads.js';
import { findPool, findPoolByDisplayName, findPoolById, insertPool, selectPools } from './pool.store.js';
import { describeNodes, nodesWanted, toPool } from './pool.view.js';

/** The pool operations of the API (pools.md §6): each records intent; the engine does the work (pool.steps.ts). */

// The label that asks the simulated provider for a failure, for clients that cannot
// call an admin API; its values are documented in docs/emulator.md.
export { SIMULATE_LABEL, SIMULATIONS } from './pool.faults.js';

/**
 * The pool's network, which must exist in the project and be Active (pools.md §6.1).
 * With `holdFor` its row stays locked shared to the commit (findNetworkForPool).
 */
async function checkNetwork(
  tx: Executor,
  projectId: string,
  spec: PoolSpec,
  holdFor?: AppContext['database'],
): Promise<NetworkForPool | null> {
  if (spec.type === 'Logical') {
    if (spec.network) throw badRequest('spec.network: a Logical pool has no network of its own');
    return null;
  }
  if (!spec.network) throw badRequest('spec.network is required');
  const network = await findNetworkForPool(tx, projectId, spec.network.name, holdFor);
  if (!network) throw badRequest(`spec.network.name: network ${spec.network.name} does not exist in this project`);
  if (!network.usable) {
    const state = network.deleting ? 'being deleted' : `in phase ${network.phase}`;
    throw badRequest(`spec.network.name: network ${spec.network.name} is ${state}; a pool needs an Active network`);
  }
  return network;
}

export async function createPool(ctx: AppContext, projectId: string, body: CreatePoolBody): Promise<Pool> {
  const { labels, displayName, annotations, spec, workspaceId } = plannedPool(ctx, body);
  checkMetadataLimits({ labels, annotations });
  const wanted = nodesWanted(spec.resources);
  const finite = finiteFlavors(ctx, wanted).length > 0;
  // Fails fast for a project that does not exist (from the short-lived cache);
  // the lock below reads the row again for the quota.
  await requireProject(ctx, projectId);
  const pool = await ctx.database.transaction(async (tx) => {
    // The capacity lock is only ever taken after the project's (database.ts).
    if (finite) await ctx.database.lockProject(tx, projectId);
    // The network's row is held shared from here to the commit: its deletion waits
    // for this pool and then sees it (network.service.ts deleteNetwork).
    const network = await checkNetwork(tx, projectId, spec, ctx.database);
    const networkName = network?.name ?? null;
    const existing = await findPoolByDisplayName(tx, projectId, displayName);
    if (existing) {
      if (existing.phase !== 'CreationFailed')
        throw new AtelierError('poolExists', { name: displayName, id: existing.name });
      // Decision 7: re-creating a failed pool's name replaces the failure record at once.
      await removePool(ctx, tx, existing, 'replaced by a new pool of the same name');
    }
    // Decide before inserting whether the nodes are free now and nobody is queued
    // before us for them, so the pool is written in the phase it really starts in:
    // a pool that starts at once was never Waiting, and its events must not say so.
    const name = generateResourceName(displayName);
    // Decision 19: a yearly/monthly pool not paid at once waits for its order, before any capacity.
    const order = planCreateOrder(name, annotations);
    const shortfall = order.unpaid
      ? `payment of order ${order.name}`
      : finite
        ? await capacityShortfall(ctx, tx, wanted, new Map(), await queuedFlavors(ctx, tx))
        : undefined;
    const phase = shortfall ? POOL_ENTRY.queued : POOL_ENTRY.admitted;
    const now = ctx.clock.now();
    const inserted = await insertPool(tx, {
      name,
      projectId,
      displayName,
      workspaceId,
      networkName,
      phase,
      message: shortfall ? `Waiting for ${order.unpaid ? '' : 'capacity: '}${shortfall}.` : null,
      labels: {
        ...labels,
        [ORDER_NAME_LABEL]: order.name,
        'os.modelarts/resource.id': `maos-${displayName}-${randomBytes(4).toString('hex').slice(0, 5)}`,
        'os.modelarts/tenant.project.id': projectId,
        'os.modelarts.pool/biz': 'private',
        'os.modelarts/create-from': 'api',
      },
      annotations,
      spec,
      scope: (spec.scope ?? []).map((scopeType) => ({ scopeType, state: 'Enabling' })),
      createdAt: now,
      deletingAt: null,
      failedAt: null,
      dueAt: order.unpaid ? unpaidUntil(ctx, now) : shortfall ? null : ctx.lifecycle.dueAt('poolCreate', now),
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new AtelierError('poolExists', { name: displayName, id: 'another pool' });
      if (isForeignKeyViolation(error)) throw new AtelierError('projectNotFound', { project: projectId });
      throw error;
    });
    // The plug-ins every new pool gets (decision 29); the engine installs them once it has nodes.
    if (phase === 'Waiting') await queuePool(tx, inserted);
    const plugins = await installDefaultPlugins(ctx, tx, inserted);
    await poolEvent(tx, inserted, now, 'Normal', 'PoolCreated', `Pool ${name} accepted, phase ${phase}.`);
    await placeCreateOrder(ctx, tx, inserted, order);
    // The network read above, held to the commit, is the one the nodes take their addresses from.
    let tallies: readonly NodeTally[] | undefined;
    if (POOL_ACQUIRES_CAPACITY.has(phase)) {
      startTallies(tx, inserted.id);
      await createPoolNodes(ctx, tx, inserted, network);
      tallies = await rollUpEvent(ctx, tx, inserted, [], 'inserted');
    }
    await moveUsage(tx, usageCounter(ctx.database, 'pool', inserted), null, { workspaceId, phase });
    tallies ??= await poolTallies(tx, inserted.id);
    // The quota is taken last, after the transaction's deferred writes, by one
    // conditional update of the project's quota counter, whose row is held from
    // there to the commit: requests creating pools in one project queue for that
    // statement and the commit only, and the row's lock orders them, across
    // replicas (quota.service.ts takePoolQuota).
    await takePoolQuota(ctx, tx, projectId);
    return { pool: inserted, tallies, plugins };
  });
  ctx.wakeEngine();
  return poolAnswer(ctx.database.db, pool.pool, pool.tallies, pool.plugins);
}

/**
 * A pool's answer: its record, its node counts and its scope plug-ins, each read
 * now unless given (`installed`: every plug-in the pool has, as its creation wrote them).
 */
async function poolAnswer(
  db: Executor,
  pool: PoolRecord,
  tallies?: readonly NodeTally[],
  installed?: readonly ScopePlugin[],
): Promise<Pool> {
  const plugins = installed ? scopePluginsOf(installed) : (await scopePlugins(db, [pool.id])).get(pool.id);
  return toPool(pool, tallies ?? (await poolTallies(db, pool.id)), plugins);
}

export async function requirePool(
  ctx: AppContext,
  projectId: string,
  name: string,
  tx?: Executor,
): Promise<PoolRecord> {
  const pool = await findPool(tx ?? ctx.database.db, projectId, name);
  if (!pool) throw new AtelierError('poolNotFound', { name });
  return pool;
}

export async function showPool(ctx: AppContext, projectId: string, name: string): Promise<Pool> {
  await requireProject(ctx, projectId);
  const pool = await requirePool(ctx, projectId, name);
  return poolAnswer(ctx.database.db, pool);
}

/** Decision 8: no status lists every pool but failure records; a status selects its bucket. */
export async function listPools(ctx: AppContext, projectId: string, query: ListPoolsQuery): Promise<PoolList> {
  await requireProject(ctx, projectId);
  const selector = labelSelectorFrom(query.labelSelector);
  const workspaceId = query.workspaceId ?? DEFAULT_WORKSPACE;
  const db = ctx.database.db;
  const pools =
    query.status === 'failed'
      ? await selectPools(db, projectId, workspaceId, phasesInBucket('failed'), {
          failedSince: new Date(ctx.clock.now().getTime() - FAILED_WINDOW_MS),
          limit: FAILED_CAP,
        })
      : await selectPools(
          db,
          projectId,
          workspaceId,
          query.status ? phasesInBucket(query.status) : POOL_LISTED_BY_DEFAULT,
        );
  const tallies = new Map<number, NodeTally[]>();
  for (const t of await selectTallies(
    db,
    pools.map((p) => p.id),
  )) {
    tallies.set(t.poolId, [...(tallies.get(t.poolId) ?? []), t]);
  }
  const plugins = await scopePlugins(
    db,
    pools.map((p) => p.id),
  );
  const items = pools
    .map((pool) => toPool(pool, tallies.get(pool.id) ?? [], plugins.get(pool.id)))
    .filter((pool) => selects(selector, pool.metadata.labels))
    .filter((pool) => query.parent === undefined || pool.spec.parent === query.parent);
  checkUnpagedList(items.length, 'pools', 'workspaceId, status, parent or labelSelector');
  return { apiVersion: 'v2', kind: 'PoolList', metadata: {}, items };
}

/** States of a job type on its way out, or gone (pool.lifecycle.ts SCOPE_STATES). */
const LEAVING: ReadonlySet<string> = new Set<ScopeState>(['Disabling', 'Disabled']);

/**
 * status.scope after spec.scope changed: kept types keep their state (an EnableFailed one waits for
 * RetryPoolScope), new ones and ones asked for again enable, dropped ones disable, and entries
 * Disabled before are dropped.
 */
function plannedScopes(scopes: readonly ScopeStatus[], wanted: readonly string[]): ScopeStatus[] {
  const enabling = (scopeType: string): ScopeStatus => ({ scopeType, state: 'Enabling' });
  return [
    ...wanted.map((s) => scopes.find((x) => x.scopeType === s && !LEAVING.has(x.state)) ?? enabling(s)),
    ...scopes
      .filter((x) => !wanted.includes(x.scopeType) && x.state !== 'Disabled')
      .map((x): ScopeStatus => ({ scopeType: x.scopeType, state: 'Disabling' })),
  ];
}

/** spec.scope is a set (orders-billing-terraform.md §3.2: the provider sends it in hash order). */
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Scale-out creates the new nodes now, so two pools cannot both count on them,
 * or, when they are not free, queues for them (pool.capacity.ts planScale);
 * scale-in releases capacity only when the engine has removed the nodes.
 */
async function scaleNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  spec: PoolSpec,
): Promise<{ tallies: NodeTally[]; plan: ScalePlan }> {
  const tallies = await poolTallies(tx, pool.id);
  const plan = await planScale(ctx, tx, pool, spec, tallies);
  await scalePoolNodes(ctx, tx, pool, plan.now, tallies);
  return { tallies, plan };
}

/** Nodes this change adds to what waits, per node pool: the order's waiting items. */
function newlyWaiting(plan: ScalePlan): Map<string, number> {
  const added = new Map<string, number>();
  for (const [np, n] of plan.waiting)
    if (n > (plan.waitedBefore.get(np) ?? 0)) added.set(np, n - (plan.waitedBefore.get(np) ?? 0));
  return added;
}

/** Waits this change shortened or ended: their surplus order items fail, and those behind them may now fit. */
async function cancelWaits(ctx: AppContext, tx: Executor, pool: PoolRecord, plan: ScalePlan): Promise<void> {
  if (plan.waitedBefore.size === 0) return;
  for (const [np, n] of plan.waitedBefore) {
    const left = plan.waiting.get(np) ?? 0;
    if (left < n) await settleWaitingItems(ctx, tx, pool, np, [], left);
  }
  await admitWaitingPools(ctx, tx);
}

/** Key order aside: a client that echoes the spec back with its keys sorted (Go clients do) changes nothing. */
const sortedKeys = (_key: string, value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : value;
const same = (a: unknown, b: unknown) => JSON.stringify(a, sortedKeys) === JSON.stringify(b, sortedKeys);

type Merged = { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PoolSpec };

export async function patchPool(ctx: AppContext, projectId: string, name: string, patch: PatchPoolBody): Promise<Pool> {
  checkPatchPaths(patch);
  const changed = await changePool(ctx, projectId, name, () => patch);
  return poolAnswer(ctx.database.db, changed.pool, changed.tallies);
}

/**
 * A merge patch of a pool, planned from the pool as read in the transaction:
 * what a pool PATCH does, and what the node-pool operations do to the pool's
 * spec.resources (nodepools-nodes-jobs.md §4.3: one record, two views). `after`
 * runs in the same transaction once the pool and its nodes have changed.
 */
export async function changePool(
  ctx: AppContext,
  projectId: string,
  name: string,
  plan: (current: PoolRecord) => PatchPoolBody,
  after?: (tx: Executor, before: PoolRecord, updated: PoolRecord) => Promise<void>,
): Promise<{ pool: PoolRecord; tallies: NodeTally[] }> {
  const changed = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const current = await requirePool(ctx, projectId, name, tx);
    const patch = plan(current);
    const touched = checkPatchPaths(patch);
    if (touched.length === 0) throw badRequest('the patch changes nothing');
    const movesWorkspace = touched.includes(WORKSPACE_PATH);
    if (movesWorkspace && touched.some((p) => p !== WORKSPACE_PATH)) {
      throw badRequest(`${WORKSPACE_PATH}: change the workspace in a request of its own`);
    }
    const changesSpec = touched.some((p) => p.startsWith('spec.'));
    const { phase } = current;
    if (!POOL_PATCHABLE.has(phase)) throw badRequest(`pool ${name} is ${phase} and cannot be changed now`);
    if (changesSpec && !POOL_SCALABLE.has(phase)) {
      throw badRequest(`pool ${name} is ${phase}; spec changes need a Running pool`);
    }
    const { labels, annotations, spec: before } = current;
    const merged = applyMergePatch({ metadata: { labels, annotations }, spec: before }, patch) as Merged;
    if (movesWorkspace && merged.metadata.labels[WORKSPACE_LABEL] === undefined) {
      throw badRequest(`metadata.labels.${WORKSPACE_LABEL}: cannot be removed`);
    }
    checkDescription(merged.metadata.annotations[DESCRIPTION_ANNOTATION]);
    const resources = normaliseEchoes(before.type, before.resources, merged.spec.resources ?? []);
    const spec: PoolSpec = { ...merged.spec, resources: checkResources(ctx, before.type, resources) };
    checkScaleDirection(before, spec);
    const now = ctx.clock.now();
    const resourcesChanged = !same(spec.resources, before.resources);
    const scopeChanged = !sameSet(spec.scope ?? [], before.scope ?? []);
    // The same job types in another order change nothing, and keep the order they had.
    if (!scopeChanged) spec.scope = before.scope;
    const driverChanged = !same(spec.driver ?? null, before.driver ?? null);
    await checkBillingChange(ctx, tx, current, merged.metadata.annotations);
    const order = await planChangeOrder(tx, current, spec.resources, movesWorkspace);
    const scaled = resourcesChanged ? await scaleNodes(ctx, tx, current, spec) : undefined;
    const talliesBefore = scaled?.tallies;
    const settling = resourcesChanged || scopeChanged || driverChanged;
    // A running pool whose scale-out waits says so (decision 10); a settled one has nothing to say.
    const message = settling ? await waitingMessage(tx, current, spec) : null;
    const updated = await movePool(ctx, tx, current, settling ? 'Running' : phase, {
      workspaceId: merged.metadata.labels[WORKSPACE_LABEL],
      labels: order ? { ...merged.metadata.labels, [ORDER_NAME_LABEL]: order.name } : merged.metadata.labels,
      annotations: merged.metadata.annotations,
      spec,
      scope: scopeChanged ? plannedScopes(current.scope, spec.scope ?? []) : current.scope,
      ...(settling ? { dueAt: ctx.lifecycle.dueAt('poolScale', now), message } : {}),
    });
    if (!updated) throw new WriteConflict(`${name}`);
    if (order) await placeChangeOrder(ctx, tx, updated, order, scaled ? newlyWaiting(scaled.plan) : undefined);
    if (resourcesChanged) {
      const change = `${describeNodes(nodesWanted(before.resources))} to ${describeNodes(nodesWanted(spec.resources))}`;
      const waits = message ? ` ${message}` : '';
      await poolEvent(tx, updated, now, 'Normal', 'PoolScaling', `Pool resources change requested: ${change}.${waits}`);
    }
    if (after) await after(tx, current, updated);
    if (talliesBefore) await rollUpEvent(ctx, tx, updated, talliesBefore);
    if (scaled) await cancelWaits(ctx, tx, updated, scaled.plan);
    // Admission may have moved the pool on (its own waits shortened): answer with the pool as it now is.
    const latest = scaled?.plan.waitedBefore.size ? ((await findPoolById(tx, updated.id)) ?? updated) : updated;
    return { pool: latest, tallies: await poolTallies(tx, updated.id) };
  });
  ctx.wakeEngine();
  return changed;
}

/**
 * RetryPoolScope (pools.md §8): a job type whose enabling failed goes back to Enabling, and the
 * engine tries again. Only for a job type of spec.scope in EnableFailed, on a pool that may change.
 */
export async function retryPoolScope(
  ctx: AppContext,
  projectId: string,
  name: string,
  body: RetryPoolScopeBody,
): Promise<Record<string, never>> {
  await requireProject(ctx, projectId);
  await ctx.database.transaction(async (tx) => {
    const current = await requirePool(ctx, projectId, name, tx);
    const cannot = (why: string) => badRequest(`The pool ${name} scope ${body.scope} cannot be enabled: ${why}.`);
    if (!POOL_SCALABLE.has(current.phase)) throw cannot(`the pool is ${current.phase}`);
    const entry = current.scope.find((s) => s.scopeType === body.scope);
    if (!entry || !(current.spec.scope ?? []).includes(body.scope)) throw cannot('it is not in spec.scope');
    if (entry.state !== SCOPE_FAILED) throw cannot(`its state is ${entry.state}, not ${SCOPE_FAILED}`);
    const scope = current.scope.map((s): ScopeStatus =>
      s === entry ? { scopeType: s.scopeType, state: 'Enabling' } : s,
    );
    const now = ctx.clock.now();
    const updated = await movePool(ctx, tx, current, current.phase, {
      scope,
      dueAt: ctx.lifecycle.dueAt('poolScale', now),
    });
    if (!updated) throw new WriteConflict(name);
  });
  ctx.wakeEngine();
  return {};
}

export async function deletePool(ctx: AppContext, projectId: string, name: string): Promise<Pool> {
  const finite = ctx.flavors.anyFinite;
  // Fails fast for a project that does not exist (from the short-lived cache).
  if (!finite) await requireProject(ctx, projectId);
  const pool = await ctx.database.transaction(async (tx) => {
    // The pool's own conditional update orders a deletion against every other
    // writer of the pool; the project lock is for what a deletion does to other
    // pools: with a finite capacity (the lock order, project then capacity) or
    // when a waiting pool goes and the pools queued behind it may start.
    if (finite) await lockedProject(ctx, tx, projectId);
    let current = await requirePool(ctx, projectId, name, tx);
    if (!finite && current.phase === 'Waiting') {
      await lockedProject(ctx, tx, projectId);
      current = await requirePool(ctx, projectId, name, tx);
    }
    if (current.phase === 'Deleting') return current;
    const now = ctx.clock.now();
    if (current.phase === 'CreationFailed') {
      // A failure record holds no nodes and has nothing to tear down. Moving it to
      // Deleting would count it against the quota again (decision 2), so it goes at
      // once; the answer is the snapshot of its deletion.
      if (!(await removePool(ctx, tx, current, 'deleted by request'))) throw new WriteConflict(name);
      return { ...current, phase: 'Deleting' as const, message: null, deletingAt: now, dueAt: null };
    }
    const updated = await movePool(ctx, tx, current, 'Deleting', {
      deletingAt: now,
      dueAt: ctx.lifecycle.dueAt('poolDelete', now),
    });
    if (!updated) throw new WriteConflict(`${name}`);
    // A pool that was waiting, or whose scale-out was, may have been blocking others behind it.
    await admitWaitingPools(ctx, tx);
    return updated;
  });
  ctx.wakeEngine();
  return poolAnswer(ctx.database.db, pool);
}
