import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import { deleteState } from '../db/reset.js';
import { bootstrapIdentity, DEFAULT_ACCOUNT } from '../identity/bootstrap.js';
import { admitEveryWaitingPool } from '../pools/pool.capacity.js';
import { requireProject } from '../projects/project.service.js';
import { loadSeedFile } from '../seed/seed.loader.js';
import type { ResetBody, ResetResult } from './admin.schema.js';

/**
 * POST /_atelier/reset (docs/emulator.md): all state or one project's resources,
 * keeping or dropping identities, in one transaction. Which tables that touches,
 * and how each belongs to a project, is db/tables.ts.
 */
/** Where a reset says what its reseed did: the request's log, or the command line's. */
export type ResetLog = Pick<FastifyBaseLogger, 'info' | 'warn'>;

export async function resetState(ctx: AppContext, body: ResetBody, log: ResetLog): Promise<ResetResult> {
  const { database } = ctx;
  const projectId = body.project;
  const keepIdentities = body.keepIdentities ?? true;
  const removed = await database.transaction(async (tx) => {
    if (projectId !== undefined) {
      await database.lockProject(tx, projectId);
      await requireProject(ctx, projectId, tx);
    }
    const gone = await deleteState(tx, { projectId, keepIdentities });
    // Nodes a reset project held are free again for the others' waiting pools.
    if (projectId !== undefined) await admitEveryWaitingPool(ctx, tx);
    return {
      pools: gone.pools ?? 0,
      networks: gone.networks ?? 0,
      events: gone.events ?? 0,
      faults: gone.faults ?? 0,
      projects: gone.projects ?? 0,
    };
  });
  if (projectId === undefined) {
    ctx.lifecycle.reset();
    ctx.clockOffset.setOffset(0);
  }
  ctx.projects.forget();
  ctx.identity.forget();
  if (!keepIdentities) {
    // The configured bootstrap project and key are part of the installation, not of its state.
    if (ctx.config.bootstrap.projectId) await bootstrapIdentity(ctx.config, database, ctx.identity);
    else await ctx.identity.ensureAccount(DEFAULT_ACCOUNT);
  }
  if (body.reseed) await reseed(ctx, log);
  ctx.wakeEngine();
  return { scope: projectId === undefined ? 'all' : 'project', ...(projectId ? { project: projectId } : {}), removed };
}

/** Loads the configured seed file again; a reseed with none to load is worth a warning, not an error. */
async function reseed(ctx: AppContext, log: ResetLog): Promise<void> {
  const seedFile = ctx.config.seedFile;
  if (!seedFile) {
    log.warn('reset asked to reseed, but no seed file is configured (ATELIER_SEED_FILE): nothing was seeded');
    return;
  }
  log.info({ seedFile, loaded: await loadSeedFile(ctx, seedFile) }, 'seed file loaded');
}
