import type { AppContext } from '../context.js';
import { bucketOfPhase, FAILED_BUCKET } from '../pools/pool.lifecycle.js';
import { countFailedPools } from '../pools/pool.reads.js';
import { requireProject } from '../projects/project.service.js';
import { readWorkspaceUsage } from '../quotas/quota.service.js';
import { DEFAULT_WORKSPACE } from '../shared/conventions.js';
import { formatGoUtc } from '../shared/go-time.js';
import { andThen, type MaybeSync } from '../shared/maybe-sync.js';
import type { ShowPoolStatisticsResponse } from './statistics.schema.js';

/**
 * Pools per statistics bucket. Live buckets come from the usage counters, the
 * `failed` bucket from an index range bounded by the cap: neither reads the
 * project's pools. At once when the project row and both reads are reused (the
 * hot-read lane), else a promise.
 */
export function showPoolStatistics(
  ctx: AppContext,
  projectId: string,
  workspaceId = DEFAULT_WORKSPACE,
): MaybeSync<ShowPoolStatisticsResponse> {
  return andThen(requireProject(ctx, projectId), () => {
    const now = ctx.clock.now();
    // One after the other: both are usually reused reads that answer at once.
    return andThen(readWorkspaceUsage(ctx.database, projectId, 'pool', workspaceId), (byPhase) =>
      andThen(countFailedPools(ctx.database, projectId, workspaceId, now), (failed) => {
        const status = { created: 0, creating: 0, deleting: 0, failed, pending: 0 };
        for (const [phase, n] of byPhase) {
          const bucket = bucketOfPhase(phase);
          if (bucket && bucket !== FAILED_BUCKET) status[bucket] += n;
        }
        return { statistics: { status }, operationTime: operationTime(now) };
      }),
    );
  });
}

/** formatGoUtc of the last millisecond asked for: a polled endpoint asks for the same one many times. */
let lastOperationTime = { ms: Number.NaN, text: '' };
function operationTime(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastOperationTime.ms) lastOperationTime = { ms, text: formatGoUtc(now) };
  return lastOperationTime.text;
}
