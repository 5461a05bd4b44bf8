import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { recordEvent } from '../events/event.recorder.js';
import { canMovePlugin, type PluginPhase } from './plugin.lifecycle.js';
import type { PluginChanges, PluginRecord } from './plugin.record.js';
import { updatePluginIf } from './plugin.store.js';

/** Records what happened to a plug-in as an event of its pool (ListEvents shows plug-ins with their pool). */
async function pluginEvent(
  ctx: AppContext,
  tx: Executor,
  plugin: PluginRecord,
  type: 'Warning',
  reason: string,
  message: string,
): Promise<void> {
  await recordEvent(tx, {
    projectId: plugin.projectId,
    resourceKind: 'pools',
    resourceName: plugin.poolName,
    type,
    reason,
    message,
    at: ctx.clock.now(),
  });
}

/**
 * The one way a plug-in changes (STYLE §5): the move checked against
 * PLUGIN_TRANSITIONS, a conditional update on the version read, and a Warning
 * event of its pool when an install fails — in `tx`. Returns undefined when another
 * writer changed the plug-in first.
 */
export async function movePlugin(
  ctx: AppContext,
  tx: Executor,
  plugin: PluginRecord,
  to: PluginPhase,
  changes: PluginChanges,
): Promise<PluginRecord | undefined> {
  const from = plugin.phase;
  if (!canMovePlugin(from, to)) throw new Error(`Plugin ${plugin.name} cannot move from ${from} to ${to}`);
  const updated = await updatePluginIf(tx, plugin, { ...changes, phase: to });
  if (!updated) return undefined;
  // Only a failure is told in the pool's history: the pool's own events are its story
  // (ListEvents, config-events-flavors §4), and a routine install would crowd it.
  if (from !== to && to === 'Abnormal') {
    const why = updated.reason ? `, reason: ${updated.reason}` : '';
    await pluginEvent(
      ctx,
      tx,
      plugin,
      'Warning',
      'PluginStatusChange',
      `Plugin ${plugin.name} status changed, from ${from} to ${to}${why}.`,
    );
  }
  return updated;
}
