import type { DB } from './schema.js';

export type TableName = keyof DB;

/** How a table's rows belong to a project: what a reset of one project removes. */
export type TableScope =
  /** A column holds the project's id. */
  | { readonly by: 'column'; readonly column: string }
  /** A column refers to a parent row, and the parent belongs to the project. */
  | { readonly by: 'parent'; readonly column: string; readonly parent: TableName; readonly parentKey: string }
  /** Rows of the installation, of no project (removed only by a reset of everything). */
  | { readonly by: 'installation' };

export interface TableEntry {
  readonly name: TableName;
  /** The folder under src/ whose code alone queries the table (eslint.config.js holds the same list). */
  readonly room:
    | 'identity'
    | 'projects'
    | 'networks'
    | 'pools'
    | 'nodes'
    | 'jobs'
    | 'orders'
    | 'plugins'
    | 'tags'
    | 'quotas'
    | 'events'
    | 'faults'
    | 'admin'
    | 'workloads'
    | 'scheduled-events';
  readonly scope: TableScope;
  /** Identities (who may call) outlive a reset that keeps them; state never does. */
  readonly holds: 'state' | 'identity';
}

const byProject = { by: 'column', column: 'project_id' } as const;
const installation = { by: 'installation' } as const;
const ofPool = { by: 'parent', column: 'pool_id', parent: 'pools', parentKey: 'id' } as const;

/**
 * Every table the migrations create (a test holds the two together), children
 * before their parents: the order a reset deletes in. A copy inserts in the
 * reverse order, parents first.
 */
export const TABLES: readonly TableEntry[] = Object.freeze([
  { name: 'pool_capacity', room: 'workloads', scope: ofPool, holds: 'state' },
  { name: 'capacity_queue', room: 'pools', scope: ofPool, holds: 'state' },
  { name: 'workload_runs', room: 'workloads', scope: ofPool, holds: 'state' },
  { name: 'workloads', room: 'workloads', scope: ofPool, holds: 'state' },
  { name: 'faulted_pools', room: 'faults', scope: ofPool, holds: 'state' },
  { name: 'pool_plugins', room: 'plugins', scope: ofPool, holds: 'state' },
  { name: 'pool_tags', room: 'tags', scope: ofPool, holds: 'state' },
  { name: 'node_counts', room: 'nodes', scope: ofPool, holds: 'state' },
  { name: 'nodes', room: 'nodes', scope: ofPool, holds: 'state' },
  { name: 'jobs', room: 'jobs', scope: byProject, holds: 'state' },
  { name: 'scheduled_events', room: 'scheduled-events', scope: byProject, holds: 'state' },
  { name: 'orders', room: 'orders', scope: byProject, holds: 'state' },
  { name: 'pools', room: 'pools', scope: byProject, holds: 'state' },
  { name: 'networks', room: 'networks', scope: byProject, holds: 'state' },
  // Counters go with the rows they count, so quotas and statistics stay true.
  { name: 'usage_counts', room: 'quotas', scope: byProject, holds: 'state' },
  { name: 'quota_counts', room: 'quotas', scope: byProject, holds: 'state' },
  { name: 'events', room: 'events', scope: byProject, holds: 'state' },
  { name: 'faults', room: 'faults', scope: byProject, holds: 'state' },
  { name: 'tokens', room: 'identity', scope: byProject, holds: 'identity' },
  { name: 'grants', room: 'identity', scope: byProject, holds: 'identity' },
  { name: 'users', room: 'identity', scope: installation, holds: 'identity' },
  { name: 'credentials', room: 'identity', scope: installation, holds: 'identity' },
  { name: 'projects', room: 'projects', scope: { by: 'column', column: 'id' }, holds: 'identity' },
  { name: 'accounts', room: 'identity', scope: installation, holds: 'identity' },
  // Private IPs handed out per network: kept with the installation, so an IP is not reused at once.
  { name: 'ip_cursors', room: 'nodes', scope: installation, holds: 'state' },
  // The emulator's clock offset and timings (admin/emulator-settings.store.ts).
  { name: 'emulator_settings', room: 'admin', scope: installation, holds: 'state' },
] satisfies TableEntry[]);

/** The tables in the order a copy fills them: parents before their children. */
export const PARENTS_FIRST: readonly TableName[] = TABLES.map((t) => t.name).reverse();
