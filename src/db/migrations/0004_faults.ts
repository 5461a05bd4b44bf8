import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// The emulator controls (docs/emulator.md): faults waiting to be consumed, the
// pools a fault made Abnormal (so clearing the fault can heal them), and the
// run-time settings (clock offset, lifecycle timing) that must survive a restart.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);

  await db.schema
    .createTable('faults')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text')
    .addColumn('name_pattern', 'text')
    .addColumn('flavor', 'text')
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('triggered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recover_after_seconds', 'real')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('faults_operation_idx').on('faults').columns(['operation', 'id']).execute();

  await db.schema
    .createTable('faulted_pools')
    .addColumn('pool_id', 'bigint', (c) => c.primaryKey().references('pools.id').onDelete('cascade'))
    .addColumn('fault_id', 'bigint')
    .execute();
  await db.schema.createIndex('faulted_pools_fault_idx').on('faulted_pools').column('fault_id').execute();

  await db.schema
    .createTable('emulator_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['emulator_settings', 'faulted_pools', 'faults']) await db.schema.dropTable(table).execute();
}
