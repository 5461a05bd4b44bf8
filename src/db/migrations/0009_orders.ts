import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

/**
 * Orders: the record of each asynchronous capacity change of a pool (create, a
 * node-count change, a workspace move, a batch resize, a switch to yearly/monthly
 * billing), with one item per resource it touches. Written in the transaction of
 * the change it records and moved in the transactions of the pool and node steps
 * it follows; kept after the pool is gone (ListOrders is a history).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);
  await db.schema
    .createTable('orders')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('order_name', 'text', (c) => c.notNull().unique())
    .addColumn('order_id', 'text', (c) => c.notNull().unique())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('pool_name', 'text', (c) => c.notNull())
    .addColumn('pool_display_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('fail_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('billing', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('begun_at', ts)
    .addColumn('ended_at', ts)
    .addColumn('expires_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // ListOrders: a project's orders newest first, and those of one pool.
  await db.schema.createIndex('orders_project_idx').on('orders').columns(['project_id', 'created_at', 'id']).execute();
  await db.schema
    .createIndex('orders_pool_idx')
    .on('orders')
    .columns(['project_id', 'pool_name', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('orders_display_idx')
    .on('orders')
    .columns(['project_id', 'pool_display_name', 'created_at', 'id'])
    .execute();
  // Finished orders are removed after their retention, oldest first.
  await db.schema.createIndex('orders_ended_idx').on('orders').column('ended_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('orders').execute();
}
