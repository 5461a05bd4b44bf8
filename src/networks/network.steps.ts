import type { AppContext } from '../context.js';
import type { Database, Executor } from '../db/database.js';
import { claimDue } from '../db/claims.js';
import { settledConnectionStatus } from './network.connections.js';
import { NETWORK_SETTLES_TO } from './network.lifecycle.js';
import { moveNetwork, removeNetwork } from './network.move.js';
import type { NetworkRecord } from './network.record.js';
import { toNetworkRecord } from './network.store.js';

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
