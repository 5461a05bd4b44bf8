import type { NetworkPhase } from './network.lifecycle.js';
import type { ConnectionStatus, NetworkSpec } from './network.schema.js';

/**
 * A network as the store hands it out and takes it back (STYLE §4): JSON columns
 * parsed, the phase typed, times as Date. Only network.store.ts sees the row.
 */
export interface NetworkRecord {
  id: number;
  /** metadata.name: the display name and a random suffix. */
  name: string;
  projectId: string;
  /** metadata.labels["os.modelarts/name"], unique per workspace. */
  displayName: string;
  workspaceId: string;
  phase: NetworkPhase;
  /** Provisioning failed: counted apart (NETWORK_FAILED_COUNTER), outside the quota. */
  failed: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: NetworkSpec;
  connectionStatus: ConnectionStatus;
  createdAt: Date;
  /** Set while the network is being deleted (metadata.deletionTimestamp); the phase is kept. */
  deletingAt: Date | null;
  dueAt: Date | null;
  version: number;
}

export type NewNetwork = Omit<NetworkRecord, 'id' | 'version'>;

/** What a change may set: everything but the identity and the version, which the store bumps. */
export type NetworkChanges = Partial<
  Omit<NetworkRecord, 'id' | 'name' | 'projectId' | 'displayName' | 'createdAt' | 'version'>
>;
