import type { AppContext } from '../context.js';
import { endWith, type Executor } from '../db/database.js';
import type { ProjectRow } from '../db/schema.js';
import { AtelierError } from '../errors.js';
import { NETWORK_COUNTED_PHASES } from '../networks/network.lifecycle.js';
import { POOL_QUOTA_PHASES } from '../pools/pool.lifecycle.js';
import { quotaLimits, requireProject } from '../projects/project.service.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';
import type { ShowOsQuotaResponse } from './quota.schema.js';
import {
  countUsageByPhase,
  moveQuotaCount,
  moveUsage as moveUsageCells,
  readUsage,
  poolQuotaTakeStatement,
  type CountedKind,
  type UsageCounter,
} from './usage.store.js';

// The usage counters as other rooms keep and read them: every change of a
// counted resource moves its counter in the same transaction (STYLE §4).
export {
  readQuotaCount,
  readWorkspaceUsage,
  sumUsageByPhase,
  usageCounter,
  type CountedKind,
  type UsageCounter,
} from './usage.store.js';

const COUNTED: Record<CountedKind, ReadonlySet<string>> = {
  pool: POOL_QUOTA_PHASES,
  network: NETWORK_COUNTED_PHASES,
};

function countedIn(kind: CountedKind, byPhase: ReadonlyMap<string, number> | undefined): number {
  let used = 0;
  for (const [phase, n] of byPhase ?? []) if (COUNTED[kind].has(phase)) used += n;
  return used;
}

/**
 * Moves one resource between (workspace, phase) cells of its usage counter, and
 * a pool that enters or leaves the counted phases (decision 2) in its project's
 * quota counter. `from` null is an insert: its quota was taken by takePoolQuota.
 * Called in the same transaction as the row change it mirrors.
 */
export async function moveUsage(
  tx: Executor,
  counter: UsageCounter,
  from: { workspaceId: string; phase: string } | null,
  to: { workspaceId: string; phase: string } | null,
): Promise<void> {
  await moveUsageCells(tx, counter, from, to);
  if (counter.kind !== 'pool' || from === null) return;
  const delta = (to && COUNTED.pool.has(to.phase) ? 1 : 0) - (COUNTED.pool.has(from.phase) ? 1 : 0);
  if (delta !== 0) await moveQuotaCount(tx, counter.projectId, 'pool', delta);
}

/**
 * Takes one pool of the project's quota or makes the transaction throw the quota
 * error, by one conditional update of the project's quota counter (usage.store.ts):
 * no project lock, no count. Call in the transaction that inserts the pool: the
 * update is the transaction's last statement (Database endWith), after its deferred
 * writes, because the counter's row is held from there to the commit and every
 * creation of the project queues on it. When the quota is exhausted the
 * transaction is rolled back, so the error's limit is read from committed state.
 */
export async function takePoolQuota(ctx: AppContext, tx: Executor, projectId: string): Promise<void> {
  await endWith(tx, poolQuotaTakeStatement(tx, projectId, ctx.config.quotas.pool), async () => {
    const project = await requireProject(ctx, projectId, ctx.database.db);
    ctx.signals.emit('quotaRejected', 'pool');
    return new AtelierError('quotaExceeded', {
      resource: 'pool',
      project: projectId,
      limit: quotaLimits(ctx, project).pool,
    });
  });
}

/** Resources of a kind that count against the project's quota (decision 2). */
export async function usedQuota(tx: Executor, projectId: string, kind: CountedKind): Promise<number> {
  return countedIn(kind, await countUsageByPhase(tx, projectId, kind));
}

/**
 * Throws the quota error unless one more resource fits (networks; pools take
 * theirs with takePoolQuota). Call inside the write transaction that inserts it,
 * after lockProject, so concurrent creates serialise.
 */
export async function takeQuota(ctx: AppContext, tx: Executor, project: ProjectRow, kind: CountedKind): Promise<void> {
  const limit = quotaLimits(ctx, project)[kind];
  const used = await usedQuota(tx, project.id, kind);
  if (used >= limit) {
    ctx.signals.emit('quotaRejected', kind);
    throw new AtelierError('quotaExceeded', { resource: kind, project: project.id, limit });
  }
}

/** The project's quotas and usage; at once when the project row and the usage read are reused (the hot-read lane). */
export function showOsQuota(ctx: AppContext, projectId: string): MaybeSync<ShowOsQuotaResponse> {
  return andThen(requireProject(ctx, projectId), (project) =>
    andThen(readUsage(ctx.database, project.id), (usage) => {
      const limits = quotaLimits(ctx, project);
      const pools = countedIn('pool', usage.get('pool'));
      const networks = countedIn('network', usage.get('network'));
      const value = (n: number) => (ctx.config.quotas.valuesAsStrings ? String(n) : n);
      return {
        quotas: {
          resources: [
            { type: 'pool', quota: value(limits.pool), used: value(pools) },
            { type: 'network', quota: value(limits.network), used: value(networks) },
          ],
        },
      };
    }),
  );
}
