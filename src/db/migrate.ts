import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_identity.js';
import * as m0003 from './migrations/0003_leases.js';
import * as m0004 from './migrations/0004_faults.js';
import * as m0005 from './migrations/0005_usage_shards.js';
import * as m0006 from './migrations/0006_nodes.js';
import * as m0007 from './migrations/0007_jobs.js';
import * as m0008 from './migrations/0008_plugins_tags.js';
import * as m0009 from './migrations/0009_orders.js';
import * as m0010 from './migrations/0010_workloads.js';
import * as m0011 from './migrations/0011_scheduled_events.js';
import * as m0012 from './migrations/0012_capacity_queue.js';
import * as m0013 from './migrations/0013_quota_counts.js';
import * as m0014 from './migrations/0014_workload_runs_workload.js';

/**
 * Migrations are listed here rather than read from a folder, so the compiled
 * program and the TypeScript sources find the same set without path tricks.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_identity': m0002,
  '0003_leases': m0003,
  '0004_faults': m0004,
  '0005_usage_shards': m0005,
  '0006_nodes': m0006,
  '0007_jobs': m0007,
  '0008_plugins_tags': m0008,
  '0009_orders': m0009,
  '0010_workloads': m0010,
  '0011_scheduled_events': m0011,
  '0012_capacity_queue': m0012,
  '0013_quota_counts': m0013,
  '0014_workload_runs_workload': m0014,
};

/** Every migration of the program, for Kysely's Migrator (tests also move between them). */
export const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date; Kysely's migration lock lets replicas start together. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1);
