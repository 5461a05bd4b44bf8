import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

/**
 * Scheduled maintenance events on nodes (plugins-scheduled-events-misc.md §3):
 * published by the emulator controls, listed and accepted through the API, and
 * rows the engine drives (due times and leases as in 0003_leases) when their
 * window starts and while the job that carries out their effect runs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);
  await db.schema
    .createTable('scheduled_events')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('catalog', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('pool_name', 'text', (c) => c.notNull())
    .addColumn('pool_display_name', 'text', (c) => c.notNull())
    .addColumn('node_name', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('redeploy_type', 'text', (c) => c.notNull())
    .addColumn('redeploy_config', 'text')
    .addColumn('publish_time', ts, (c) => c.notNull())
    .addColumn('start_time', ts, (c) => c.notNull())
    .addColumn('finish_time', ts, (c) => c.notNull())
    .addColumn('not_before', ts)
    .addColumn('probe_msg', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('job_id', 'text')
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ts)
    .execute();
  // ListScheduledEvents: a project's events newest first, in a window of publish times.
  await db.schema
    .createIndex('scheduled_events_project_idx')
    .on('scheduled_events')
    .columns(['project_id', 'publish_time', 'id'])
    .execute();
  await db.schema.createIndex('scheduled_events_due_idx').on('scheduled_events').column('due_at').execute();
  await db.schema
    .createIndex('scheduled_events_lease_owner_idx')
    .on('scheduled_events')
    .column('lease_owner')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduled_events').execute();
}
