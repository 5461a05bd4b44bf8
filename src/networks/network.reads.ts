import type { Database, Executor } from '../db/database.js';
import type { DueWork } from '../db/resource-store.js';
import { NETWORK_USABLE_PHASE, type NetworkPhase } from './network.lifecycle.js';
import type { NetworkRecord } from './network.record.js';
import {
  findNetwork,
  findNetworkById,
  findNetworkLocked,
  selectLiveNetworks,
  selectNetworkDueWork,
} from './network.store.js';

/**
 * What other rooms may read of networks (STYLE §1): they ask here, never the
 * store or the table. Everything returns records or plain values.
 */

export { findNetwork, findNetworkByDisplayName } from './network.store.js';

/** Whether the project has a network of this name now. */
export async function networkExists(tx: Executor, projectId: string, name: string): Promise<boolean> {
  return (await findNetwork(tx, projectId, name)) !== undefined;
}

/** What a pool needs to know of the network it names. */
export interface NetworkForPool {
  name: string;
  phase: NetworkPhase;
  deleting: boolean;
  /** Whether a pool may be attached to it now. */
  usable: boolean;
  /** The address range the pool's nodes take their private IPs from. */
  cidr: string;
}

/**
 * The network a pool names. With `holdFor`, the read holds a shared lock on the
 * network's row to the commit (PostgreSQL): the network's deletion, which locks
 * the row before it looks for pools using it, waits for the pool's transaction
 * and then sees the pool — or, deleting first, is seen by the pool's read.
 */
export async function findNetworkForPool(
  tx: Executor,
  projectId: string,
  name: string,
  holdFor?: Database,
): Promise<NetworkForPool | undefined> {
  const network = holdFor
    ? await findNetworkLocked(holdFor, tx, projectId, name, 'share')
    : await findNetwork(tx, projectId, name);
  if (!network) return undefined;
  const deleting = network.deletingAt !== null;
  return {
    name: network.name,
    phase: network.phase,
    deleting,
    usable: network.phase === NETWORK_USABLE_PHASE && !deleting,
    cidr: network.spec.cidr,
  };
}

/** The engine's network backlog at `now` (the metrics). */
export async function networkDueWork(tx: Executor, now: Date): Promise<DueWork> {
  return selectNetworkDueWork(tx, now);
}

/** The phase a network is in now, or undefined once it is gone. */
export async function networkPhase(tx: Executor, id: number): Promise<NetworkPhase | undefined> {
  return (await findNetworkById(tx, id))?.phase;
}

/** A project's networks not being deleted, in creation order (the seed export). */
export async function listLiveNetworks(tx: Executor, projectId: string): Promise<NetworkRecord[]> {
  return selectLiveNetworks(tx, projectId);
}
