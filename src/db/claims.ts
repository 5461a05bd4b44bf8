import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database, Executor } from './database.js';
import { toDbTime } from './database.js';
import { param, preparedStatement } from './prepared-read.js';
import { sql, type QueryCreator, type Selectable } from 'kysely';
import type { VersionedTable } from './resource-store.js';
import type { DB } from './schema.js';

/**
 * Leases on lifecycle work (STYLE §5, [PB]): every engine replica claims the rows
 * whose step is due by writing its owner id and an expiry into them, works on
 * them while a heartbeat pushes the expiry forward, and clears the lease when the
 * step is done. A row whose lease has expired — its replica died or hung — is
 * claimed again by whichever replica looks next. The steps themselves are
 * conditional updates on the row's version, so a step that does run twice (a
 * replica that stalled past its lease) changes nothing the second time; the lease
 * is what keeps replicas from doing the same work at the same time.
 */
export type ClaimedTable = VersionedTable | 'nodes' | 'workloads';
type RowOf<T extends ClaimedTable> = Selectable<DB[T]>;
/** Every table whose rows the engine claims. */
const CLAIMED_TABLES = [
  'pools',
  'networks',
  'pool_plugins',
  'nodes',
  'jobs',
  'workloads',
  'scheduled_events',
] as const satisfies readonly ClaimedTable[];

/** A name for this engine that no other replica, past or present, uses. */
export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Claims up to `limit` rows of `table` whose step is due at `now` and that nobody
 * holds, earliest due first, and returns them, in one statement (PostgreSQL) or
 * one short transaction (SQLite): PostgreSQL picks the rows with FOR UPDATE SKIP
 * LOCKED, so concurrent replicas take disjoint rows without waiting on each
 * other; SQLite has a single writer.
 * `onTakeover` hears how many of them had an expired lease of another replica.
 */
export async function claimDue<T extends ClaimedTable>(
  database: Database,
  table: T,
  owner: string,
  now: Date,
  leaseMs: number,
  limit: number,
  onTakeover?: (count: number) => void,
): Promise<Array<RowOf<T>>> {
  const at = toDbTime(now);
  const until = toDbTime(new Date(now.getTime() + leaseMs));
  // The tables share every column used here; Kysely cannot see that through a union.
  const t = table as 'pools';
  const due = (db: QueryCreator<DB>) =>
    database.forClaim(
      db
        .selectFrom(t)
        .select(['id', 'lease_owner as previous_owner'])
        .where('due_at', '<=', at)
        .where((w) => w.or([w('lease_expires_at', 'is', null), w('lease_expires_at', '<', at)]))
        .$if(table === 'nodes', (q) => q.where(sql<boolean>`not exists (${poolStepDue(at)})`))
        .orderBy('due_at')
        .orderBy('id')
        .limit(limit),
    );
  // A lease is cleared when its step ends, so one still set here expired with
  // its replica: this claim takes that replica's work over.
  const countTakeovers = (previous: ReadonlyArray<{ previous_owner: string | null }>) => {
    const takenOver = previous.filter((c) => c.previous_owner !== null && c.previous_owner !== owner).length;
    if (takenOver > 0) onTakeover?.(takenOver);
  };
  let rows: unknown[];
  if (database.claimsInOneStatement) {
    // One round trip, committed alone: the select locks the rows it picks and
    // passes over those another claim holds, and the update leases them. The
    // select is a materialized CTE, so it runs once whatever plan the join gets.
    const claimed = await database.db
      .with(
        (cte) => cte('due').materialized(),
        (db) => due(db),
      )
      .updateTable(t)
      .from('due')
      .set({ lease_owner: owner, lease_expires_at: until })
      .whereRef(`${t}.id`, '=', 'due.id')
      .returningAll(t)
      .returning('due.previous_owner')
      .execute();
    countTakeovers(claimed);
    rows = claimed.map(({ previous_owner: _, ...row }) => row);
  } else {
    rows = await database.transaction(async (tx) => {
      const candidates = await due(tx).execute();
      if (candidates.length === 0) return [];
      countTakeovers(candidates);
      return tx
        .updateTable(t)
        .set({ lease_owner: owner, lease_expires_at: until })
        .where(
          'id',
          'in',
          candidates.map((c) => c.id),
        )
        .returningAll()
        .execute();
    });
  }
  // UPDATE … RETURNING answers in no particular order; work the earliest due first.
  const sorted = (rows as ClaimedRow[]).sort((a, b) => dueTime(a) - dueTime(b) || a.id - b.id);
  return sorted as unknown as Array<RowOf<T>>;
}

/**
 * The nodes of a Creating pool whose own step is due are not claimed: that step
 * brings them up with the pool (pools/pool.steps.ts), in one transaction. Left to
 * a node step of another replica meanwhile, they would cost a transaction more.
 */
const poolStepDue = (at: string) =>
  sql`select 1 from pools where pools.id = nodes.pool_id and pools.phase = 'Creating' and pools.due_at <= ${at}`;

type ClaimedRow = { id: number; due_at: string | Date | null };
const dueTime = (row: ClaimedRow): number =>
  row.due_at === null ? 0 : row.due_at instanceof Date ? row.due_at.getTime() : Date.parse(row.due_at);

/** The heartbeat: pushes the expiry of every lease `owner` holds to `until`. Returns how many it holds. */
export async function renewLeases(database: Database, owner: string, until: Date): Promise<number> {
  let held = 0;
  for (const table of CLAIMED_TABLES) {
    const result = await database.db
      .updateTable(table)
      .set({ lease_expires_at: toDbTime(until) })
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    held += Number(result.numUpdatedRows);
  }
  return held;
}

const leaseRelease = (table: ClaimedTable) =>
  preparedStatement<{ id: number; owner: string }>((db) =>
    db
      .updateTable(table as 'pools')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('id', '=', param<number>('id'))
      .where('lease_owner', '=', param('owner')),
  );
const leaseReleases = Object.fromEntries(CLAIMED_TABLES.map((t) => [t, leaseRelease(t)])) as Record<
  ClaimedTable,
  ReturnType<typeof leaseRelease>
>;

/**
 * Clears one lease whose step changed nothing or failed (to be retried at the
 * next pass); a step that changed its row cleared the lease in that update.
 */
export async function releaseLease(tx: Executor, table: ClaimedTable, id: number, owner: string): Promise<void> {
  await leaseReleases[table](tx, { id, owner });
}

/** Clears the leases `owner` still holds on these rows (a step over several rows, e.g. a pool's due nodes). */
export async function releaseLeases(
  tx: Executor,
  table: ClaimedTable,
  ids: readonly number[],
  owner: string,
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable(table as 'pools')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', 'in', [...ids])
    .where('lease_owner', '=', owner)
    .execute();
}

/** Clears every lease `owner` holds: on a graceful stop, so other replicas need not wait for expiry. */
export async function releaseAllLeases(database: Database, owner: string): Promise<void> {
  for (const table of CLAIMED_TABLES) {
    await database.db
      .updateTable(table)
      .set({ lease_owner: null, lease_expires_at: null })
      .where('lease_owner', '=', owner)
      .execute();
  }
}
