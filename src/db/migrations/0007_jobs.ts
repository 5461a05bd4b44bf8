import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

/**
 * Maintenance jobs on the nodes of a pool (reboot, reset, migrate, replace): what
 * ListJobs and the job detail serve, and rows the engine drives through their
 * phases with the same due times and leases as pools and networks (0003_leases).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);
  await db.schema
    .createTable('jobs')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('job_id', 'text', (c) => c.notNull().unique())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('pool_name', 'text', (c) => c.notNull())
    .addColumn('node_names', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ts)
    .execute();
  // ListJobs: a project's jobs in a window of start times, newest first; by pool; by type.
  await db.schema.createIndex('jobs_project_idx').on('jobs').columns(['project_id', 'started_at', 'id']).execute();
  await db.schema
    .createIndex('jobs_pool_idx')
    .on('jobs')
    .columns(['project_id', 'pool_name', 'started_at', 'id'])
    .execute();
  await db.schema.createIndex('jobs_due_idx').on('jobs').column('due_at').execute();
  await db.schema.createIndex('jobs_lease_owner_idx').on('jobs').column('lease_owner').execute();
  // The engine removes finished jobs after their retention, oldest first.
  await db.schema.createIndex('jobs_ended_idx').on('jobs').column('ended_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
