import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import type { ProjectRow } from '../db/schema.js';
import { AtelierError } from '../errors.js';
import type { MaybeSync } from '../shared/maybe-sync.js';
import * as store from './project.store.js';

export interface QuotaLimits {
  pool: number;
  network: number;
}

/**
 * The project a request names, or the catalogue's "project not found". Inside a
 * transaction it reads the row; on read paths it may use the short-lived cache.
 */
export function requireProject(ctx: AppContext, projectId: string, tx?: Executor): MaybeSync<ProjectRow> {
  const cached = tx ? undefined : ctx.projects.peek(projectId);
  // At once when cached: the polling reads answer without a turn of the event loop (shared/maybe-sync.ts).
  if (cached) return cached;
  return loadProject(ctx, projectId, tx);
}

async function loadProject(ctx: AppContext, projectId: string, tx: Executor | undefined): Promise<ProjectRow> {
  const project = tx ? await store.findProject(tx, projectId) : await ctx.projects.get(ctx.database.db, projectId);
  if (!project) throw new AtelierError('projectNotFound', { project: projectId });
  return project;
}

/**
 * Takes the project's lock for the rest of the transaction (Database.lockProject)
 * and answers its row as it is under the lock, or the catalogue's "project not found".
 */
export async function lockedProject(ctx: AppContext, tx: Executor, projectId: string): Promise<ProjectRow> {
  const project = await ctx.database.lockProject(tx, projectId);
  if (!project) throw new AtelierError('projectNotFound', { project: projectId });
  return project;
}

/** Configured defaults, overridden per project by an administrator (decision 3). */
export function quotaLimits(ctx: AppContext, project: ProjectRow): QuotaLimits {
  return {
    pool: project.pool_quota ?? ctx.config.quotas.pool,
    network: project.network_quota ?? ctx.config.quotas.network,
  };
}

// What other rooms read and write of projects (identity, seed, the command line):
// they go through these, never through the store.

/** The project's row, or undefined; no cache (see requireProject for the read paths). */
export const findProject = (db: Executor, id: string): Promise<ProjectRow | undefined> => store.findProject(db, id);

/** Every project, by id. */
export const listProjects = (db: Executor): Promise<ProjectRow[]> => store.listProjects(db);

/**
 * Sets or removes (null) a project's quota overrides; undefined leaves one as it
 * is. Answers whether the project exists.
 */
export const setProjectQuotas = (
  db: Executor,
  id: string,
  quotas: { pool?: number | null; network?: number | null },
): Promise<boolean> => store.updateProjectQuotas(db, id, quotas);

/**
 * Makes the project exist and belong to the account: creates it, or gives a
 * project that has no account yet to this one. 'foreign': it belongs to another
 * account, and nothing changed.
 */
export async function ensureOwnedProject(
  db: Executor,
  project: { id: string; name: string; accountId: string; at: Date },
): Promise<'created' | 'owned' | 'foreign'> {
  const { id, name, accountId, at } = project;
  if (await store.insertProjectIfMissing(db, id, name, at, accountId)) return 'created';
  const existing = await store.findProject(db, id);
  if (existing?.account_id && existing.account_id !== accountId) return 'foreign';
  if (!existing?.account_id) await store.setProjectAccount(db, id, accountId);
  return 'owned';
}
