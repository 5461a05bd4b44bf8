import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must not import from src/, so that later code changes
// never alter what an existing database was migrated with.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('pool_quota', 'integer')
    .addColumn('network_quota', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('networks')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('connection_status', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('deleting_at', ts)
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('networks_display_name_unique', ['project_id', 'workspace_id', 'display_name'])
    .execute();
  await db.schema.createIndex('networks_project_idx').on('networks').columns(['project_id', 'id']).execute();
  await db.schema.createIndex('networks_due_idx').on('networks').column('due_at').execute();

  await db.schema
    .createTable('pools')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('network_name', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('available', 'text', (c) => c.notNull())
    .addColumn('scope_status', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('deleting_at', ts)
    .addColumn('failed_at', ts)
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('pools_display_name_unique', ['project_id', 'display_name'])
    .execute();
  await db.schema.createIndex('pools_project_idx').on('pools').columns(['project_id', 'workspace_id', 'id']).execute();
  await db.schema.createIndex('pools_due_idx').on('pools').column('due_at').execute();
  await db.schema.createIndex('pools_phase_idx').on('pools').columns(['phase', 'id']).execute();
  await db.schema.createIndex('pools_network_idx').on('pools').columns(['project_id', 'network_name']).execute();
  await db.schema
    .createIndex('pools_failed_idx')
    .on('pools')
    .columns(['project_id', 'workspace_id', 'phase', 'failed_at'])
    .execute();

  await db.schema
    .createTable('pool_nodes')
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('flavor', 'text', (c) => c.notNull())
    .addColumn('nodes', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_nodes_pk', ['pool_id', 'flavor'])
    .execute();
  await db.schema.createIndex('pool_nodes_flavor_idx').on('pool_nodes').columns(['flavor', 'nodes']).execute();

  await db.schema
    .createTable('usage_counts')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_counts_pk', ['project_id', 'kind', 'workspace_id', 'phase'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('resource_kind', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_resource_idx')
    .on('events')
    .columns(['project_id', 'resource_kind', 'resource_name', 'id'])
    .execute();
  void sql;
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['events', 'usage_counts', 'pool_nodes', 'pools', 'networks', 'projects']) {
    await db.schema.dropTable(table).execute();
  }
}
