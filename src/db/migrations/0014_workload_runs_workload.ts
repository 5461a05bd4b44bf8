import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// A workload's runs go with it (workload_runs.workload_id, ON DELETE CASCADE), and
// workloads go with their pool. Without an index on the child's column, each
// workload removed made the database scan every run of the installation (SQLite
// and PostgreSQL alike): a pool of 20 workloads among 20,000 runs took 58 ms to
// delete on SQLite instead of half a millisecond.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('workload_runs_workload_idx').on('workload_runs').column('workload_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('workload_runs_workload_idx').execute();
}
