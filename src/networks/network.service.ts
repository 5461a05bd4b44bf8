import type { AppContext } from '../context.js';
import { isUniqueViolation, WriteConflict, type Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import { recordEvent } from '../events/event.recorder.js';
import { poolUsingNetwork } from '../pools/pool.reads.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { moveUsage, takeQuota, usageCounter } from '../quotas/quota.service.js';
import { countNetworkNodes } from '../nodes/node.reads.js';
import { hostRange, validatePrivateCidr } from '../shared/cidr.js';
import {
  checkDescription,
  DEFAULT_WORKSPACE,
  DESCRIPTION_ANNOTATION,
  NAME_LABEL,
  WORKSPACE_LABEL,
} from '../shared/conventions.js';
import { applyMergePatch } from '../shared/merge-patch.js';
import { generateResourceName, isValidNetworkDisplayName } from '../shared/names.js';
import { cursorPosition, labelSelectorFrom, pageOf, selects } from '../shared/selection.js';
import {
  checkConnection,
  connectionPending,
  normaliseConnection,
  plannedConnectionStatus,
} from './network.connections.js';
import { NETWORK_ENTRY, NETWORK_PATCHABLE, networkCounterPhase } from './network.lifecycle.js';
import type { NetworkRecord } from './network.record.js';
import type {
  CreateNetworkBody,
  ListNetworksQuery,
  Network,
  NetworkAvailableIp,
  NetworkConnection,
  NetworkList,
  NetworkSpec,
  PatchNetworkBody,
} from './network.schema.js';
import { moveNetwork } from './network.move.js';
import {
  findNetwork,
  findNetworkByDisplayName,
  findNetworkLocked,
  insertNetwork,
  selectNetworkPage,
} from './network.store.js';
import { toNetwork } from './network.view.js';

/** The network operations of the API (quotas-networks.md §2): each records intent; the engine does the work. */

export async function createNetwork(ctx: AppContext, projectId: string, body: CreateNetworkBody): Promise<Network> {
  const labels = { ...body.metadata.labels };
  const displayName = labels[NAME_LABEL];
  if (!isValidNetworkDisplayName(displayName)) {
    throw badRequest(
      `metadata.labels.${NAME_LABEL}: 4 to 32 characters, lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit`,
    );
  }
  labels[WORKSPACE_LABEL] ??= DEFAULT_WORKSPACE;
  const annotations = { ...(body.metadata.annotations ?? {}) };
  checkDescription(annotations[DESCRIPTION_ANNOTATION]);
  const cidrProblem = validatePrivateCidr(body.spec.cidr);
  if (cidrProblem) throw badRequest(`spec.cidr: ${cidrProblem}`);
  checkConnection(body.spec.connection);

  const spec: NetworkSpec = {
    cidr: body.spec.cidr,
    ipv6enable: body.spec.ipv6enable ?? false,
    connection: normaliseConnection(body.spec.connection),
  };
  const workspaceId = labels[WORKSPACE_LABEL];
  const network = await ctx.database.transaction(async (tx) => {
    const project = await lockedProject(ctx, tx, projectId);
    const existing = await findNetworkByDisplayName(tx, projectId, workspaceId, displayName);
    if (existing) throw new AtelierError('networkExists', { name: displayName, id: existing.name });
    await takeQuota(ctx, tx, project, 'network');
    const now = ctx.clock.now();
    const inserted = await insertNetwork(tx, {
      name: generateResourceName(displayName),
      projectId,
      displayName,
      workspaceId,
      phase: NETWORK_ENTRY,
      failed: false,
      labels,
      annotations,
      spec,
      connectionStatus: plannedConnectionStatus(spec, {}),
      createdAt: now,
      deletingAt: null,
      dueAt: ctx.lifecycle.dueAt('networkCreate', now),
    }).catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new AtelierError('networkExists', { name: displayName, id: 'another network' });
      throw error;
    });
    const cell = { workspaceId, phase: networkCounterPhase(inserted) };
    await moveUsage(tx, usageCounter(ctx.database, 'network', inserted), null, cell);
    await recordEvent(tx, {
      projectId,
      resourceKind: 'networks',
      resourceName: inserted.name,
      type: 'Normal',
      reason: 'NetworkCreated',
      message: `Network ${inserted.name} accepted, phase ${inserted.phase}.`,
      at: now,
    });
    return inserted;
  });
  ctx.wakeEngine();
  return toNetwork(network);
}

async function requireNetwork(ctx: AppContext, projectId: string, name: string, tx?: Executor): Promise<NetworkRecord> {
  const network = await findNetwork(tx ?? ctx.database.db, projectId, name);
  if (!network) throw new AtelierError('networkNotFound', { name });
  return network;
}

export async function showNetwork(ctx: AppContext, projectId: string, name: string): Promise<Network> {
  await requireProject(ctx, projectId);
  return toNetwork(await requireNetwork(ctx, projectId, name));
}

/**
 * The addresses of the network's one subnet (plugins-scheduled-events-misc.md §4, D-I1): every
 * address but the network, gateway and broadcast ones is a node's to take, and each node holds one
 * until its row is gone. A subnet id that is not this network's — or a network not yet Active, which
 * has no subnet — is a network not found, as the spec recommends.
 */
export async function showNetworkAvailableIp(
  ctx: AppContext,
  projectId: string,
  name: string,
  subnetId: string,
): Promise<NetworkAvailableIp> {
  await requireProject(ctx, projectId);
  const db = ctx.database.db;
  const network = await requireNetwork(ctx, projectId, name);
  const subnet = toNetwork(network).status.subnets?.find((s) => s.networkId === subnetId);
  if (!subnet) throw new AtelierError('networkNotFound', { name: `${name} (subnet ${subnetId})` });
  return {
    name: `${network.displayName}-subnet`,
    networkId: subnet.networkId,
    subnetIpAvailability: [
      {
        cidr: subnet.cidr,
        ipVersion: 4,
        usedIps: await countNetworkNodes(db, name),
        totalIps: hostRange(subnet.cidr).size,
      },
    ],
  };
}

/** Decision 8: no workspaceId lists the default workspace "0". */
export async function listNetworks(ctx: AppContext, projectId: string, query: ListNetworksQuery): Promise<NetworkList> {
  await requireProject(ctx, projectId);
  const selector = labelSelectorFrom(query.labelSelector);
  const afterId = cursorPosition(query.continue);
  const networks = await selectNetworkPage(ctx.database.db, projectId, query.workspaceId ?? DEFAULT_WORKSPACE, afterId);
  const matching = networks.filter((network) => selects(selector, network.labels));
  const { page, metadata } = pageOf(matching, query.limit, (network) => network.id);
  return { apiVersion: 'v1', kind: 'NetworkList', metadata, items: page.map(toNetwork) };
}

type Merged = { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: NetworkSpec };

/** The spec and labels a patch leaves, checked against what may change (quotas-networks.md §2.7). */
function patched(current: NetworkRecord, patch: PatchNetworkBody): Merged {
  const { labels, annotations, spec: before } = current;
  const merged = applyMergePatch({ metadata: { labels, annotations }, spec: before }, patch) as Merged;
  if (before.ipv6enable && merged.spec.ipv6enable === false) {
    throw badRequest('spec.ipv6enable: IPv6 cannot be turned off once enabled');
  }
  const spec: NetworkSpec = {
    cidr: before.cidr,
    ipv6enable: merged.spec.ipv6enable ?? false,
    connection: normaliseConnection(merged.spec.connection ?? {}),
  };
  return { metadata: merged.metadata, spec };
}

export async function patchNetwork(
  ctx: AppContext,
  projectId: string,
  name: string,
  patch: PatchNetworkBody,
): Promise<Network> {
  if (patch.metadata?.annotations) checkDescription(patch.metadata.annotations[DESCRIPTION_ANNOTATION]);
  checkConnection((patch.spec?.connection ?? undefined) as NetworkConnection | undefined);
  const network = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const current = await requireNetwork(ctx, projectId, name, tx);
    if (current.deletingAt !== null) throw badRequest(`network ${name} is being deleted and cannot be changed`);
    if (!NETWORK_PATCHABLE.has(current.phase))
      throw badRequest(`network ${name} is still being created; change it once it is Active`);
    const { metadata, spec } = patched(current, patch);
    const workspaceId = metadata.labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE;
    if (workspaceId !== current.workspaceId) {
      const clash = await findNetworkByDisplayName(tx, projectId, workspaceId, current.displayName);
      if (clash) throw new AtelierError('networkExists', { name: current.displayName, id: clash.name });
    }
    const now = ctx.clock.now();
    const status = plannedConnectionStatus(spec, current.connectionStatus);
    const pending = connectionPending(status);
    // A patch that leaves the connections alone must not postpone those still settling.
    const connectionChanged = JSON.stringify(spec.connection) !== JSON.stringify(current.spec.connection);
    const keepDue = !connectionChanged && current.dueAt !== null;
    const dueAt = !pending ? null : keepDue ? current.dueAt : ctx.lifecycle.dueAt('networkCreate', now);
    const changes = { workspaceId, ...metadata, spec, connectionStatus: status, dueAt };
    const updated = await moveNetwork(ctx, tx, current, current.phase, changes, {
      reason: 'NetworkUpdated',
      message: `Network ${name} updated.`,
    });
    if (!updated) throw new WriteConflict(`${name}`);
    return updated;
  });
  ctx.wakeEngine();
  return toNetwork(network);
}

export async function deleteNetwork(ctx: AppContext, projectId: string, name: string): Promise<Network> {
  const network = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    // The row's lock waits for the pools being created on the network (they hold
    // it shared, network.reads.ts): the look for pools below, a new statement, sees them.
    const current = await findNetworkLocked(ctx.database, tx, projectId, name, 'update');
    if (!current) throw new AtelierError('networkNotFound', { name });
    if (current.deletingAt !== null) return current;
    const pool = await poolUsingNetwork(tx, projectId, name);
    if (pool) throw new AtelierError('networkInUse', { name, pool });
    const now = ctx.clock.now();
    const changes = { deletingAt: now, dueAt: ctx.lifecycle.dueAt('networkDelete', now) };
    const updated = await moveNetwork(ctx, tx, current, current.phase, changes, {
      reason: 'NetworkDeleting',
      message: `Network ${name} is being deleted.`,
    });
    if (!updated) throw new WriteConflict(`${name}`);
    return updated;
  });
  ctx.wakeEngine();
  return toNetwork(network);
}
