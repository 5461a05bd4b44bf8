import type { Executor } from '../db/database.js';
import { SCOPE_PLUGINS, type PluginPhase } from './plugin.lifecycle.js';
import { selectPluginPhases } from './plugin.store.js';

/**
 * What other rooms may read of plug-ins (STYLE §1): a pool's answer shows the phases of its scope
 * plug-ins (plugins-scheduled-events-misc §1.2).
 */

export interface ScopePlugin {
  name: string;
  phase: PluginPhase;
}

/** The scope plug-ins of each of these pools, in installation order; a pool without any is absent. */
export async function scopePlugins(tx: Executor, poolIds: readonly number[]): Promise<Map<number, ScopePlugin[]>> {
  const byPool = new Map<number, ScopePlugin[]>();
  if (poolIds.length === 0) return byPool;
  for (const { poolId, name, phase } of await selectPluginPhases(tx, poolIds, SCOPE_PLUGINS)) {
    byPool.set(poolId, [...(byPool.get(poolId) ?? []), { name, phase }]);
  }
  return byPool;
}

/**
 * The scope plug-ins among these, installed in the caller's transaction (in
 * installation order), as scopePlugins would answer for their pool: a new pool's
 * answer needs no read of what its own transaction wrote.
 */
export function scopePluginsOf(installed: readonly ScopePlugin[]): ScopePlugin[] | undefined {
  const scope = installed.filter((p) => SCOPE_PLUGINS.includes(p.name)).map(({ name, phase }) => ({ name, phase }));
  return scope.length > 0 ? scope : undefined;
}
