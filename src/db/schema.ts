import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for Kysely. Timestamps are written as ISO-8601 UTC strings with
 * milliseconds (fixed width, so text order is time order in SQLite); PostgreSQL
 * stores them as timestamptz and hands back Date objects, hence the read type.
 * Booleans are integers 0/1 so the same code runs on both dialects.
 */
type Timestamp = ColumnType<string | Date, string, string>;
type NullableTimestamp = ColumnType<string | Date | null, string | null, string | null>;
/** Text columns holding JSON; each store's mapper parses them into its records and writes them back. */
type Json = string;

export interface ProjectTable {
  id: string;
  name: string;
  account_id: string | null;
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
  /** The engine replica working on the row's due step (db/claims.ts), until lease_expires_at. */
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
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
  /** status.scope: the state of each job type. */
  scope_status: Json;
  created_at: Timestamp;
  deleting_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  due_at: NullableTimestamp;
  version: number;
  /** The engine replica working on the row's due step (db/claims.ts), until lease_expires_at. */
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
}

/** A node of a pool (nodepools-nodes-jobs.md §1): its own lifecycle, due time and lease. */
export interface NodeTable {
  id: Generated<number>;
  pool_id: number;
  project_id: string;
  name: string;
  node_pool: string;
  flavor: string;
  az: string;
  /** The network the private IP is unique in: the pool's network, or the pool itself without one. */
  network_key: string;
  private_ip: string;
  phase: string;
  /** status.driver.phase of a GPU or NPU node; null for CPU flavors. */
  driver_phase: string | null;
  labels: Json;
  annotations: Json;
  spec: Json;
  taints: Json;
  created_at: Timestamp;
  deleting_at: NullableTimestamp;
  due_at: NullableTimestamp;
  version: number;
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
}

/**
 * How many nodes a pool has per node pool, flavor and phase, kept in the same
 * transaction as every node change: a pool's status.resources and a flavor's
 * used capacity (decision 10) are read from here, never by counting nodes.
 */
export interface NodeCountTable {
  pool_id: number;
  node_pool: string;
  flavor: string;
  phase: string;
  n: number;
}

/** The next private IP offset handed out in a network. */
export interface IpCursorTable {
  network_key: string;
  next_offset: number;
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
  /** Which of the project's counter rows for this cell (migration 0005); readers add them up. */
  shard: ColumnType<number, number | undefined, number>;
  n: number;
}

/** What counts against a project's quota, per kind (migration 0013; quotas/quota.service.ts). */
export interface QuotaCountTable {
  project_id: string;
  kind: string;
  used: number;
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

export interface AccountTable {
  id: string;
  name: string;
  disabled: number;
  created_at: Timestamp;
}

export interface UserTable {
  id: string;
  account_id: string;
  name: string;
  /** scrypt, with its parameters and salt (identity/password.ts). */
  password_hash: string;
  disabled: number;
  created_at: Timestamp;
}

export interface CredentialTable {
  access_key: string;
  account_id: string;
  /** The secret key, encrypted at rest (identity/secret-box.ts). */
  secret_sealed: string;
  description: string;
  disabled: number;
  created_at: Timestamp;
}

export interface GrantTable {
  principal_kind: 'credential' | 'user';
  principal_id: string;
  project_id: string;
}

export interface TokenTable {
  id: string;
  /** SHA-256 of the token: the token itself is never stored. */
  token_hash: string;
  account_id: string;
  user_id: string | null;
  project_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

/** A fault waiting to be consumed by the next matching lifecycle step (docs/emulator.md). */
export interface FaultTable {
  id: Generated<number>;
  /** create | scale | delete | abnormal */
  operation: string;
  project_id: string | null;
  /** A glob (`*`, `?`) over the pool's display name or metadata.name. */
  name_pattern: string | null;
  flavor: string | null;
  remaining: number;
  triggered: number;
  reason: string;
  recover_after_seconds: number | null;
  created_at: Timestamp;
}

/** Pools a fault made Abnormal; clearing the fault heals them. fault_id null: the label did it. */
export interface FaultedPoolTable {
  pool_id: number;
  fault_id: number | null;
}

/** A plug-in installed on a pool (src/plugins/): one per template, driven by the engine like pools. */
export interface PoolPluginTable {
  id: Generated<number>;
  project_id: string;
  pool_id: number;
  /** metadata.name of the pool, for events and fault matching without reading the pool. */
  pool_name: string;
  name: string;
  template_version: string;
  inputs: Json;
  phase: string;
  reason: string | null;
  installed_version: string | null;
  created_at: Timestamp;
  due_at: NullableTimestamp;
  version: number;
  /** The engine replica working on the row's due step (db/claims.ts), until lease_expires_at. */
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
}

/** A maintenance job on nodes of a pool (jobs/), driven by the engine like pools and networks. */
/** A maintenance event announced for a node (scheduled-events/). */
export interface ScheduledEventTable {
  id: Generated<number>;
  /** The wire's id: lowercase, `[a-z0-9-]`. */
  event_id: string;
  project_id: string;
  workspace_id: string;
  catalog: string;
  type: string;
  description: ColumnType<string, string | undefined, string>;
  state: string;
  /** The pool's metadata.name and display name, the node's name and underlying instance id. */
  pool_name: string;
  pool_display_name: string;
  node_name: string;
  instance_id: string;
  /** The redeploy modes allowed, a JSON array. */
  redeploy_type: Json;
  /** What the accept chose (RedeployConfig), JSON; null before. */
  redeploy_config: string | null;
  publish_time: Timestamp;
  start_time: Timestamp;
  finish_time: Timestamp;
  not_before: NullableTimestamp;
  probe_msg: ColumnType<string, string | undefined, string>;
  /** The job carrying out the event's effect, once it runs. */
  job_id: string | null;
  due_at: NullableTimestamp;
  version: number;
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
}

export interface JobTable {
  id: Generated<number>;
  /** The wire's jobId: `job-` and 8 hex digits. */
  job_id: string;
  project_id: string;
  type: string;
  phase: string;
  pool_name: string;
  /** The nodes the job works on, a JSON array of names. */
  node_names: Json;
  /** The request body that started the job, as JSON. */
  inputs: Json;
  message: ColumnType<string, string | undefined, string>;
  started_at: Timestamp;
  ended_at: NullableTimestamp;
  due_at: NullableTimestamp;
  version: number;
  /** The engine replica working on the row's due step (db/claims.ts), until lease_expires_at. */
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
}

/** An order: one asynchronous capacity change of a pool (src/orders/), kept after the pool. */
export interface OrderTable {
  id: Generated<number>;
  /** The wire's orderName: `<pool>-<kind>-<5 random>`. */
  order_name: string;
  /** The billing side's order id (createOrderId answers it). */
  order_id: string;
  project_id: string;
  pool_name: string;
  pool_display_name: string;
  kind: string;
  phase: string;
  fail_reason: ColumnType<string, string | undefined, string>;
  /** The billing terms, as JSON. */
  billing: Json;
  /** The resources the order touches and how each fared, a JSON array. */
  items: Json;
  created_at: Timestamp;
  begun_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  version: number;
}

/** A tag of a pool (src/tags/): one value per key. */
export interface PoolTagTable {
  pool_id: number;
  project_id: string;
  key: string;
  value: string;
}

/** A simulated workload on a pool (src/workloads/): submitted by the emulator, placed and ended by the engine. */
export interface WorkloadTable {
  id: Generated<number>;
  project_id: string;
  pool_id: number;
  pool_name: string;
  type: string;
  job_name: string;
  job_uuid: string;
  uid: string;
  /** Only nodes of this flavor may run it; null: any node of the pool. */
  flavor: string | null;
  priority: string;
  user_name: string | null;
  /** What it asks of a node, JSON: resource name → amount (millicores, MiB, devices). */
  requests: Json;
  /** How long a run lasts; null: until it is interrupted. */
  duration_seconds: number | null;
  outcome: string;
  status: string;
  node_name: string | null;
  host_ip: string | null;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  due_at: NullableTimestamp;
  version: number;
  /** The engine replica working on the row's due step (db/claims.ts), until lease_expires_at. */
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_expires_at: ColumnType<string | Date | null, string | null | undefined, string | null>;
}

/** One run of a workload on a node: the history the pool monitor adds up. */
export interface WorkloadRunTable {
  id: Generated<number>;
  workload_id: number;
  pool_id: number;
  node_name: string;
  requests: Json;
  started_at: Timestamp;
  ended_at: NullableTimestamp;
}

/** A pool's capacity from `at` on (the resources of its Available and Abnormal nodes, JSON). */
export interface PoolCapacityTable {
  id: Generated<number>;
  pool_id: number;
  at: Timestamp;
  capacity: Json;
}

/** Emulator settings that survive a restart: the clock offset, the lifecycle timing. */
export interface EmulatorSettingTable {
  key: string;
  value: Json;
}

/** A place in the queue for finite-capacity flavors (decision 10): a waiting pool (node_pool '') or a waiting scale-out of one node pool. */
export interface CapacityQueueTable {
  id: Generated<number>;
  pool_id: number;
  node_pool: string;
}

export interface DB {
  accounts: AccountTable;
  users: UserTable;
  credentials: CredentialTable;
  grants: GrantTable;
  tokens: TokenTable;
  projects: ProjectTable;
  networks: NetworkTable;
  pools: PoolTable;
  nodes: NodeTable;
  node_counts: NodeCountTable;
  ip_cursors: IpCursorTable;
  usage_counts: UsageCountTable;
  quota_counts: QuotaCountTable;
  events: EventTable;
  faults: FaultTable;
  faulted_pools: FaultedPoolTable;
  emulator_settings: EmulatorSettingTable;
  pool_plugins: PoolPluginTable;
  pool_tags: PoolTagTable;
  jobs: JobTable;
  workloads: WorkloadTable;
  workload_runs: WorkloadRunTable;
  pool_capacity: PoolCapacityTable;
  scheduled_events: ScheduledEventTable;
  orders: OrderTable;
  capacity_queue: CapacityQueueTable;
}

export type ProjectRow = Selectable<ProjectTable>;
export type NetworkRow = Selectable<NetworkTable>;
export type NewNetworkRow = Insertable<NetworkTable>;
export type NetworkUpdate = Updateable<NetworkTable>;
export type PoolRow = Selectable<PoolTable>;
export type NewPoolRow = Insertable<PoolTable>;
export type PoolUpdate = Updateable<PoolTable>;
export type NodeRow = Selectable<NodeTable>;
export type NewNodeRow = Insertable<NodeTable>;
export type AccountRow = Selectable<AccountTable>;
export type UserRow = Selectable<UserTable>;
export type CredentialRow = Selectable<CredentialTable>;
export type TokenRow = Selectable<TokenTable>;
export type FaultRow = Selectable<FaultTable>;
export type PoolPluginRow = Selectable<PoolPluginTable>;
export type PoolPluginUpdate = Updateable<PoolPluginTable>;
export type PoolTagRow = Selectable<PoolTagTable>;
export type JobRow = Selectable<JobTable>;
export type JobUpdate = Updateable<JobTable>;
export type WorkloadRow = Selectable<WorkloadTable>;
export type WorkloadUpdate = Updateable<WorkloadTable>;
export type WorkloadRunRow = Selectable<WorkloadRunTable>;
export type ScheduledEventRow = Selectable<ScheduledEventTable>;
export type ScheduledEventUpdate = Updateable<ScheduledEventTable>;
export type OrderRow = Selectable<OrderTable>;
export type OrderUpdate = Updateable<OrderTable>;
