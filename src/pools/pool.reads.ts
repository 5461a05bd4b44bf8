import type { Database, Executor } from '../db/database.js';
import type { DueWork } from '../db/resource-store.js';
import type { MaybeSync } from '../shared/maybe-sync.js';
import { FAILED_WINDOW_MS } from './pool.lifecycle.js';
import type { PoolRecord } from './pool.record.js';
import {
  countRecentFailures,
  findPool,
  findPoolById,
  findPoolUsingNetwork,
  lockPoolById,
  selectPoolDueWork,
  selectProjectsOfPools,
  selectProjectPools,
} from './pool.store.js';

/**
 * What other rooms may read of pools (STYLE §1): they ask here, never the store
 * or the table. Everything returns records or plain values.
 */

/** Whether any pool of the installation waits for capacity (the engine's safety net asks before it locks). */
export { anyWaitingPool } from './pool.store.js';

/** A pool of the project by metadata.name or by display name (the seed loader's idempotence). */
export { findPool, findPoolByDisplayName } from './pool.store.js';

/** A pool's row locked for the rest of the transaction (its workloads are placed under it). */
export { lockPoolById } from './pool.store.js';

/** Whether the project has a pool of this name now. */
export async function poolExists(tx: Executor, projectId: string, name: string): Promise<boolean> {
  return (await findPool(tx, projectId, name)) !== undefined;
}

/** A pool of the project (any phase, until gone) that uses the network: what keeps a network from deletion. */
export async function poolUsingNetwork(
  tx: Executor,
  projectId: string,
  networkName: string,
): Promise<string | undefined> {
  return findPoolUsingNetwork(tx, projectId, networkName);
}

/** The `failed` statistics bucket: creation failures within the window, up to the cap (decision 5). */
export function countFailedPools(
  database: Database,
  projectId: string,
  workspaceId: string,
  now: Date,
): MaybeSync<number> {
  return countRecentFailures(database, projectId, workspaceId, now.getTime() - FAILED_WINDOW_MS);
}

/** The engine's pool backlog at `now` (the metrics). */
export async function poolDueWork(tx: Executor, now: Date): Promise<DueWork> {
  return selectPoolDueWork(tx, now);
}

/** The phase a pool is in now, or undefined once it is gone. */
export async function poolPhase(tx: Executor, id: number): Promise<PoolRecord['phase'] | undefined> {
  return (await findPoolById(tx, id))?.phase;
}

/** A project's pools in creation order, but for those in the phases given (the seed export). */
export async function listProjectPools(
  tx: Executor,
  projectId: string,
  except: readonly PoolRecord['phase'][] = [],
): Promise<PoolRecord[]> {
  return selectProjectPools(tx, projectId, except);
}

/** The project of each of these pools (those that still exist), for locking before a change. */
export async function projectsOfPools(tx: Executor, ids: readonly number[]): Promise<string[]> {
  return [...new Set(await selectProjectsOfPools(tx, ids))].sort();
}

/**
 * A pool of the project, its row locked for the rest of the transaction: what a
 * change of its nodes takes after the project lock (lock order project → pool → nodes).
 */
export async function lockPool(
  database: Database,
  tx: Executor,
  projectId: string,
  name: string,
): Promise<PoolRecord | undefined> {
  const pool = await findPool(tx, projectId, name);
  return pool && lockPoolById(database, tx, pool.id);
}
