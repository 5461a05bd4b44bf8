import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { MANUAL_DUE } from '../engine/lifecycle-policy.js';
import type { JobProgress } from '../jobs/job.kinds.js';
import { JOB_CHECK_INTERVAL_MS } from '../jobs/job.lifecycle.js';
import type { JobRecord } from '../jobs/job.record.js';
import type { NodeRecord } from './node.record.js';
import { selectNodesByName } from './node.store.js';

/** How a node job stands, from its nodes (node.jobs.ts, node.migrate.ts). */

export const failed = (reason: string): JobProgress => ({ state: 'failed', reason });

/** Still waiting for the nodes: checked again when the last is due, or after the interval. */
export function waitFor(ctx: AppContext, nodes: readonly NodeRecord[]): JobProgress {
  const now = ctx.clock.now().getTime();
  const latest = Math.max(...nodes.map((n) => n.dueAt?.getTime() ?? 0));
  // A node past its due time (its step not run yet, or in manual mode): ask again soon.
  const checkAt = latest >= now && latest < MANUAL_DUE.getTime() ? latest : now + JOB_CHECK_INTERVAL_MS;
  return { state: 'running', checkAt: new Date(checkAt) };
}

/** The job's nodes as they stand; the failures named, Success when every node is back Available. */
export async function nodesBack(ctx: AppContext, tx: Executor, job: JobRecord, poolId: number): Promise<JobProgress> {
  const nodes = await selectNodesByName(tx, poolId, job.nodeNames);
  const waiting = nodes.filter((n) => n.phase === 'Checking');
  if (waiting.length > 0) return waitFor(ctx, waiting);
  const found = new Map(nodes.map((n) => [n.name, n]));
  const down = job.nodeNames
    .filter((name) => found.get(name)?.phase !== 'Available')
    .map((name) => `${name} (${found.get(name)?.phase ?? 'gone'})`);
  if (down.length > 0) return failed(`Node(s) did not come back Available: ${down.join(', ')}.`);
  return { state: 'success' };
}
