import type { PoolPhase } from './pool.lifecycle.js';
import type { PoolSpec, ScopeStatus } from './pool.schema.js';

/**
 * A pool as the store hands it out and takes it back (STYLE §4): JSON columns
 * parsed, the phase typed, times as Date. Only pool.store.ts sees the row.
 */
export interface PoolRecord {
  id: number;
  /** metadata.name: the display name and a random suffix. */
  name: string;
  projectId: string;
  /** metadata.labels["os.modelarts/name"]. */
  displayName: string;
  workspaceId: string;
  networkName: string | null;
  phase: PoolPhase;
  message: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PoolSpec;
  /** status.scope: the state of each job type. */
  scope: ScopeStatus[];
  createdAt: Date;
  deletingAt: Date | null;
  failedAt: Date | null;
  /** When the engine's next step for the pool is due; null: nothing to do. */
  dueAt: Date | null;
  version: number;
}

export type NewPool = Omit<PoolRecord, 'id' | 'version'>;

/** What a change may set: everything but the identity, which never changes, and the version, which the store bumps. */
export type PoolChanges = Partial<
  Omit<PoolRecord, 'id' | 'name' | 'projectId' | 'displayName' | 'createdAt' | 'version'>
>;
