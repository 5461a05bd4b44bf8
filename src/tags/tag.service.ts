import type { AppContext } from '../context.js';
import { isForeignKeyViolation, type Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import { findPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { checkKey, checkLimit, checkNoClash } from './tag.rules.js';
import type {
  CreatePoolTagsBody,
  DeletePoolTagsBody,
  ListPoolTagsQuery,
  PoolTags,
  ProjectTags,
  UpdatePoolTagsBody,
} from './tag.schema.js';
import {
  deleteAllPoolTags,
  deletePoolTag,
  selectPoolTags,
  selectProjectTags,
  upsertPoolTags,
  type TagRecord,
} from './tag.store.js';

/**
 * The tags of pools (config-events-flavors §6): one value per key, at most 20
 * per pool, kept in the database and gone with the pool. Re-creating a tag the
 * pool has changes nothing; deleting one it lacks is no error.
 * Tags do not yet reach the pool's nodes (`os.modelarts/tms.tags`): that waits for nodes.
 */

const toPoolTags = (tags: readonly TagRecord[]): PoolTags => ({
  tags: tags.map((t) => ({ key: t.key, value: t.value, values: [t.value] })),
});

async function requirePool(tx: Executor, projectId: string, name: string): Promise<PoolRecord> {
  const pool = await findPool(tx, projectId, name);
  if (!pool) throw new AtelierError('poolNotFound', { name });
  return pool;
}

export async function showPoolTags(ctx: AppContext, projectId: string, poolName: string): Promise<PoolTags> {
  await requireProject(ctx, projectId);
  const pool = await requirePool(ctx.database.db, projectId, poolName);
  return toPoolTags(await selectPoolTags(ctx.database.db, pool.id));
}

/** Every key of the project's pools with its distinct values, a page of keys by `offset` and `limit`. */
export async function listPoolTags(ctx: AppContext, projectId: string, query: ListPoolTagsQuery): Promise<ProjectTags> {
  await requireProject(ctx, projectId);
  const byKey = new Map<string, string[]>();
  for (const { key, value } of await selectProjectTags(ctx.database.db, projectId)) {
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  const keys = [...byKey].slice(query.offset, query.offset + query.limit);
  return { tags: keys.map(([key, values]) => ({ key, values })) };
}

/**
 * A change of one pool's tags under the project's lock, so two requests cannot
 * both stay under the limit and together exceed it. `change` gets the tags the
 * pool has and writes; the answer is the tags it has after.
 */
async function changeTags(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  change: (tx: Executor, pool: PoolRecord, current: readonly TagRecord[]) => Promise<void>,
): Promise<PoolTags> {
  const tags = await ctx.database.transaction(async (tx) => {
    await lockedProject(ctx, tx, projectId);
    const pool = await requirePool(tx, projectId, poolName);
    await change(tx, pool, await selectPoolTags(tx, pool.id)).catch((error: unknown) => {
      if (isForeignKeyViolation(error)) throw new AtelierError('poolNotFound', { name: poolName });
      throw error;
    });
    return selectPoolTags(tx, pool.id);
  });
  return toPoolTags(tags);
}

/** Adds tags and overwrites values, within the per-pool limit. */
async function addTags(tx: Executor, pool: PoolRecord, current: readonly TagRecord[], tags: readonly TagRecord[]) {
  const keys = new Set([...current.map((t) => t.key), ...tags.map((t) => t.key)]);
  checkLimit(keys.size, pool.name);
  const changed = tags.filter((t) => !current.some((c) => c.key === t.key && c.value === t.value));
  await upsertPoolTags(tx, pool, [...new Map(changed.map((t) => [t.key, t])).values()]);
}

export async function batchCreatePoolTags(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: CreatePoolTagsBody,
): Promise<PoolTags> {
  checkNoClash(body.tags, 'tags');
  return changeTags(ctx, projectId, poolName, (tx, pool, current) => addTags(tx, pool, current, body.tags));
}

export async function batchDeletePoolTags(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: DeletePoolTagsBody,
): Promise<PoolTags> {
  body.tags.forEach((tag, i) => checkKey(tag.key, `tags[${i}]`));
  return changeTags(ctx, projectId, poolName, async (tx, pool) => {
    for (const tag of body.tags) await deletePoolTag(tx, pool.id, tag.key, tag.value);
  });
}

/** The OTC route: `create` as batchCreatePoolTags, `delete` by key and value, `reset` replaces the set. */
export async function updatePoolTags(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: UpdatePoolTagsBody,
): Promise<PoolTags> {
  if (body.tags.length === 0 && body.action !== 'reset')
    throw badRequest(`tags: ${body.action} needs at least one tag`);
  checkNoClash(body.tags, 'tags');
  return changeTags(ctx, projectId, poolName, async (tx, pool, current) => {
    if (body.action === 'create') return addTags(tx, pool, current, body.tags);
    if (body.action === 'delete') {
      for (const tag of body.tags) await deletePoolTag(tx, pool.id, tag.key, tag.value);
      return;
    }
    await deleteAllPoolTags(tx, pool.id);
    await addTags(tx, pool, [], body.tags);
  });
}
