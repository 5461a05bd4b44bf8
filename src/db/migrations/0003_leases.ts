import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

/**
 * Leases on lifecycle work (STYLE §5): the engine of one replica claims a due row
 * by writing its owner id and an expiry; other replicas skip the row until the
 * expiry has passed, so a replica killed mid-step has its work taken over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPostgres(db) ? 'timestamptz' : 'text';
  for (const table of ['pools', 'networks']) {
    await db.schema.alterTable(table).addColumn('lease_owner', 'text').execute();
    await db.schema.alterTable(table).addColumn('lease_expires_at', ts).execute();
    // The heartbeat and the release on stop find a replica's leases by owner.
    await db.schema.createIndex(`${table}_lease_owner_idx`).on(table).column('lease_owner').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['pools', 'networks']) {
    await db.schema.dropIndex(`${table}_lease_owner_idx`).execute();
    await db.schema.alterTable(table).dropColumn('lease_expires_at').execute();
    await db.schema.alterTable(table).dropColumn('lease_owner').execute();
  }
}
