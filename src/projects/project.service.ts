import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import type { ProjectRow } from '../db/schema.js';
import { AtelierError } from '../errors.js';
import { findProject, listProjects, updateProjectQuotas } from './project.store.js';

export interface QuotaLimits {
  pool: number;
  network: number;
}

/**
 * The project a request names, or the catalogue's "project not found". Inside a
 * transaction it reads the row; on read paths it may use the short-lived cache.
 */
export async function requireProject(ctx: AppContext, projectId: string, tx?: Executor): Promise<ProjectRow> {
  const cached = tx ? undefined : ctx.projects.peek(projectId);
  if (cached) return cached;
  const project = tx ? await findProject(tx, projectId) : await ctx.projects.get(ctx.database.db, projectId);
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

/** A project's row, or undefined: for the bootstrap, which runs before any request. */
export async function findProjectById(tx: Executor, id: string): Promise<ProjectRow | undefined> {
  return findProject(tx, id);
}

/** Every project, by id: for the command line, which may not read the projects table itself. */
export async function listAllProjects(tx: Executor): Promise<ProjectRow[]> {
  return listProjects(tx);
}

/**
 * Sets a project's quota overrides (`null` removes one); false when there is no such project.
 * The command line refuses a call that changes nothing before it gets here.
 */
export async function setProjectQuotas(
  tx: Executor,
  id: string,
  quotas: { pool?: number | null; network?: number | null },
): Promise<boolean> {
  return updateProjectQuotas(tx, id, quotas);
}
