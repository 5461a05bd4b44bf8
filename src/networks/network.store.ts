import type { Database, Executor } from '../db/database.js';
import { fromDbTime, toDbTime } from '../db/database.js';
import { param, preparedStatement } from '../db/prepared-read.js';
import {
  afterUpdate,
  deleteIfVersion,
  dueWork,
  findByName,
  insertReturningId,
  selectDue,
  selectPageAfter,
  toDbTimeOrNull,
  updateIfVersion,
} from '../db/resource-store.js';
import type { NetworkRow, NetworkUpdate } from '../db/schema.js';
import type { NetworkPhase } from './network.lifecycle.js';
import type { NetworkChanges, NetworkRecord, NewNetwork } from './network.record.js';

/** The one place a network row becomes a record (STYLE §4). */
export function toNetworkRecord(row: NetworkRow): NetworkRecord {
  return {
    id: Number(row.id),
    name: row.name,
    projectId: row.project_id,
    displayName: row.display_name,
    workspaceId: row.workspace_id,
    phase: row.phase as NetworkPhase,
    failed: Boolean(row.failed),
    labels: JSON.parse(row.labels) as NetworkRecord['labels'],
    annotations: JSON.parse(row.annotations) as NetworkRecord['annotations'],
    spec: JSON.parse(row.spec) as NetworkRecord['spec'],
    connectionStatus: JSON.parse(row.connection_status) as NetworkRecord['connectionStatus'],
    createdAt: fromDbTime(row.created_at),
    deletingAt: fromDbTime(row.deleting_at),
    dueAt: fromDbTime(row.due_at),
    version: Number(row.version),
  };
}

/** …and the one place a change becomes columns: only the fields given are written. */
function toNetworkUpdate(changes: NetworkChanges): NetworkUpdate {
  const update: NetworkUpdate = {};
  if (changes.workspaceId !== undefined) update.workspace_id = changes.workspaceId;
  if (changes.phase !== undefined) update.phase = changes.phase;
  if (changes.failed !== undefined) update.failed = changes.failed ? 1 : 0;
  if (changes.labels !== undefined) update.labels = JSON.stringify(changes.labels);
  if (changes.annotations !== undefined) update.annotations = JSON.stringify(changes.annotations);
  if (changes.spec !== undefined) update.spec = JSON.stringify(changes.spec);
  if (changes.connectionStatus !== undefined) update.connection_status = JSON.stringify(changes.connectionStatus);
  if (changes.deletingAt !== undefined) update.deleting_at = toDbTimeOrNull(changes.deletingAt);
  if (changes.dueAt !== undefined) update.due_at = toDbTimeOrNull(changes.dueAt);
  return update;
}

const networkInsert = insertReturningId('networks');

/** Inserts a new network at version 0 and returns it as stored. */
export async function insertNetwork(tx: Executor, network: NewNetwork): Promise<NetworkRecord> {
  const id = await networkInsert(tx, {
    name: network.name,
    project_id: network.projectId,
    display_name: network.displayName,
    workspace_id: network.workspaceId,
    phase: network.phase,
    failed: network.failed ? 1 : 0,
    labels: JSON.stringify(network.labels),
    annotations: JSON.stringify(network.annotations),
    spec: JSON.stringify(network.spec),
    connection_status: JSON.stringify(network.connectionStatus),
    created_at: toDbTime(network.createdAt),
    deleting_at: toDbTimeOrNull(network.deletingAt),
    due_at: toDbTimeOrNull(network.dueAt),
    version: 0,
  });
  return { ...network, id, version: 0 };
}

const networkByName = findByName('networks');

export async function findNetwork(tx: Executor, projectId: string, name: string): Promise<NetworkRecord | undefined> {
  const row = await networkByName(tx, projectId, name);
  return row && toNetworkRecord(row);
}

/**
 * The network, read with a lock on its row held to the commit (Database.forShare,
 * Database.forUpdate): `share` for a pool being attached to it, `update` for the
 * network's deletion, so the two take turns on PostgreSQL.
 */
export async function findNetworkLocked(
  database: Database,
  tx: Executor,
  projectId: string,
  name: string,
  mode: 'share' | 'update',
): Promise<NetworkRecord | undefined> {
  let statements = lockedByName.get(database);
  if (!statements) lockedByName.set(database, (statements = new Map()));
  let locked = statements.get(mode);
  if (!locked) {
    locked = preparedStatement<{ name: string; projectId: string }, NetworkRow>((db) => {
      const query = db
        .selectFrom('networks')
        .selectAll()
        .where('name', '=', param('name'))
        .where('project_id', '=', param('projectId'));
      return mode === 'share' ? database.forShare(query) : database.forUpdate(query);
    });
    statements.set(mode, locked);
  }
  const [row] = await locked(tx, { name, projectId });
  return row && toNetworkRecord(row);
}

// Per database and mode: the lock clause is its dialect's (none on SQLite).
const lockedByName = new WeakMap<
  Database,
  Map<'share' | 'update', (tx: Executor, values: { name: string; projectId: string }) => Promise<NetworkRow[]>>
>();

export async function findNetworkByDisplayName(
  tx: Executor,
  projectId: string,
  workspaceId: string,
  displayName: string,
): Promise<NetworkRecord | undefined> {
  const row = await tx
    .selectFrom('networks')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('workspace_id', '=', workspaceId)
    .where('display_name', '=', displayName)
    .executeTakeFirst();
  return row && toNetworkRecord(row);
}

const networkPage = selectPageAfter('networks');

/** A project's networks (of one workspace, if given) in creation order, after the cursor id. */
export async function selectNetworkPage(
  tx: Executor,
  projectId: string,
  workspaceId: string | undefined,
  afterId: number,
): Promise<NetworkRecord[]> {
  return (await networkPage(tx, projectId, afterId, workspaceId)).map(toNetworkRecord);
}

/** A project's networks not being deleted, in creation order (the seed export). */
export async function selectLiveNetworks(tx: Executor, projectId: string): Promise<NetworkRecord[]> {
  const rows = await tx
    .selectFrom('networks')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('deleting_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toNetworkRecord);
}

const networkUpdate = updateIfVersion('networks');

/**
 * Applies `changes` if the network is still at the version the caller read, and
 * returns it as it now stands; undefined when another writer came first.
 */
export async function updateNetworkIf(
  tx: Executor,
  network: NetworkRecord,
  changes: NetworkChanges,
): Promise<NetworkRecord | undefined> {
  if (!(await networkUpdate(tx, network.id, network.version, toNetworkUpdate(changes)))) return undefined;
  return afterUpdate<NetworkRecord>(network, changes);
}

const networkDelete = deleteIfVersion('networks');

export async function deleteNetworkIf(tx: Executor, network: NetworkRecord): Promise<boolean> {
  return networkDelete(tx, network.id, network.version);
}

const dueNetworks = selectDue('networks');

export async function selectDueNetworks(tx: Executor, now: Date, limit: number): Promise<NetworkRecord[]> {
  return (await dueNetworks(tx, now, limit)).map(toNetworkRecord);
}

export const selectNetworkDueWork = dueWork('networks');

/** Makes the pending steps of the matching networks due at `now` and returns them (the emulator's advance). */
export async function makeNetworksDue(
  tx: Executor,
  now: Date,
  filter: { projectId?: string; name?: string },
): Promise<NetworkRecord[]> {
  let query = tx
    .updateTable('networks')
    .set({ due_at: toDbTime(now) })
    .where('due_at', 'is not', null);
  if (filter.projectId) query = query.where('project_id', '=', filter.projectId);
  const { name } = filter;
  if (name) query = query.where((eb) => eb.or([eb('name', '=', name), eb('display_name', '=', name)]));
  return (await query.returningAll().execute()).map(toNetworkRecord);
}

export async function findNetworkById(tx: Executor, id: number): Promise<NetworkRecord | undefined> {
  const row = await tx.selectFrom('networks').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toNetworkRecord(row);
}
