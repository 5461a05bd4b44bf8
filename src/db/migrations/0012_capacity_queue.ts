import { sql, type Kysely } from 'kysely';

// Frozen in time: no imports from src/.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

/**
 * The queue for finite-capacity flavors (decision 10): one ticket per waiting
 * pool (node_pool '') and per node pool of a running pool whose scale-out
 * waits. The id is the place in the queue, shared by both kinds, so admission
 * is first come first served across them. A ticket goes with its pool's row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const id = pg ? ('bigserial' as const) : ('integer' as const);
  await db.schema
    .createTable('capacity_queue')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('node_pool', 'text', (c) => c.notNull())
    .addUniqueConstraint('capacity_queue_pool_node_pool_key', ['pool_id', 'node_pool'])
    .execute();
  // Pools already waiting keep their order: creation order, as before.
  await sql`INSERT INTO capacity_queue (pool_id, node_pool) SELECT id, '' FROM pools WHERE phase = 'Waiting' ORDER BY id`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('capacity_queue').execute();
}
