import type { Executor } from '../db/database.js';
import type { ProjectRow } from '../db/schema.js';
import { findProject } from './project.store.js';

/**
 * Project rows for the read paths that poll (quotas, statistics). A row is reused
 * for at most `ttlMs`; writers in this process call `forget`, so this replica never
 * serves a stale row, and a change made elsewhere (the CLI, another replica) shows
 * within `ttlMs` (docs/performance.md). Write transactions never use the cache.
 */
export class ProjectCache {
  private readonly rows = new Map<string, { at: number; row: ProjectRow | undefined }>();

  constructor(private readonly ttlMs: number) {}

  /** The cached row, if it is fresh and the project exists; never reads. */
  peek(id: string): ProjectRow | undefined {
    const hit = this.rows.get(id);
    return hit && Date.now() - hit.at < this.ttlMs ? hit.row : undefined;
  }

  async get(db: Executor, id: string): Promise<ProjectRow | undefined> {
    const now = Date.now();
    const hit = this.rows.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.row;
    const row = await findProject(db, id);
    if (this.rows.size >= 100_000) this.rows.clear();
    this.rows.set(id, { at: now, row });
    return row;
  }

  forget(id?: string): void {
    if (id === undefined) this.rows.clear();
    else this.rows.delete(id);
  }
}
