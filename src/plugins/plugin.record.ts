import type { PluginPhase } from './plugin.lifecycle.js';

/**
 * A plug-in as the store hands it out and takes it back (STYLE §4): inputs
 * parsed, the phase typed, times as Date. Only plugin.store.ts sees the row.
 */
export interface PluginRecord {
  id: number;
  projectId: string;
  poolId: number;
  /** metadata.name of the pool it is installed on. */
  poolName: string;
  /** metadata.name: the template's name (decision 29, D-P2), one per pool. */
  name: string;
  /** spec.template.version: what was asked for (or the template's newest). */
  templateVersion: string;
  inputs: Record<string, unknown>;
  phase: PluginPhase;
  /** status.reason: why the install failed. */
  reason: string | null;
  /** status.version: set once installed. */
  installedVersion: string | null;
  createdAt: Date;
  dueAt: Date | null;
  version: number;
}

export type NewPlugin = Omit<PluginRecord, 'id' | 'version'>;

export type PluginChanges = Partial<Pick<PluginRecord, 'phase' | 'reason' | 'installedVersion' | 'dueAt'>>;
