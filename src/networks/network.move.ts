import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { recordEvent } from '../events/event.recorder.js';
import { moveUsage, usageCounter } from '../quotas/quota.service.js';
import { canMoveNetwork, networkCounterPhase, type NetworkPhase } from './network.lifecycle.js';
import type { NetworkChanges, NetworkRecord } from './network.record.js';
import { deleteNetworkIf, updateNetworkIf } from './network.store.js';

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
export async function removeNetwork(ctx: AppContext, tx: Executor, network: NetworkRecord): Promise<boolean> {
  if (!(await deleteNetworkIf(tx, network))) return false;
  const cell = { workspaceId: network.workspaceId, phase: networkCounterPhase(network) };
  await moveUsage(tx, usageCounter(ctx.database, 'network', network), cell, null);
  await networkEvent(ctx, tx, network, { reason: 'NetworkDeleted', message: `Network ${network.name} deleted.` });
  return true;
}
