import type { Executor } from '../db/database.js';
import { toDbTime } from '../db/database.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import type { NetworkRow, NetworkUpdate, NewNetworkRow } from '../db/schema.js';

export async function insertNetwork(tx: Executor, row: NewNetworkRow): Promise<NetworkRow> {
  return tx.insertInto('networks').values(row).returningAll().executeTakeFirstOrThrow();
}

const networkByName = preparedStatement<{ name: string; projectId: string }, NetworkRow>((db) =>
  db.selectFrom('networks').selectAll().where('name', '=', param('name')).where('project_id', '=', param('projectId')),
);

export async function findNetwork(tx: Executor, projectId: string, name: string): Promise<NetworkRow | undefined> {
  const [row] = await networkByName(tx, { name, projectId });
  return row;
}

export async function findNetworkByDisplayName(
  tx: Executor,
  projectId: string,
  workspaceId: string,
  displayName: string,
): Promise<NetworkRow | undefined> {
  return tx
    .selectFrom('networks')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('workspace_id', '=', workspaceId)
    .where('display_name', '=', displayName)
    .executeTakeFirst();
}

/** One page of a project's networks in creation order, after the cursor id. */
export async function selectNetworkPage(
  tx: Executor,
  projectId: string,
  workspaceId: string | undefined,
  afterId: number,
): Promise<NetworkRow[]> {
  let query = tx
    .selectFrom('networks')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '>', afterId)
    .orderBy('id');
  if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
  return query.execute();
}

/**
 * The conditional update every transition goes through: it applies only if the
 * row is still at the version the caller read, so two writers can never both move it.
 */
export async function updateNetworkIf(
  tx: Executor,
  id: number,
  version: number,
  changes: NetworkUpdate,
): Promise<NetworkRow | undefined> {
  return (
    tx
      .updateTable('networks')
      // Hands back any engine's lease, as updatePoolIf does.
      .set({ ...changes, version: version + 1, lease_owner: null, lease_expires_at: null })
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst()
  );
}

export async function deleteNetworkIf(tx: Executor, id: number, version: number): Promise<boolean> {
  const result = await tx.deleteFrom('networks').where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function selectDueNetworks(tx: Executor, now: Date, limit: number): Promise<NetworkRow[]> {
  return tx
    .selectFrom('networks')
    .selectAll()
    .where('due_at', '<=', toDbTime(now))
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** A pool (any phase, until gone) that uses the network, if there is one. */
export async function findPoolUsingNetwork(tx: Executor, projectId: string, name: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('pools')
    .select('name')
    .where('project_id', '=', projectId)
    .where('network_name', '=', name)
    .limit(1)
    .executeTakeFirst();
  return row?.name;
}
