import type { AppContext } from '../context.js';
import type { Database, Executor } from '../db/database.js';
import { after } from '../db/database.js';
import { claimDue } from '../db/claims.js';
import { takeFault } from '../faults/fault.service.js';
import { findPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import { POOL_PHASES_WITH_NODES, POOL_PHASES_WITHOUT_FUTURE } from './plugin.lifecycle.js';
import { movePlugin } from './plugin.move.js';
import type { PluginRecord } from './plugin.record.js';
import { toPluginRecord } from './plugin.store.js';

/** How often a plug-in waiting for its pool's nodes looks again, at least (a 0 s install must not spin). */
const MIN_WAIT_SECONDS = 1;

/** When a plug-in whose pool has no nodes yet looks again. */
export const nextLook = (ctx: AppContext, from: Date): Date =>
  after(from, Math.max(MIN_WAIT_SECONDS, ctx.config.pluginInstallSeconds));

/** An emulator fault of operation `plugin` that matches the pool (docs/emulator.md, "Faults"). */
async function installFault(tx: Executor, pool: PoolRecord): Promise<string | undefined> {
  const fault = await takeFault(tx, 'plugin', {
    projectId: pool.projectId,
    name: pool.name,
    displayName: pool.displayName,
    flavors: pool.spec.resources.map((r) => r.flavor),
  });
  return fault?.reason;
}

/**
 * One engine step for a Pending plug-in whose due time has come: installed once
 * its pool has nodes (or Abnormal under a fault), looked at again later while the
 * pool is still on its way, left Pending for good when the pool will never have
 * nodes. Returns false when another writer moved the row first.
 */
export async function advancePlugin(ctx: AppContext, tx: Executor, plugin: PluginRecord): Promise<boolean> {
  const pool = await findPool(tx, plugin.projectId, plugin.poolName);
  // A pool that is gone took its plug-ins with it (ON DELETE CASCADE): nothing left to do.
  if (!pool) return false;
  const stay = (dueAt: Date | null) => movePlugin(ctx, tx, plugin, plugin.phase, { dueAt });
  if (plugin.phase !== 'Pending' || POOL_PHASES_WITHOUT_FUTURE.has(pool.phase)) {
    return (await stay(null)) !== undefined;
  }
  if (!POOL_PHASES_WITH_NODES.has(pool.phase)) return (await stay(nextLook(ctx, ctx.clock.now()))) !== undefined;
  const fault = await installFault(tx, pool);
  const moved = fault
    ? await movePlugin(ctx, tx, plugin, 'Abnormal', { reason: fault, dueAt: null })
    : await movePlugin(ctx, tx, plugin, 'Running', {
        installedVersion: plugin.templateVersion,
        reason: null,
        dueAt: null,
      });
  return moved !== undefined;
}

/** Claims up to `limit` due plug-ins for the engine `owner` (db/claims.ts). */
export async function claimDuePlugins(
  database: Database,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<PluginRecord[]> {
  return (await claimDue(database, 'pool_plugins', owner, now, leaseMs, limit, onTakeover)).map(toPluginRecord);
}

export { selectDuePlugins } from './plugin.store.js';
