import { objectMetadata } from '../shared/object-metadata.js';
import type { AppContext } from '../context.js';
import { fromDbTime, isUniqueViolation, toDbTime, type Executor } from '../db/database.js';
import { WriteConflict } from '../db/database.js';
import type { NetworkRow } from '../db/schema.js';
import { AtelierError, badRequest } from '../errors.js';
import { insertEvent } from '../events/event.store.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { takeQuota } from '../quotas/quota.service.js';
import { moveUsage, usageCounter } from '../quotas/usage.store.js';
import { validatePrivateCidr } from '../shared/cidr.js';
import { applyMergePatch } from '../shared/merge-patch.js';
import { FORBIDDEN_DESCRIPTION_CHARS, generateResourceName, NETWORK_DISPLAY_NAME } from '../shared/names.js';
import { cursorPosition, labelSelectorFrom, pageOf, selects } from '../shared/selection.js';
import { DEFAULT_WORKSPACE } from '../statistics/statistics.service.js';
import { NETWORK_FAILED_COUNTER, NETWORK_USABLE_PHASE } from './network.lifecycle.js';
import type {
  ConnectionStatus,
  CreateNetworkBody,
  ListNetworksQuery,
  Network,
  NetworkConnection,
  NetworkList,
  PatchNetworkBody,
} from './network.schema.js';
import {
  deleteNetworkIf,
  findNetwork,
  findNetworkByDisplayName,
  findPoolUsingNetwork,
  insertNetwork,
  selectNetworkPage,
  updateNetworkIf,
} from './network.store.js';

export const NAME_LABEL = 'os.modelarts/name';
export const WORKSPACE_LABEL = 'os.modelarts/workspace.id';
export const DESCRIPTION_ANNOTATION = 'os.modelarts/description';

interface NetworkSpec {
  cidr: string;
  ipv6enable: boolean;
  connection: NetworkConnection;
}

export function checkDescription(description: string | null | undefined): void {
  if (description === undefined || description === null) return;
  if (description.length > 100) throw badRequest(`${DESCRIPTION_ANNOTATION}: at most 100 characters`);
  if (FORBIDDEN_DESCRIPTION_CHARS.test(description)) {
    throw badRequest(`${DESCRIPTION_ANNOTATION}: must not contain any of ! < > = & " '`);
  }
}

const counterPhase = (row: Pick<NetworkRow, 'phase' | 'failed'>) => (row.failed ? NETWORK_FAILED_COUNTER : row.phase);

export function toNetwork(row: NetworkRow): Network {
  return {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: objectMetadata(row),
    spec: JSON.parse(row.spec) as NetworkSpec,
    status: { phase: row.phase, connectionStatus: JSON.parse(row.connection_status) as ConnectionStatus },
  };
}

/** An address inside the network for an SFS Turbo attachment: stable per position. */
function addressIn(cidr: string, index: number): string {
  const [base] = cidr.split('/');
  const n = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) + 10 + index;
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * What status.connectionStatus should say right after the spec changed: items
 * already connected keep their state, new ones start connecting, removed SFS
 * attachments pass through Deleting (quotas-networks.md §2.7).
 */
function plannedConnectionStatus(spec: NetworkSpec, previous: ConnectionStatus): ConnectionStatus {
  const status: ConnectionStatus = {};
  const peers = spec.connection.peerConnectionList ?? [];
  if (peers.length > 0) {
    status.peerConnectionStatus = peers.map((peer) => {
      const known = previous.peerConnectionStatus?.find(
        (p) => p.peerVpcId === peer.peerVpcId && p.peerSubnetId === peer.peerSubnetId,
      );
      return {
        peerVpcId: peer.peerVpcId,
        peerSubnetId: peer.peerSubnetId,
        defaultGateWay: peer.defaultGateWay ?? false,
        phase: known?.phase ?? 'Connecting',
      };
    });
  }
  const wanted = spec.connection.sfsTurboConnectionList ?? [];
  const knownOf = (sfsId: string) => previous.sfsTurboStatus?.find((s) => s.sfsId === sfsId && s.status !== 'Deleting');
  const leaving = (previous.sfsTurboStatus ?? [])
    .filter((old) => !wanted.some((w) => w.sfsId === old.sfsId))
    .map((old) => ({ ...old, status: 'Deleting' }));
  // A new attachment takes the first address no listed attachment holds: numbering by list
  // position alone gave a newcomer the address of one that had moved up after a removal.
  const taken = new Set([...wanted.map((w) => knownOf(w.sfsId)?.ipAddr), ...leaving.map((s) => s.ipAddr)]);
  let next = 0;
  const freeAddress = (): string => {
    let address = addressIn(spec.cidr, next++);
    while (taken.has(address)) address = addressIn(spec.cidr, next++);
    taken.add(address);
    return address;
  };
  const sfs = wanted.map((item) => {
    const known = knownOf(item.sfsId);
    return {
      name: item.name,
      sfsId: item.sfsId,
      connectionType: 'VpcPort',
      ipAddr: known?.ipAddr ?? freeAddress(),
      status: known?.status ?? 'Creating',
    };
  });
  sfs.push(...leaving);
  if (sfs.length > 0) status.sfsTurboStatus = sfs;
  return status;
}

/** The connection status once provisioning finished: everything connected, removals gone. */
export function settledConnectionStatus(status: ConnectionStatus): ConnectionStatus {
  const settled: ConnectionStatus = {};
  if (status.peerConnectionStatus?.length) {
    settled.peerConnectionStatus = status.peerConnectionStatus.map((p) => ({
      ...p,
      phase: p.phase === 'Connecting' ? 'Active' : p.phase,
    }));
  }
  const sfs = (status.sfsTurboStatus ?? [])
    .filter((s) => s.status !== 'Deleting')
    .map((s) => ({ ...s, status: s.status === 'Creating' ? 'Active' : s.status }));
  if (sfs.length > 0) settled.sfsTurboStatus = sfs;
  return settled;
}

export function connectionPending(status: ConnectionStatus): boolean {
  return (
    (status.peerConnectionStatus ?? []).some((p) => p.phase === 'Connecting') ||
    (status.sfsTurboStatus ?? []).some((s) => s.status === 'Creating' || s.status === 'Deleting')
  );
}

function checkConnection(connection: NetworkConnection | undefined): void {
  const peers = connection?.peerConnectionList ?? [];
  const seen = new Set<string>();
  for (const peer of peers) {
    const key = `${peer.peerVpcId}/${peer.peerSubnetId}`;
    if (seen.has(key)) throw badRequest(`spec.connection.peerConnectionList: ${key} is listed twice`);
    seen.add(key);
  }
  const sfsIds = new Set<string>();
  for (const sfs of connection?.sfsTurboConnectionList ?? []) {
    if (sfsIds.has(sfs.sfsId)) throw badRequest(`spec.connection.sfsTurboConnectionList: ${sfs.sfsId} is listed twice`);
    sfsIds.add(sfs.sfsId);
  }
}

function normaliseConnection(connection: NetworkConnection | undefined): NetworkConnection {
  const result: NetworkConnection = {};
  if (connection?.peerConnectionList?.length) {
    result.peerConnectionList = connection.peerConnectionList.map((p) => ({
      ...p,
      defaultGateWay: p.defaultGateWay ?? false,
    }));
  }
  if (connection?.sfsTurboConnectionList?.length) result.sfsTurboConnectionList = connection.sfsTurboConnectionList;
  return result;
}

export async function createNetwork(ctx: AppContext, projectId: string, body: CreateNetworkBody): Promise<Network> {
  const labels = { ...body.metadata.labels };
  const displayName = labels[NAME_LABEL];
  if (!NETWORK_DISPLAY_NAME.test(displayName) || displayName.length < 4 || displayName.length > 32) {
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
  const row = await ctx.database.transaction(async (tx) => {
    const project = await lockedProject(ctx, tx, projectId);
    const existing = await findNetworkByDisplayName(tx, projectId, workspaceId, displayName);
    if (existing) throw new AtelierError('networkExists', { name: displayName, id: existing.name });
    await takeQuota(ctx, tx, project, 'network');
    const now = ctx.clock.now();
    const inserted = await insertNetwork(tx, {
      name: generateResourceName(displayName),
      project_id: projectId,
      display_name: displayName,
      workspace_id: workspaceId,
      phase: 'Creating',
      failed: 0,
      labels: JSON.stringify(labels),
      annotations: JSON.stringify(annotations),
      spec: JSON.stringify(spec),
      connection_status: JSON.stringify(plannedConnectionStatus(spec, {})),
      created_at: toDbTime(now),
      deleting_at: null,
      due_at: toDbTime(ctx.lifecycle.dueAt('networkCreate', now)),
      version: 0,
    }).catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new AtelierError('networkExists', { name: displayName, id: 'another network' });
      throw error;
    });
    await moveUsage(tx, usageCounter(ctx.database, 'network', inserted), null, { workspaceId, phase: 'Creating' });
    await insertEvent(tx, {
      projectId,
      resourceKind: 'networks',
      resourceName: inserted.name,
      type: 'Normal',
      reason: 'NetworkCreated',
      message: `Network ${inserted.name} accepted, phase Creating.`,
      at: now,
    });
    return inserted;
  });
  ctx.wakeEngine();
  return toNetwork(row);
}

async function requireNetwork(ctx: AppContext, projectId: string, name: string, tx?: Executor): Promise<NetworkRow> {
  const row = await findNetwork(tx ?? ctx.database.db, projectId, name);
  if (!row) throw new AtelierError('networkNotFound', { name });
  return row;
}

export async function showNetwork(ctx: AppContext, projectId: string, name: string): Promise<Network> {
  await requireProject(ctx, projectId);
  return toNetwork(await requireNetwork(ctx, projectId, name));
}

/** Decision 8: no workspaceId lists the default workspace "0". */
export async function listNetworks(ctx: AppContext, projectId: string, query: ListNetworksQuery): Promise<NetworkList> {
  await requireProject(ctx, projectId);
  const selector = labelSelectorFrom(query.labelSelector);
  const afterId = cursorPosition(query.continue);
  const rows = await selectNetworkPage(ctx.database.db, projectId, query.workspaceId ?? DEFAULT_WORKSPACE, afterId);
  const matching = rows
    .map((row) => ({ id: row.id, network: toNetwork(row) }))
    .filter((item) => selects(selector, item.network.metadata.labels));
  const { page, metadata } = pageOf(matching, query.limit, (item) => Number(item.id));
  return { apiVersion: 'v1', kind: 'NetworkList', metadata, items: page.map((item) => item.network) };
}

export async function patchNetwork(
  ctx: AppContext,
  projectId: string,
  name: string,
  patch: PatchNetworkBody,
): Promise<Network> {
  if (patch.metadata?.annotations) checkDescription(patch.metadata.annotations[DESCRIPTION_ANNOTATION]);
  checkConnection((patch.spec?.connection ?? undefined) as NetworkConnection | undefined);
  const row = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const current = await requireNetwork(ctx, projectId, name, tx);
    if (current.deleting_at !== null) throw badRequest(`network ${name} is being deleted and cannot be changed`);
    // Spec README decision 9: no PATCH while Creating (the decision overrides §2.7, which is silent).
    if (current.phase === 'Creating')
      throw badRequest(`network ${name} is still being created; change it once it is Active`);
    const before = toNetwork(current);
    const merged = applyMergePatch(
      { metadata: { labels: before.metadata.labels, annotations: before.metadata.annotations }, spec: before.spec },
      patch,
    ) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: NetworkSpec };
    if (before.spec.ipv6enable && merged.spec.ipv6enable === false) {
      throw badRequest('spec.ipv6enable: IPv6 cannot be turned off once enabled');
    }
    const spec: NetworkSpec = {
      cidr: before.spec.cidr,
      ipv6enable: merged.spec.ipv6enable ?? false,
      connection: normaliseConnection(merged.spec.connection ?? {}),
    };
    const workspaceId = merged.metadata.labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE;
    if (workspaceId !== current.workspace_id) {
      const clash = await findNetworkByDisplayName(tx, projectId, workspaceId, current.display_name);
      if (clash) throw new AtelierError('networkExists', { name: current.display_name, id: clash.name });
    }
    const now = ctx.clock.now();
    const status = plannedConnectionStatus(spec, before.status.connectionStatus);
    const pending = connectionPending(status);
    // A patch that leaves the connections alone must not postpone those still settling.
    const connectionChanged = JSON.stringify(spec.connection) !== JSON.stringify(before.spec.connection);
    const keepDue = !connectionChanged && current.due_at !== null;
    const due = !pending ? null : keepDue ? fromDbTime(current.due_at) : ctx.lifecycle.dueAt('networkCreate', now);
    const updated = await updateNetworkIf(tx, current.id, current.version, {
      workspace_id: workspaceId,
      labels: JSON.stringify(merged.metadata.labels),
      annotations: JSON.stringify(merged.metadata.annotations),
      spec: JSON.stringify(spec),
      connection_status: JSON.stringify(status),
      due_at: due && toDbTime(due),
    });
    if (!updated) throw new WriteConflict(`${name}`);
    await moveUsage(
      tx,
      usageCounter(ctx.database, 'network', current),
      { workspaceId: current.workspace_id, phase: counterPhase(current) },
      { workspaceId, phase: counterPhase(current) },
    );
    await insertEvent(tx, {
      projectId,
      resourceKind: 'networks',
      resourceName: name,
      type: 'Normal',
      reason: 'NetworkUpdated',
      message: `Network ${name} updated.`,
      at: now,
    });
    return updated;
  });
  ctx.wakeEngine();
  return toNetwork(row);
}

export async function deleteNetwork(ctx: AppContext, projectId: string, name: string): Promise<Network> {
  const row = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const current = await requireNetwork(ctx, projectId, name, tx);
    if (current.deleting_at !== null) return current;
    const pool = await findPoolUsingNetwork(tx, projectId, name);
    if (pool) throw new AtelierError('networkInUse', { name, pool });
    const now = ctx.clock.now();
    const updated = await updateNetworkIf(tx, current.id, current.version, {
      deleting_at: toDbTime(now),
      due_at: toDbTime(ctx.lifecycle.dueAt('networkDelete', now)),
    });
    if (!updated) throw new WriteConflict(`${name}`);
    await insertEvent(tx, {
      projectId,
      resourceKind: 'networks',
      resourceName: name,
      type: 'Normal',
      reason: 'NetworkDeleting',
      message: `Network ${name} is being deleted.`,
      at: now,
    });
    return updated;
  });
  ctx.wakeEngine();
  return toNetwork(row);
}

/** Whether a pool may be attached to this network now. */
export function networkUsable(row: NetworkRow): boolean {
  return row.phase === NETWORK_USABLE_PHASE && row.deleting_at === null;
}

/**
 * One engine step for a network whose due time has come: finish provisioning,
 * settle connection changes, or remove it after teardown. Returns false when
 * another writer moved the row first.
 */
export async function advanceNetwork(ctx: AppContext, tx: Executor, row: NetworkRow): Promise<boolean> {
  const now = ctx.clock.now();
  const event = (reason: string, message: string) =>
    insertEvent(tx, {
      projectId: row.project_id,
      resourceKind: 'networks',
      resourceName: row.name,
      type: 'Normal',
      reason,
      message,
      at: now,
    });
  if (row.deleting_at !== null) {
    if (!(await deleteNetworkIf(tx, row.id, row.version))) return false;
    await moveUsage(
      tx,
      usageCounter(ctx.database, 'network', row),
      { workspaceId: row.workspace_id, phase: counterPhase(row) },
      null,
    );
    await event('NetworkDeleted', `Network ${row.name} deleted.`);
    return true;
  }
  const status = settledConnectionStatus(JSON.parse(row.connection_status) as ConnectionStatus);
  const phase = row.phase === 'Creating' ? 'Active' : row.phase;
  const updated = await updateNetworkIf(tx, row.id, row.version, {
    phase,
    connection_status: JSON.stringify(status),
    due_at: null,
  });
  if (!updated) return false;
  if (phase !== row.phase) {
    await moveUsage(
      tx,
      usageCounter(ctx.database, 'network', row),
      { workspaceId: row.workspace_id, phase: counterPhase(row) },
      { workspaceId: row.workspace_id, phase: counterPhase(updated) },
    );
    await event('NetworkStatusChange', `Network status changed, from ${row.phase} to ${phase}.`);
  } else {
    await event('NetworkConnectionChange', `Network connections of ${row.name} settled.`);
  }
  return true;
}
