import type { LifecycleStep } from '../engine/lifecycle-policy.js';
import { registerJobKind, type JobKind } from '../jobs/job.kinds.js';
import { findPool, lockPool } from '../pools/pool.reads.js';
import { failed, nodesBack, waitFor } from './node.job-progress.js';
import { migrateKind } from './node.migrate.js';
import { selectNodesByName, updateNodesInPhase } from './node.store.js';

/**
 * The work of the node jobs (decision 25), driven by the engine like any due row:
 * the batch action moved the nodes into `Checking` (their short unavailable
 * phase) in its own transaction; the job's start gives them the time their
 * reboot or reset takes (ATELIER_NODE_REBOOT_SECONDS / _RESET_SECONDS); the
 * engine's node step brings them back Available (or Abnormal, under a
 * `nodeReboot` fault) with the pool's roll-up; the job's checks end it Success
 * once every node is back, Failed if one is not. Every step is a conditional
 * update in the job's transaction, so a replica killed at any point leaves
 * work the next one finishes, once.
 */

/** How long a node of a job of each type stays Checking. */
const STEP_OF: Readonly<Record<'reboot-node' | 'reset-nodes', LifecycleStep>> = {
  'reboot-node': 'nodeReboot',
  'reset-nodes': 'nodeReset',
};

function restartKind(step: LifecycleStep): JobKind {
  return {
    async start(ctx, tx, job) {
      // Lock order pool → nodes, as every node change takes them.
      const pool = await lockPool(ctx.database, tx, job.projectId, job.poolName);
      if (!pool) return failed(`Pool ${job.poolName} no longer exists.`);
      const checking = (await selectNodesByName(tx, pool.id, job.nodeNames)).filter((n) => n.phase === 'Checking');
      const dueAt = ctx.lifecycle.dueAfter([step], ctx.clock.now());
      const timed = await updateNodesInPhase(
        tx,
        checking.map((n) => n.id),
        'Checking',
        { dueAt },
      );
      return timed.length > 0 ? waitFor(ctx, timed) : nodesBack(ctx, tx, job, pool.id);
    },
    async check(ctx, tx, job) {
      const pool = await findPool(tx, job.projectId, job.poolName);
      if (!pool) return failed(`Pool ${job.poolName} no longer exists.`);
      return nodesBack(ctx, tx, job, pool.id);
    },
  };
}

// Registered once, when the node actions that start these jobs are loaded.
registerJobKind('reboot-node', restartKind(STEP_OF['reboot-node']));
registerJobKind('reset-nodes', restartKind(STEP_OF['reset-nodes']));
registerJobKind('migrate-nodes', migrateKind);

/** The job type of each restarting action. */
export type RestartType = keyof typeof STEP_OF;
