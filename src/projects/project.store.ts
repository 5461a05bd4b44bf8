import type { Executor } from '../db/database.js';
import { toDbTime } from '../db/database.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import type { ProjectRow } from '../db/schema.js';

const projectById = preparedStatement<{ id: string }, ProjectRow>((db) =>
  db.selectFrom('projects').selectAll().where('id', '=', param('id')),
);

export async function findProject(tx: Executor, id: string): Promise<ProjectRow | undefined> {
  const [row] = await projectById(tx, { id });
  return row;
}

/** Creates the project unless it exists; returns whether it was created. */
export async function insertProjectIfMissing(
  tx: Executor,
  id: string,
  name: string,
  at: Date,
  accountId: string | null = null,
): Promise<boolean> {
  const result = await tx
    .insertInto('projects')
    .values({ id, name, account_id: accountId, pool_quota: null, network_quota: null, created_at: toDbTime(at) })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Gives the project to an account (a project made before accounts existed has none). */
export async function setProjectAccount(tx: Executor, id: string, accountId: string): Promise<void> {
  await tx.updateTable('projects').set({ account_id: accountId }).where('id', '=', id).execute();
}

export async function listProjects(tx: Executor): Promise<ProjectRow[]> {
  return tx.selectFrom('projects').selectAll().orderBy('id').execute();
}

export async function updateProjectQuotas(
  tx: Executor,
  id: string,
  quotas: { pool?: number | null; network?: number | null },
): Promise<boolean> {
  const values: { pool_quota?: number | null; network_quota?: number | null } = {};
  if (quotas.pool !== undefined) values.pool_quota = quotas.pool;
  if (quotas.network !== undefined) values.network_quota = quotas.network;
  if (Object.keys(values).length === 0) return (await findProject(tx, id)) !== undefined;
  const result = await tx.updateTable('projects').set(values).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
