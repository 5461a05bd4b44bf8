import { sql, type Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// One counter per project and kind of what counts against its quota (decision 2:
// every pool but a failure record, until it is gone). Pool creation takes the
// quota with one conditional update of this row, instead of locking the project
// and adding up the usage counters; every change of a pool in or out of the
// counted phases moves it in the same transaction.

/** The phase of a pool that does not count against the quota (as the code had it when this was written). */
const UNCOUNTED_POOL_PHASE = 'CreationFailed';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quota_counts')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('quota_counts_pk', ['project_id', 'kind'])
    .execute();
  await db
    .insertInto('quota_counts')
    .columns(['project_id', 'kind', 'used'])
    .expression(
      db
        .selectFrom('usage_counts')
        .select(['project_id', 'kind', sql<number>`sum(n)`.as('used')])
        .where('kind', '=', 'pool')
        .where('phase', '<>', UNCOUNTED_POOL_PHASE)
        .groupBy(['project_id', 'kind']),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('quota_counts').execute();
}
