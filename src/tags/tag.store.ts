import type { Executor } from '../db/database.js';

/** A tag as stored: one value per key and pool. */
export interface TagRecord {
  key: string;
  value: string;
}

export async function selectPoolTags(tx: Executor, poolId: number): Promise<TagRecord[]> {
  return tx.selectFrom('pool_tags').select(['key', 'value']).where('pool_id', '=', poolId).orderBy('key').execute();
}

/** Adds the tags, overwriting the value of keys the pool has. */
export async function upsertPoolTags(
  tx: Executor,
  pool: { id: number; projectId: string },
  tags: readonly TagRecord[],
): Promise<void> {
  if (tags.length === 0) return;
  await tx
    .insertInto('pool_tags')
    .values(tags.map((t) => ({ pool_id: pool.id, project_id: pool.projectId, key: t.key, value: t.value })))
    .onConflict((oc) => oc.columns(['pool_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

/** Removes the key, or only the tag of that key and value. */
export async function deletePoolTag(tx: Executor, poolId: number, key: string, value?: string): Promise<void> {
  let query = tx.deleteFrom('pool_tags').where('pool_id', '=', poolId).where('key', '=', key);
  if (value !== undefined) query = query.where('value', '=', value);
  await query.execute();
}

export async function deleteAllPoolTags(tx: Executor, poolId: number): Promise<void> {
  await tx.deleteFrom('pool_tags').where('pool_id', '=', poolId).execute();
}

/** Every (key, value) the project's pools use, once each, by key then value. */
export async function selectProjectTags(tx: Executor, projectId: string): Promise<TagRecord[]> {
  return tx
    .selectFrom('pool_tags')
    .select(['key', 'value'])
    .distinct()
    .where('project_id', '=', projectId)
    .orderBy('key')
    .orderBy('value')
    .execute();
}

/** Every tag of the project's pools, with the pool it is on, by pool then key (ListPoolsByTags). */
export async function selectProjectPoolTags(
  tx: Executor,
  projectId: string,
): Promise<Array<TagRecord & { poolId: number }>> {
  const rows = await tx
    .selectFrom('pool_tags')
    .select(['pool_id', 'key', 'value'])
    .where('project_id', '=', projectId)
    .orderBy('pool_id')
    .orderBy('key')
    .execute();
  return rows.map((r) => ({ poolId: Number(r.pool_id), key: r.key, value: r.value }));
}
