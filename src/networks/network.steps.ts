import type { AppContext } from '../context.js';
import type { Database, Executor } from '../db/database.js';
import { claimDue } from '../db/claims.js';
import { recordEvent } from '../events/event.recorder.js';
import { moveUsage, usageCounter } from '../quotas/quota.service.js';
import { settledConnectionStatus } from './network.connections.js';
import { canMoveNetwork, NETWORK_SETTLES_TO, networkCounterPhase, type NetworkPhase } from './network.lifecycle.js';
import type { NetworkChanges, NetworkRecord } from './network.record.js';
import { deleteNetworkIf, toNetworkRecord, updateNetworkIf } from './network.store.js';

/** What a change of a network records: its reason and message (every network event is Normal). */
export interface NetworkEvent {
  reason: string;
  message: string;
}

async function networkEvent(ctx: AppContext, tx: Executor, network: NetworkRecord, event: NetworkEvent): Promise<void> {
  await recordEvent(tx, {
    projectId: network.projectId,
    resourceKind: 'networks',
    resourceName: network.name,
    type: 'Normal',
    ...event,
    at: ctx.clock.now(),
  });
}

/**
 * The one way a network changes (STYLE §5): the move checked against
 * NETWORK_TRANSITIONS, a conditional update on the version the caller read, the
 * usage counter moved (workspace or phase) and the event written — a status
 * change unless the caller names another — all in `tx`. `to` may be the
 * network's own phase. Returns undefined when another writer changed it first.
 */
export async function moveNetwork(
  ctx: AppContext,
  tx: Executor,
  network: NetworkRecord,
  to: NetworkPhase,
  changes: NetworkChanges,
  event?: NetworkEvent,
): Promise<NetworkRecord | undefined> {
  const from = network.phase;
  if (!canMoveNetwork(from, to)) throw new Error(`Network ${network.name} cannot move from ${from} to ${to}`);
  const updated = await updateNetworkIf(tx, network, { ...changes, phase: to });
  if (!updated) return undefined;
  await moveUsage(
    tx,
    usageCounter(ctx.database, 'network', network),
    { workspaceId: network.workspaceId, phase: networkCounterPhase(network) },
    { workspaceId: updated.workspaceId, phase: networkCounterPhase(updated) },
  );
  const said = event ?? {
    reason: 'NetworkStatusChange',
    message: `Network status changed, from ${from} to ${to}.`,
  };
  if (event || from !== to) await networkEvent(ctx, tx, network, said);
  return updated;
}

/** Removes a network and what it counts. */
async function removeNetwork(ctx: AppContext, tx: Executor, network: NetworkRecord): Promise<boolean> {
  if (!(await deleteNetworkIf(tx, network))) return false;
  const cell = { workspaceId: network.workspaceId, phase: networkCounterPhase(network) };
  await moveUsage(tx, usageCounter(ctx.database, 'network', network), cell, null);
  await networkEvent(ctx, tx, network, { reason: 'NetworkDeleted', message: `Network ${network.name} deleted.` });
  return true;
}

/**
 * One engine step for a network whose due time has come: finish provisioning,
 * settle connection changes, or remove it after teardown. Returns false when
 * another writer moved the row first.
 */
export async function advanceNetwork(ctx: AppContext, tx: Executor, network: NetworkRecord): Promise<boolean> {
  if (network.deletingAt !== null) return removeNetwork(ctx, tx, network);
  const to = NETWORK_SETTLES_TO[network.phase];
  const changes = { connectionStatus: settledConnectionStatus(network.connectionStatus), dueAt: null };
  const settled =
    to === network.phase
      ? { reason: 'NetworkConnectionChange', message: `Network connections of ${network.name} settled.` }
      : undefined;
  return (await moveNetwork(ctx, tx, network, to, changes, settled)) !== undefined;
}

// --- what the engine and the emulator controls call ------------------------------

/** Claims up to `limit` due networks for the engine `owner` (db/claims.ts). */
export async function claimDueNetworks(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<NetworkRecord[]> {
  return (await claimDue(database, 'networks', owner, now, leaseMs, limit, onTakeover)).map(toNetworkRecord);
}

/** Due networks (the emulator's clock runs them itself) and networks made due now (its advance). */
export { makeNetworksDue, selectDueNetworks } from './network.store.js';
