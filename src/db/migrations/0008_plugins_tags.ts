import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// The plug-ins installed on a pool (one per template, moved Pending → Running by
// the engine, so the lifecycle columns every resource table has) and the tags of
// a pool. Both go with their pool (ON DELETE CASCADE).

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);

  await db.schema
    .createTable('pool_plugins')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('pool_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('template_version', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('installed_version', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ts)
    .addUniqueConstraint('pool_plugins_pool_name_key', ['pool_id', 'name'])
    .execute();
  await db.schema.createIndex('pool_plugins_due_idx').on('pool_plugins').column('due_at').execute();
  await db.schema.createIndex('pool_plugins_lease_owner_idx').on('pool_plugins').column('lease_owner').execute();

  await db.schema
    .createTable('pool_tags')
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_tags_pk', ['pool_id', 'key'])
    .execute();
  // ListPoolTags reads a project's tags by key.
  await db.schema.createIndex('pool_tags_project_idx').on('pool_tags').columns(['project_id', 'key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['pool_tags', 'pool_plugins']) await db.schema.dropTable(table).execute();
}
