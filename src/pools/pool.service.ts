import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { isForeignKeyViolation, isUniqueViolation, toDbTime, type Executor } from '../db/database.js';
import { WriteConflict } from '../db/database.js';
import type { PoolRow } from '../db/schema.js';
import { AtelierError, badRequest } from '../errors.js';
import {
  checkDescription,
  DESCRIPTION_ANNOTATION,
  NAME_LABEL,
  networkUsable,
  WORKSPACE_LABEL,
} from '../networks/network.service.js';
import { findNetwork } from '../networks/network.store.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { takeQuota } from '../quotas/quota.service.js';
import { moveUsage, usageCounter } from '../quotas/usage.store.js';
import { applyMergePatch, flattenPatchPaths } from '../shared/merge-patch.js';
import { checkMetadataLimits } from '../shared/metadata-limits.js';
import { generateResourceName, POOL_DISPLAY_NAME } from '../shared/names.js';
import { checkUnpagedList, labelSelectorFrom, selects } from '../shared/selection.js';
import { DEFAULT_WORKSPACE } from '../statistics/statistics.service.js';
import {
  FAILED_CAP,
  FAILED_WINDOW_MS,
  phasesInBucket,
  POOL_LISTED_BY_DEFAULT,
  POOL_PATCHABLE,
  POOL_SCALABLE,
  type PoolPhase,
} from './pool.lifecycle.js';
import type {
  CreatePoolBody,
  ListPoolsQuery,
  NodeGroup,
  PatchPoolBody,
  Pool,
  PoolList,
  PoolResource,
  PoolResourcesStatus,
  PoolSpec,
  ScopeStatus,
} from './pool.schema.js';
import {
  addHeldNodes,
  deletePoolIf,
  findPool,
  findPoolByDisplayName,
  insertPool,
  selectHeldNodes,
  selectPools,
  setHeldNodes,
} from './pool.store.js';
import {
  admitWaitingPools,
  capacityShortfall,
  finiteFlavors,
  movePool,
  poolEvent,
  queuedFlavors,
} from './pool.transitions.js';
import { nodesWanted, resourcesStatus, toPool, type NodeCounts } from './pool.view.js';
import {
  abnormalFailure,
  creationFailure,
  deletionFailure,
  failCreation,
  failDeletion,
  failScaling,
  healAbnormal,
  makeAbnormal,
  scalingFailure,
  SIMULATE_LABEL,
  SIMULATIONS,
} from './pool.faults.js';

// The label that asks the simulated provider for a failure, for clients that cannot
// call an admin API; its values are documented in docs/emulator.md.
export { SIMULATE_LABEL, SIMULATIONS } from './pool.faults.js';

/** Labels only the server writes (pools.md §3.6); a client's values are replaced. */
const SERVER_LABELS = [
  'os.modelarts/resource.id',
  'os.modelarts/tenant.project.id',
  'os.modelarts/tenant.domain.id',
  'os.modelarts.pool/biz',
  'os.modelarts/create-from',
];

const MAX_TAGS = 20;
const PERIOD_TYPES = ['2', '3', 'month', 'year'];

/** Console rules on spec.resources (pools.md §3.3 and §6.1), returning the list with defaults filled. */
function checkResources(ctx: AppContext, type: PoolSpec['type'], resources: readonly PoolResource[]): PoolResource[] {
  if (resources.length === 0) throw badRequest('spec.resources: a pool needs at least one flavor');
  const seen = new Set<string>();
  const arches = new Set<string>();
  let tags = 0;
  const checked = resources.map((resource, i) => {
    const where = `spec.resources[${i}]`;
    if (!ctx.flavors.has(resource.flavor)) {
      throw badRequest(
        `${where}.flavor: unknown flavor ${resource.flavor}; GET /v1/{project_id}/resourceflavors lists them`,
      );
    }
    if (seen.has(resource.flavor)) throw badRequest(`${where}.flavor: ${resource.flavor} is listed twice`);
    seen.add(resource.flavor);
    arches.add(ctx.flavors.cpuArch(resource.flavor) ?? '');
    // Decision 10: a pool larger than the installation's whole capacity would wait
    // forever and, first come first served, hold up every later pool of the flavor.
    const capacity = ctx.flavors.capacity(resource.flavor);
    if (capacity !== undefined && resource.count > capacity) {
      throw badRequest(
        `${where}.count: flavor ${resource.flavor} has a capacity of ${capacity} nodes in this installation`,
      );
    }
    const maxCount = resource.maxCount ?? resource.count;
    if (maxCount < resource.count) throw badRequest(`${where}.maxCount: must not be below count (${resource.count})`);
    if (type === 'Dedicate' && maxCount > resource.count) {
      throw badRequest(`${where}.maxCount: must equal count for a Dedicate pool`);
    }
    if (resource.azs) {
      const sum = resource.azs.reduce((n, az) => n + az.count, 0);
      if (sum !== resource.count)
        throw badRequest(`${where}.azs: counts add up to ${sum}, not to count ${resource.count}`);
    }
    for (const tag of resource.tags ?? []) {
      if (tag.key.startsWith('CCE-') || tag.key.startsWith('__type_baremetal')) {
        throw badRequest(`${where}.tags: key ${tag.key} is reserved`);
      }
    }
    tags += resource.tags?.length ?? 0;
    return { ...resource, maxCount };
  });
  if (arches.size > 1) throw badRequest('spec.resources: all flavors of a pool must have the same CPU architecture');
  if (tags > MAX_TAGS) throw badRequest(`spec.resources: at most ${MAX_TAGS} tags per pool`);
  return checked;
}

function checkAnnotations(annotations: Record<string, string>): void {
  checkDescription(annotations[DESCRIPTION_ANNOTATION]);
  if (annotations['os.modelarts/billing.mode'] === '1') {
    if (!annotations['os.modelarts/period.num'] || !annotations['os.modelarts/period.type']) {
      throw badRequest(
        'metadata.annotations: billing.mode 1 needs os.modelarts/period.num and os.modelarts/period.type',
      );
    }
  }
  const periodType = annotations['os.modelarts/period.type'];
  if (periodType !== undefined && !PERIOD_TYPES.includes(periodType)) {
    throw badRequest(`metadata.annotations.os.modelarts/period.type: one of ${PERIOD_TYPES.join(', ')}`);
  }
}

function checkSimulation(labels: Record<string, string>): void {
  const value = labels[SIMULATE_LABEL];
  if (value !== undefined && !(SIMULATIONS as readonly string[]).includes(value)) {
    throw badRequest(`metadata.labels.${SIMULATE_LABEL}: one of ${SIMULATIONS.join(', ')}`);
  }
}

const scopeStatus = (scopes: readonly string[] | undefined, state: string): ScopeStatus[] =>
  (scopes ?? []).map((scopeType) => ({ scopeType, state }));

/** The pool's network, which must exist in the project and be Active (pools.md §6.1). */
async function checkNetwork(tx: Executor, projectId: string, spec: PoolSpec): Promise<string | null> {
  if (spec.type === 'Logical') {
    if (spec.network) throw badRequest('spec.network: a Logical pool has no network of its own');
    return null;
  }
  if (!spec.network) throw badRequest('spec.network is required');
  const network = await findNetwork(tx, projectId, spec.network.name);
  if (!network) throw badRequest(`spec.network.name: network ${spec.network.name} does not exist in this project`);
  if (!networkUsable(network)) {
    const state = network.deleting_at ? 'being deleted' : `in phase ${network.phase}`;
    throw badRequest(`spec.network.name: network ${spec.network.name} is ${state}; a pool needs an Active network`);
  }
  return network.name;
}

export async function createPool(ctx: AppContext, projectId: string, body: CreatePoolBody): Promise<Pool> {
  const labels: Record<string, string> = { ...body.metadata.labels };
  const displayName = labels[NAME_LABEL];
  if (!POOL_DISPLAY_NAME.test(displayName)) {
    throw badRequest(
      `metadata.labels.${NAME_LABEL}: 4 to 30 characters, lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit`,
    );
  }
  checkSimulation(labels);
  const annotations = { ...(body.metadata.annotations ?? {}) };
  checkMetadataLimits({ labels, annotations });
  checkAnnotations(annotations);
  const spec: PoolSpec = { ...body.spec, resources: checkResources(ctx, body.spec.type, body.spec.resources) };
  if (spec.containerNetwork || spec.containernetwork) {
    // pools.md D6: clients read either spelling, so both are kept in step.
    spec.containerNetwork = spec.containernetwork = spec.containerNetwork ?? spec.containernetwork;
  }
  const workspaceId = labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE;
  labels[WORKSPACE_LABEL] = workspaceId;
  for (const key of SERVER_LABELS) delete labels[key];

  const wanted = nodesWanted(spec.resources);
  const finite = finiteFlavors(ctx, wanted).length > 0;
  // Fails fast for a project that does not exist (from the short-lived cache);
  // the lock below reads the row again for the quota.
  await requireProject(ctx, projectId);
  const row = await ctx.database.transaction(async (tx) => {
    // The capacity lock is only ever taken after the project's (database.ts).
    if (finite) await ctx.database.lockProject(tx, projectId);
    const networkName = await checkNetwork(tx, projectId, spec);
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
    const shortfall = finite
      ? await capacityShortfall(ctx, tx, wanted, new Map(), await queuedFlavors(ctx, tx))
      : undefined;
    const phase: PoolPhase = shortfall ? 'Waiting' : 'Creating';
    const name = generateResourceName(displayName);
    const now = ctx.clock.now();
    const inserted = await insertPool(tx, {
      name,
      project_id: projectId,
      display_name: displayName,
      workspace_id: workspaceId,
      network_name: networkName,
      phase,
      message: shortfall ? `Waiting for capacity: ${shortfall}.` : null,
      labels: JSON.stringify({
        ...labels,
        'os.modelarts/resource.id': `maos-${displayName}-${randomBytes(4).toString('hex').slice(0, 5)}`,
        'os.modelarts/tenant.project.id': projectId,
        'os.modelarts.pool/biz': 'private',
        'os.modelarts/create-from': 'api',
      }),
      annotations: JSON.stringify(annotations),
      spec: JSON.stringify(spec),
      available: '{}',
      scope_status: JSON.stringify(scopeStatus(spec.scope, 'Enabling')),
      created_at: toDbTime(now),
      deleting_at: null,
      failed_at: null,
      due_at: shortfall ? null : toDbTime(ctx.lifecycle.dueAt('poolCreate', now)),
      version: 0,
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new AtelierError('poolExists', { name: displayName, id: 'another pool' });
      if (isForeignKeyViolation(error)) throw new AtelierError('projectNotFound', { project: projectId });
      throw error;
    });
    if (!shortfall) await addHeldNodes(tx, inserted.id, wanted);
    await poolEvent(tx, inserted, now, 'Normal', 'PoolCreated', `Pool ${name} accepted, phase ${phase}.`);
    // The quota is taken last, under the project lock, which is held from here to
    // the commit: requests creating pools in one project queue for these few
    // statements only, not for the whole transaction. The count sees every
    // committed pool of the project; the network is checked again because a
    // DELETE of it, under the same lock, cannot see this uncommitted pool.
    const project = await lockedProject(ctx, tx, projectId);
    await checkNetwork(tx, projectId, spec);
    await takeQuota(ctx, tx, project, 'pool');
    await moveUsage(tx, usageCounter(ctx.database, 'pool', inserted), null, { workspaceId, phase });
    return inserted;
  });
  ctx.wakeEngine();
  return toPool(row);
}

async function requirePool(ctx: AppContext, projectId: string, name: string, tx?: Executor): Promise<PoolRow> {
  const row = await findPool(tx ?? ctx.database.db, projectId, name);
  if (!row) throw new AtelierError('poolNotFound', { name });
  return row;
}

export async function showPool(ctx: AppContext, projectId: string, name: string): Promise<Pool> {
  await requireProject(ctx, projectId);
  return toPool(await requirePool(ctx, projectId, name));
}

/** Decision 8: no status lists every pool but failure records; a status selects its bucket. */
export async function listPools(ctx: AppContext, projectId: string, query: ListPoolsQuery): Promise<PoolList> {
  await requireProject(ctx, projectId);
  const selector = labelSelectorFrom(query.labelSelector);
  const workspaceId = query.workspaceId ?? DEFAULT_WORKSPACE;
  const db = ctx.database.db;
  const rows =
    query.status === 'failed'
      ? await selectPools(db, projectId, workspaceId, ['CreationFailed'], {
          failedSince: new Date(ctx.clock.now().getTime() - FAILED_WINDOW_MS),
          limit: FAILED_CAP,
        })
      : await selectPools(
          db,
          projectId,
          workspaceId,
          query.status ? phasesInBucket(query.status) : POOL_LISTED_BY_DEFAULT,
        );
  const items = rows
    .map(toPool)
    .filter((pool) => selects(selector, pool.metadata.labels))
    .filter((pool) => query.parent === undefined || pool.spec.parent === query.parent);
  checkUnpagedList(items.length, 'pools', 'workspaceId, status, parent or labelSelector');
  return { apiVersion: 'v2', kind: 'PoolList', metadata: {}, items };
}

const PATCHABLE_PATHS = [
  'metadata.labels.os.modelarts/workspace.id',
  'metadata.labels.os.modelarts/sharing',
  'metadata.annotations.os.modelarts/description',
  'metadata.annotations.os.modelarts/scheduler.extension',
  'metadata.annotations.os.modelarts/order.id',
  'spec.scope',
  'spec.resources',
  'spec.driver',
  'spec.jobFlavors',
];

function checkPatchPaths(patch: PatchPoolBody): string[] {
  const paths = flattenPatchPaths(patch).map((p) => (p.length > 2 ? [p[0], p[1], p.slice(2).join('.')] : p));
  const touched: string[] = [];
  for (const path of paths) {
    const dotted = path.join('.');
    const allowed = PATCHABLE_PATHS.find((p) => dotted === p || dotted.startsWith(`${p}.`));
    if (!allowed) throw badRequest(`${dotted || 'body'}: this field cannot be changed by PATCH`);
    touched.push(allowed);
  }
  return touched;
}

/** Pools.md §6.4: console rule — one request scales out or in, never both. */
function checkScaleDirection(before: PoolSpec, after: PoolSpec): void {
  const old = nodesWanted(before.resources);
  let up = false;
  let down = false;
  for (const r of after.resources) {
    const was = old.get(r.flavor) ?? 0;
    if (r.count > was) up = true;
    if (r.count < was) down = true;
  }
  for (const [flavor] of old) if (!after.resources.some((r) => r.flavor === flavor)) down = true;
  if (up && down) throw badRequest('spec.resources: scale out and scale in in separate requests');
}

export async function patchPool(ctx: AppContext, projectId: string, name: string, patch: PatchPoolBody): Promise<Pool> {
  const touched = checkPatchPaths(patch);
  if (touched.length === 0) throw badRequest('the patch changes nothing');
  const movesWorkspace = touched.includes('metadata.labels.os.modelarts/workspace.id');
  if (movesWorkspace && touched.some((p) => p !== 'metadata.labels.os.modelarts/workspace.id')) {
    throw badRequest('metadata.labels.os.modelarts/workspace.id: change the workspace in a request of its own');
  }
  const changesSpec = touched.some((p) => p.startsWith('spec.'));
  const row = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const current = await requirePool(ctx, projectId, name, tx);
    const phase = current.phase as PoolPhase;
    if (!POOL_PATCHABLE.has(phase)) throw badRequest(`pool ${name} is ${phase} and cannot be changed now`);
    if (changesSpec && !POOL_SCALABLE.has(phase)) {
      throw badRequest(`pool ${name} is ${phase}; spec changes need a Running pool`);
    }
    const before = toPool(current);
    const merged = applyMergePatch(
      { metadata: { labels: before.metadata.labels, annotations: before.metadata.annotations }, spec: before.spec },
      patch,
    ) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PoolSpec };
    if (movesWorkspace && merged.metadata.labels[WORKSPACE_LABEL] === undefined) {
      throw badRequest(`metadata.labels.${WORKSPACE_LABEL}: cannot be removed`);
    }
    checkDescription(merged.metadata.annotations[DESCRIPTION_ANNOTATION]);
    const spec: PoolSpec = {
      ...merged.spec,
      resources: checkResources(ctx, before.spec.type, merged.spec.resources ?? []),
    };
    checkScaleDirection(before.spec, spec);
    const now = ctx.clock.now();
    const workspaceId = merged.metadata.labels[WORKSPACE_LABEL];
    const resourcesChanged = JSON.stringify(spec.resources) !== JSON.stringify(before.spec.resources);
    const scopeChanged = JSON.stringify(spec.scope ?? []) !== JSON.stringify(before.spec.scope ?? []);
    const driverChanged = JSON.stringify(spec.driver ?? null) !== JSON.stringify(before.spec.driver ?? null);

    let scopes = before.status.scope;
    if (scopeChanged) {
      const wanted = spec.scope ?? [];
      scopes = [
        ...wanted.map(
          (s) =>
            scopes.find((x) => x.scopeType === s && x.state !== 'Disabling') ?? { scopeType: s, state: 'Enabling' },
        ),
        ...scopes.filter((x) => !wanted.includes(x.scopeType as never)).map((x) => ({ ...x, state: 'Disabling' })),
      ];
    }
    if (resourcesChanged) {
      // Scale-out takes the new nodes now, so two pools cannot both count on them;
      // scale-in releases nodes only when the engine has removed them.
      const held = await selectHeldNodes(tx, current.id);
      const wanted = nodesWanted(spec.resources);
      // A scale-out queues behind waiting pools like a new pool would (decision 10).
      const shortfall = await capacityShortfall(ctx, tx, wanted, held, await queuedFlavors(ctx, tx));
      if (shortfall) throw badRequest(`spec.resources: insufficient capacity, ${shortfall}`);
      const reserve = new Map(held);
      for (const [flavor, n] of wanted) reserve.set(flavor, Math.max(n, held.get(flavor) ?? 0));
      await setHeldNodes(tx, current.id, reserve);
    }
    const settling = resourcesChanged || scopeChanged || driverChanged;
    const updated = await movePool(ctx, tx, current, settling ? 'Running' : phase, {
      workspace_id: workspaceId,
      labels: JSON.stringify(merged.metadata.labels),
      annotations: JSON.stringify(merged.metadata.annotations),
      spec: JSON.stringify(spec),
      scope_status: JSON.stringify(scopes),
      ...(settling ? { due_at: toDbTime(ctx.lifecycle.dueAt('poolScale', now)), message: null } : {}),
    });
    if (!updated) throw new WriteConflict(`${name}`);
    if (resourcesChanged) {
      const from = nodesWanted(before.spec.resources);
      const to = nodesWanted(spec.resources);
      await poolEvent(
        tx,
        updated,
        now,
        'Normal',
        'PoolScaling',
        `Pool resources change requested: ${describeNodes(from)} to ${describeNodes(to)}.`,
      );
    }
    return updated;
  });
  ctx.wakeEngine();
  return toPool(row);
}

/** `available/abnormal/creating/deleting` node totals, as the event message gives them. */
function nodeCounts(status: PoolResourcesStatus): string {
  const total = (groups: NodeGroup[] | undefined) => (groups ?? []).reduce((n, g) => n + g.count, 0);
  return [status.available, status.abnormal, status.creating, status.deleting].map(total).join('/');
}

const describeNodes = (nodes: ReadonlyMap<string, number>) =>
  [...nodes].map(([f, n]) => `${f}×${n}`).join(', ') || 'none';

export async function deletePool(ctx: AppContext, projectId: string, name: string): Promise<Pool> {
  const row = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const current = await requirePool(ctx, projectId, name, tx);
    if (current.phase === 'Deleting') return current;
    const now = ctx.clock.now();
    if (current.phase === 'CreationFailed') {
      // A failure record holds no nodes and has nothing to tear down. Moving it to
      // Deleting would count it against the quota again (decision 2), so it goes at
      // once; the answer is the snapshot of its deletion.
      if (!(await removePool(ctx, tx, current, 'deleted by request'))) throw new WriteConflict(name);
      return { ...current, phase: 'Deleting', message: null, deleting_at: toDbTime(now), due_at: null };
    }
    const updated = await movePool(ctx, tx, current, 'Deleting', {
      deleting_at: toDbTime(now),
      due_at: toDbTime(ctx.lifecycle.dueAt('poolDelete', now)),
    });
    if (!updated) throw new WriteConflict(`${name}`);
    // A pool that was waiting may have been blocking others behind it.
    if (current.phase === 'Waiting') await admitWaitingPools(ctx, tx);
    return updated;
  });
  ctx.wakeEngine();
  return toPool(row);
}

/** Creating → Running: the nodes are up and every job type enabled. */
export async function finishCreating(ctx: AppContext, tx: Executor, row: PoolRow): Promise<PoolRow | undefined> {
  const spec = JSON.parse(row.spec) as PoolSpec;
  const available: NodeCounts = Object.fromEntries(spec.resources.map((r) => [r.flavor, r.count]));
  return movePool(ctx, tx, row, 'Running', {
    available: JSON.stringify(available),
    scope_status: JSON.stringify(scopeStatus(spec.scope, 'Enabled')),
    due_at: null,
  });
}

/** Removes a pool row and everything it holds or counts. */
async function removePool(ctx: AppContext, tx: Executor, row: PoolRow, why: string): Promise<boolean> {
  if (!(await deletePoolIf(tx, row.id, row.version))) return false;
  await moveUsage(
    tx,
    usageCounter(ctx.database, 'pool', row),
    { workspaceId: row.workspace_id, phase: row.phase },
    null,
  );
  await poolEvent(tx, row, ctx.clock.now(), 'Normal', 'PoolDeleted', `Pool ${row.name} removed: ${why}.`);
  return true;
}

/**
 * One engine step for a pool whose due time has come (STYLE §5): finish creating,
 * settle a scaling, remove a deleted pool or an expired failure record. Every
 * step is a conditional update, so running it twice does nothing the second time.
 * Returns false when another writer moved the pool first.
 */
export async function advancePool(ctx: AppContext, tx: Executor, row: PoolRow): Promise<boolean> {
  const now = ctx.clock.now();
  const phase = row.phase as PoolPhase;
  const spec = JSON.parse(row.spec) as PoolSpec;
  switch (phase) {
    case 'Creating': {
      // A simulated failure (label or fault) is decided, and a fault consumed, in this step's transaction.
      const failure = await creationFailure(tx, row);
      if (failure) return failCreation(ctx, tx, row, failure);
      const running = await finishCreating(ctx, tx, row);
      if (!running) return false;
      const abnormal = await abnormalFailure(tx, running);
      if (abnormal) await makeAbnormal(ctx, tx, running, abnormal);
      return true;
    }
    case 'Abnormal':
      // Nothing else makes an Abnormal pool due (it cannot be scaled): its recovery time has come.
      return healAbnormal(ctx, tx, row);
    case 'Running':
    case 'ScalingFailed':
    case 'Error': {
      const before = JSON.parse(row.available) as NodeCounts;
      const available: NodeCounts = Object.fromEntries(spec.resources.map((r) => [r.flavor, r.count]));
      if (
        phase === 'Running' &&
        describeNodes(new Map(Object.entries(before))) !== describeNodes(nodesWanted(spec.resources))
      ) {
        const failure = await scalingFailure(tx, row);
        if (failure) return failScaling(ctx, tx, row, failure);
      }
      const scopes = (JSON.parse(row.scope_status) as ScopeStatus[])
        .filter((s) => s.state !== 'Disabling')
        .map((s) => ({ ...s, state: s.state === 'Enabling' ? 'Enabled' : s.state }));
      const settled = await movePool(ctx, tx, row, phase, {
        available: JSON.stringify(available),
        scope_status: JSON.stringify(scopes),
        due_at: null,
      });
      if (!settled) return false;
      await setHeldNodes(tx, row.id, nodesWanted(spec.resources));
      const from = nodeCounts(resourcesStatus(phase, JSON.parse(row.spec) as PoolSpec, before));
      const to = nodeCounts(resourcesStatus(phase, spec, available));
      if (from !== to) {
        // The message shape of config-events-flavors §4, which clients may parse.
        await poolEvent(
          tx,
          row,
          now,
          'Normal',
          'PoolResourcesStatusChange',
          `Pool resources status changed, available/abnormal/creating/deleting count from ${from} to ${to}, timestamp: ${Math.floor(now.getTime() / 1000)}.`,
        );
      }
      await admitWaitingPools(ctx, tx);
      return true;
    }
    case 'Deleting':
    case 'CreationFailed': {
      if (phase === 'Deleting') {
        const failure = await deletionFailure(tx, row);
        if (failure) return failDeletion(ctx, tx, row, failure);
      }
      const why = phase === 'Deleting' ? 'teardown finished' : 'failure record expired';
      if (!(await removePool(ctx, tx, row, why))) return false;
      await admitWaitingPools(ctx, tx);
      return true;
    }
    case 'Waiting':
      return (await admitWaitingPools(ctx, tx)) > 0;
  }
}
