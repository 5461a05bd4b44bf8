import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

// Frozen in time: no imports from src/.
//
// Nodes become rows (a pool is the roll-up of its nodes). Each node has its own
// lifecycle, due time and lease; node_counts keeps, per pool, node pool, flavor and
// phase, how many nodes there are, in the same transaction as every node change,
// so a pool's status and the capacity of a flavor are read without reading nodes.
// ip_cursors hands out private IPs per network. The per-flavor counts pools held
// (pool_nodes) and the pools' `available` column are replaced by these.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

const suffix = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
};

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  const ts = pg ? 'timestamptz' : 'text';
  const id = pg ? ('bigserial' as const) : ('integer' as const);

  await db.schema
    .createTable('nodes')
    .addColumn('id', id, (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('node_pool', 'text', (c) => c.notNull())
    .addColumn('flavor', 'text', (c) => c.notNull())
    .addColumn('az', 'text', (c) => c.notNull())
    .addColumn('network_key', 'text', (c) => c.notNull())
    .addColumn('private_ip', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('driver_phase', 'text')
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('annotations', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('taints', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('deleting_at', ts)
    .addColumn('due_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ts)
    .addUniqueConstraint('nodes_name_unique', ['pool_id', 'name'])
    .addUniqueConstraint('nodes_ip_unique', ['network_key', 'private_ip'])
    .execute();
  // The pool's nodes in name order (ListPoolNodes pages over it) and per node pool.
  await db.schema.createIndex('nodes_pool_pool_idx').on('nodes').columns(['pool_id', 'node_pool', 'name']).execute();
  await db.schema.createIndex('nodes_due_idx').on('nodes').column('due_at').execute();
  await db.schema.createIndex('nodes_lease_owner_idx').on('nodes').column('lease_owner').execute();

  await db.schema
    .createTable('node_counts')
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('node_pool', 'text', (c) => c.notNull())
    .addColumn('flavor', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('node_counts_pk', ['pool_id', 'node_pool', 'flavor', 'phase'])
    .execute();
  await db.schema.createIndex('node_counts_flavor_idx').on('node_counts').columns(['flavor', 'n']).execute();

  await db.schema
    .createTable('ip_cursors')
    .addColumn('network_key', 'text', (c) => c.primaryKey())
    .addColumn('next_offset', 'integer', (c) => c.notNull())
    .execute();

  // Pools that already have nodes get them as rows: Available, one per counted node,
  // in a node pool named after the flavor. Their IPs come from a range of their own.
  const pools = await db.selectFrom('pools').select(['id', 'name', 'project_id', 'available', 'created_at']).execute();
  for (const pool of pools) {
    const available = JSON.parse(pool.available as string) as Record<string, number>;
    let offset = 0;
    for (const [flavor, count] of Object.entries(available)) {
      const nodePool = `${flavor.replace(/\./g, '-')}-default`;
      for (let i = 0; i < count; i += 1) {
        offset += 1;
        await db
          .insertInto('nodes')
          .values({
            pool_id: pool.id,
            project_id: pool.project_id,
            name: `os-node-created-${suffix()}${i}`,
            node_pool: nodePool,
            flavor,
            az: 'az-1',
            network_key: `pool:${pool.name}`,
            private_ip: `172.16.${Math.floor(offset / 250)}.${(offset % 250) + 2}`,
            phase: 'Available',
            driver_phase: null,
            labels: JSON.stringify({
              'os.modelarts.node/nodepoolname': nodePool,
              'os.modelarts.node/underlying.instance.id': randomUUID(),
            }),
            annotations: '{}',
            spec: JSON.stringify({ flavor }),
            taints: '[]',
            created_at: pool.created_at,
            version: 0,
          })
          .execute();
      }
      if (count > 0) {
        await db
          .insertInto('node_counts')
          .values({ pool_id: pool.id, node_pool: nodePool, flavor, phase: 'Available', n: count })
          .execute();
      }
    }
  }
  await db.schema.dropTable('pool_nodes').execute();
  await db.schema.alterTable('pools').dropColumn('available').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('pools')
    .addColumn('available', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .createTable('pool_nodes')
    .addColumn('pool_id', 'bigint', (c) => c.notNull().references('pools.id').onDelete('cascade'))
    .addColumn('flavor', 'text', (c) => c.notNull())
    .addColumn('nodes', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pool_nodes_pk', ['pool_id', 'flavor'])
    .execute();
  for (const table of ['ip_cursors', 'node_counts', 'nodes']) await db.schema.dropTable(table).execute();
}
