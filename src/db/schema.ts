import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for Kysely. Timestamps are written as ISO-8601 UTC strings with
 * milliseconds (fixed width, so text order is time order in SQLite); PostgreSQL
 * stores them as timestamptz and hands back Date objects, hence the read type.
 * Booleans are integers 0/1 so the same code runs on both dialects.
 */
type Timestamp = ColumnType<string | Date, string, string>;
type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>;
/** Text columns holding JSON; parsed and validated at the store boundary. */
type Json = string;

export interface ProjectTable {
  id: string;
  name: string;
  pool_quota: number | null;
  network_quota: number | null;
  created_at: Timestamp;
}

export interface NetworkTable {
  id: Generated<number>;
  name: string;
  project_id: string;
  display_name: string;
  workspace_id: string;
  phase: string;
  failed: number;
  labels: Json;
  annotations: Json;
  spec: Json;
  connection_status: Json;
  created_at: Timestamp;
  deleting_at: NullableTimestamp;
  due_at: NullableTimestamp;
  version: number;
}

export interface PoolTable {
  id: Generated<number>;
  name: string;
  project_id: string;
  display_name: string;
  workspace_id: string;
  network_name: string | null;
  phase: string;
  message: string | null;
  labels: Json;
  annotations: Json;
  spec: Json;
  /** status.resources.available: the nodes the pool has now, per flavor. */
  available: Json;
  /** status.scope: the state of each job type. */
  scope_status: Json;
  created_at: Timestamp;
  deleting_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  due_at: NullableTimestamp;
  version: number;
}

/** Nodes a pool holds per flavor: what capacity accounting sums (decision 10). */
export interface PoolNodeTable {
  pool_id: number;
  flavor: string;
  nodes: number;
}

/**
 * Per-project counts by resource kind, workspace and phase, kept in the same
 * transaction as every change so quotas and statistics never scan rows.
 */
export interface UsageCountTable {
  project_id: string;
  kind: string;
  workspace_id: string;
  phase: string;
  n: number;
}

export interface EventTable {
  id: Generated<number>;
  project_id: string;
  resource_kind: string;
  resource_name: string;
  type: string;
  reason: string;
  message: string;
  created_at: Timestamp;
}

export interface DB {
  projects: ProjectTable;
  networks: NetworkTable;
  pools: PoolTable;
  pool_nodes: PoolNodeTable;
  usage_counts: UsageCountTable;
  events: EventTable;
}

export type ProjectRow = Selectable<ProjectTable>;
export type NetworkRow = Selectable<NetworkTable>;
export type NewNetworkRow = Insertable<NetworkTable>;
export type NetworkUpdate = Updateable<NetworkTable>;
export type PoolRow = Selectable<PoolTable>;
export type NewPoolRow = Insertable<PoolTable>;
export type PoolUpdate = Updateable<PoolTable>;
