import type { Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { listValues, param, paramList, preparedByShape } from '../db/prepared-read.js';
import { afterUpdate, insertReturningId, selectDue, toDbTimeOrNull, updateIfVersion } from '../db/resource-store.js';
import type { PoolPluginRow, PoolPluginUpdate } from '../db/schema.js';
import type { PluginPhase } from './plugin.lifecycle.js';
import type { NewPlugin, PluginChanges, PluginRecord } from './plugin.record.js';

/** The one place a plug-in row becomes a record (STYLE §4). */
export function toPluginRecord(row: PoolPluginRow): PluginRecord {
  return {
    id: Number(row.id),
    projectId: row.project_id,
    poolId: Number(row.pool_id),
    poolName: row.pool_name,
    name: row.name,
    templateVersion: row.template_version,
    inputs: JSON.parse(row.inputs) as PluginRecord['inputs'],
    phase: row.phase as PluginPhase,
    reason: row.reason,
    installedVersion: row.installed_version,
    createdAt: fromDbTime(row.created_at),
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

function toPluginUpdate(changes: PluginChanges): PoolPluginUpdate {
  const update: PoolPluginUpdate = {};
  if (changes.phase !== undefined) update.phase = changes.phase;
  if (changes.reason !== undefined) update.reason = changes.reason;
  if (changes.installedVersion !== undefined) update.installed_version = changes.installedVersion;
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

const pluginInsert = insertReturningId('pool_plugins');

/** Inserts a plug-in at version 0; a second one of the same name on the pool is a unique violation. */
export async function insertPlugin(tx: Executor, plugin: NewPlugin): Promise<PluginRecord> {
  const id = await pluginInsert(tx, {
    project_id: plugin.projectId,
    pool_id: plugin.poolId,
    pool_name: plugin.poolName,
    name: plugin.name,
    template_version: plugin.templateVersion,
    inputs: JSON.stringify(plugin.inputs),
    phase: plugin.phase,
    reason: plugin.reason,
    installed_version: plugin.installedVersion,
    created_at: toDbTime(plugin.createdAt),
    due_at: toDbTimeOrNull(plugin.dueAt),
    version: 0,
  });
  return { ...plugin, id, version: 0 };
}

/** The plug-ins of a pool, in installation order. */
export async function selectPoolPlugins(tx: Executor, poolId: number): Promise<PluginRecord[]> {
  const rows = await tx.selectFrom('pool_plugins').selectAll().where('pool_id', '=', poolId).orderBy('id').execute();
  return rows.map(toPluginRecord);
}

/** Name and phase of the plug-ins of these names on these pools, by pool then installation order. */
// The plug-ins of one pool (a pool's answer): one statement per number of names.
const onePoolPluginPhases = preparedByShape<number, Pick<PoolPluginRow, 'pool_id' | 'name' | 'phase'>>((db, names) =>
  db
    .selectFrom('pool_plugins')
    .select(['pool_id', 'name', 'phase'])
    .where('pool_id', 'in', [param<number>('poolId')])
    .where('name', 'in', paramList('name', names))
    .orderBy('pool_id')
    .orderBy('id'),
);

export async function selectPluginPhases(
  tx: Executor,
  poolIds: readonly number[],
  names: readonly string[],
): Promise<Array<{ poolId: number; name: string; phase: PluginPhase }>> {
  // A list's page asks for any number of pools: built each time, not kept.
  const rows =
    poolIds.length === 1
      ? await onePoolPluginPhases(tx, `${names.length}`, names.length, {
          poolId: poolIds[0],
          ...listValues('name', names),
        })
      : await tx
          .selectFrom('pool_plugins')
          .select(['pool_id', 'name', 'phase'])
          .where('pool_id', 'in', poolIds)
          .where('name', 'in', names)
          .orderBy('pool_id')
          .orderBy('id')
          .execute();
  return rows.map((r) => ({ poolId: Number(r.pool_id), name: r.name, phase: r.phase as PluginPhase }));
}

const pluginUpdate = updateIfVersion('pool_plugins');

/** Applies `changes` if the plug-in is still at the version read; undefined when another writer came first. */
export async function updatePluginIf(
  tx: Executor,
  plugin: PluginRecord,
  changes: PluginChanges,
): Promise<PluginRecord | undefined> {
  if (!(await pluginUpdate(tx, plugin.id, plugin.version, toPluginUpdate(changes)))) return undefined;
  return afterUpdate<PluginRecord>(plugin, changes);
}

const duePlugins = selectDue('pool_plugins');

export async function selectDuePlugins(tx: Executor, now: Date, limit: number): Promise<PluginRecord[]> {
  return (await duePlugins(tx, now, limit)).map(toPluginRecord);
}
