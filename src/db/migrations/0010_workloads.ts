import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// Simulated workloads (the emulator submits them; the engine places them on nodes
// with room, runs them for their duration and ends them), the runs they had on
// nodes (an inference service put back in the queue when its node leaves runs
// again elsewhere), and each change of a pool's capacity (the resources of its
// Available and Abnormal nodes). Runs and capacity changes are the history the
// pool monitor computes its series from. All go with their pool.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);

  await db.schema
    .createTable('workloads')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('pool_name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('job_uuid', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('flavor', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('requests', 'text', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('node_name', 'text')
    .addColumn('host_ip', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('ended_at', ts)
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ts)
    .execute();
  await db.schema
    .createIndex('workloads_pool_idx')
    .on('workloads')
    .columns(['pool_id', 'status', 'created_at'])
    .execute();
  await db.schema.createIndex('workloads_due_idx').on('workloads').column('due_at').execute();
  await db.schema.createIndex('workloads_lease_owner_idx').on('workloads').column('lease_owner').execute();

  await db.schema
    .createTable('workload_runs')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('workload_id', 'bigint', (c) => c.notNull().references('workloads.id').onDelete('cascade'))
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('node_name', 'text', (c) => c.notNull())
    .addColumn('requests', 'text', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .execute();
  await db.schema
    .createIndex('workload_runs_pool_idx')
    .on('workload_runs')
    .columns(['pool_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('pool_capacity')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('capacity', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pool_capacity_pool_idx').on('pool_capacity').columns(['pool_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['pool_capacity', 'workload_runs', 'workloads']) await db.schema.dropTable(table).execute();
}
