import type { AppContext } from '../context.js';
import { isForeignKeyViolation, WriteConflict, type Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import { findPool, listProjectPools } from '../pools/pool.reads.js';
import { annotatePoolTags } from '../pools/pool.move.js';
import type { PoolRecord } from '../pools/pool.record.js';
import { lockedProject, requireProject } from '../projects/project.service.js';
import { checkKey, checkLimit, checkNoClash } from './tag.rules.js';
import type {
  CreatePoolTagsBody,
  DeletePoolTagsBody,
  ListPoolsByTagsBody,
  ListPoolsByTagsQuery,
  ListPoolTagsQuery,
  PoolsByTags,
  PoolTags,
  ProjectTags,
  UpdatePoolTagsBody,
} from './tag.schema.js';
import {
  deleteAllPoolTags,
  deletePoolTag,
  selectPoolTags,
  selectProjectPoolTags,
  selectProjectTags,
  upsertPoolTags,
  type TagRecord,
} from './tag.store.js';

/**
 * The tags of pools (config-events-flavors §6): one value per key, at most 20
 * per pool, kept in the database and gone with the pool. Re-creating a tag the
 * pool has changes nothing; deleting one it lacks is no error.
 * The pool shows them in its annotation `os.modelarts/tms.tags` (written in the same transaction).
 * They are not its nodes' tags: a node's tags are its node pool's (`spec.resources[].tags`, given to
 * each new node) and those batch-update adds or removes (plugins-scheduled-events-misc §6).
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
    const after = await selectPoolTags(tx, pool.id);
    if (!(await annotatePoolTags(ctx, tx, pool, after))) throw new WriteConflict(poolName);
    return after;
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

/**
 * The project's pools (failed creations aside) that carry every tag of the body — tags ANDed, the
 * values of one tag ORed — and whose display name contains the `resource_name` match, in creation
 * order; `total_count` is before `offset` and `limit`.
 */
export async function listPoolsByTags(
  ctx: AppContext,
  projectId: string,
  body: ListPoolsByTagsBody,
  query: ListPoolsByTagsQuery,
): Promise<PoolsByTags> {
  await requireProject(ctx, projectId);
  (body.tags ?? []).forEach((tag, i) => checkKey(tag.key, `tags[${i}]`));
  const db = ctx.database.db;
  const [pools, tags] = await Promise.all([
    listProjectPools(db, projectId, ['CreationFailed']),
    selectProjectPoolTags(db, projectId),
  ]);
  const byPool = new Map<number, TagRecord[]>();
  for (const { poolId, key, value } of tags) byPool.set(poolId, [...(byPool.get(poolId) ?? []), { key, value }]);
  const carries = (own: readonly TagRecord[], wanted: { key: string; values: string[] }) =>
    own.some((t) => t.key === wanted.key && (wanted.values.length === 0 || wanted.values.includes(t.value)));
  const matching = pools.filter((pool) => {
    const own = byPool.get(pool.id) ?? [];
    return (
      (body.tags ?? []).every((wanted) => carries(own, wanted)) &&
      (body.matches ?? []).every((m) => pool.displayName.includes(m.value))
    );
  });
  return {
    total_count: matching.length,
    resources: matching.slice(query.offset, query.offset + query.limit).map((pool) => ({
      resource_id: pool.name,
      resource_name: pool.displayName,
      tags: byPool.get(pool.id) ?? [],
    })),
  };
}
