import type { Executor } from '../db/database.js';
import type { ProjectRow } from '../db/schema.js';
import { ExpiringCache } from '../shared/expiring-cache.js';
import { findProject } from './project.store.js';

/**
 * Project rows for the read paths that poll (quotas, statistics). A row is reused
 * for at most `ttlMs`; writers in this process call `forget`, so this replica never
 * serves a stale row, and a change made elsewhere (the CLI, another replica) shows
 * within `ttlMs` (docs/performance.md). Write transactions never use the cache.
 */
export class ProjectCache {
  private readonly rows: ExpiringCache<string, ProjectRow | undefined>;

  constructor(ttlMs: number) {
    this.rows = new ExpiringCache({ max: 100_000, ttlMs });
  }

  /** The cached row, if it is fresh and the project exists; never reads. */
  peek(id: string): ProjectRow | undefined {
    return this.rows.peek(id)?.value;
  }

  get(db: Executor, id: string): Promise<ProjectRow | undefined> {
    return this.rows.getOrLoad(id, () => findProject(db, id));
  }

  forget(id?: string): void {
    if (id === undefined) this.rows.clear();
    else this.rows.delete(id);
  }
}
