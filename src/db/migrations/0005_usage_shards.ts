import { sql, type Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// The usage counters get a shard number in their key. On PostgreSQL every
// change of a project's pools used to update the same few counter rows, so the
// replicas' requests and engine steps queued on those rows' locks; a change now
// updates the shard its resource's id falls in, and readers add the shards up.
// SQLite has one writer at a time and keeps everything in shard 0.

const COLUMNS = ['project_id', 'kind', 'workspace_id', 'phase'] as const;

/** The counters' table under another name, with or without the shard column. */
async function createCounts(db: Kysely<any>, table: string, sharded: boolean): Promise<void> {
  let builder = db.schema
    .createTable(table)
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull());
  if (sharded) builder = builder.addColumn('shard', 'integer', (c) => c.notNull().defaultTo(0));
  await builder
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint(
      sharded ? 'usage_counts_shard_pk' : 'usage_counts_pk',
      sharded ? [...COLUMNS, 'shard' as never] : [...COLUMNS],
    )
    .execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await createCounts(db, 'usage_counts_sharded', true);
  await db
    .insertInto('usage_counts_sharded')
    .columns([...COLUMNS, 'n'])
    .expression(db.selectFrom('usage_counts').select([...COLUMNS, 'n']))
    .execute();
  await db.schema.dropTable('usage_counts').execute();
  await db.schema.alterTable('usage_counts_sharded').renameTo('usage_counts').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await createCounts(db, 'usage_counts_single', false);
  await db
    .insertInto('usage_counts_single')
    .columns([...COLUMNS, 'n'])
    .expression(
      db
        .selectFrom('usage_counts')
        .select([...COLUMNS, sql<number>`sum(n)`.as('n')])
        .groupBy([...COLUMNS]),
    )
    .execute();
  await db.schema.dropTable('usage_counts').execute();
  await db.schema.alterTable('usage_counts_single').renameTo('usage_counts').execute();
}
