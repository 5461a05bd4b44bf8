import type { AppContext } from '../context.js';
import { WriteConflict, type Executor } from '../db/database.js';
import { badRequest } from '../errors.js';
import { startJob } from '../jobs/job.service.js';
import { rollUpEvent } from '../pools/pool.move.js';
import { poolTallies } from '../pools/pool.nodes.js';
import type { PoolRecord } from '../pools/pool.record.js';
import { checkUnique, DRAIN_ANNOTATION, DRAIN_TAINT, inPool, requireNodes, without } from './node.actions.js';
// The job kinds of these actions are registered by loading node.jobs.ts.
import './node.jobs.js';
import type { RestartType } from './node.jobs.js';
import { NODE_REBOOTABLE, NODE_RESETTABLE, type NodePhase } from './node.lifecycle.js';
import { moveNodes } from './node.move.js';
import type { NodeChanges, NodeRecord } from './node.record.js';
import type { BatchRebootAnswer, BatchRebootBody, BatchResetBody, JobAnswer, NodeSpec } from './node.schema.js';

/**
 * batch-reboot and batch-reset (nodepools-nodes-jobs.md §2.2–2.3, decisions 24
 * and 25): checked whole before anything changes, then, in one transaction
 * under the project and pool locks, the nodes go `Checking` (counted in the
 * pool's abnormal bucket, with the roll-up event) and a job starts that the
 * engine drives to its end (node.jobs.ts). Scheduled events run the same way
 * (restartPoolNodes).
 */

/** What a restart does to one node besides its phase: a reboot or reset ends a drain (D-N6); a reset may re-image. */
function restartChanges(node: NodeRecord, reset?: BatchResetBody['nodeConfig']): NodeChanges | undefined {
  const changes: NodeChanges = {};
  if (node.taints.some((t) => t.key === DRAIN_TAINT)) {
    changes.taints = node.taints.filter((t) => t.key !== DRAIN_TAINT);
    changes.annotations = without(node.annotations, DRAIN_ANNOTATION);
  }
  if (reset && Object.keys(reset).length > 0) {
    const spec: NodeSpec = { ...node.spec };
    const { runtime, os, ...image } = reset;
    if (os !== undefined || Object.keys(image).length > 0) {
      spec.os = { ...(node.spec.os ?? {}), ...image, ...(os !== undefined ? { name: os } : {}) };
    }
    if (runtime) spec.extendParams = { ...(node.spec.extendParams ?? {}), runtime };
    changes.spec = spec;
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/** What a restart needs to know: the job type, the phases it takes nodes from, the reset's new image. */
export interface Restart {
  type: RestartType;
  from: ReadonlySet<NodePhase>;
  nodeConfig?: BatchResetBody['nodeConfig'];
  /** The request body, served back as the job's `inputs`. */
  inputs: unknown;
}

/**
 * Moves the named nodes of a locked pool into Checking and starts their job, in
 * `tx`; refuses (changing nothing) names the pool lacks and nodes in a phase
 * the restart does not take. Returns the job's id.
 */
export async function restartPoolNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  names: readonly string[],
  restart: Restart,
): Promise<string> {
  const nodes = await requireNodes(tx, pool, names, 'nodeNames');
  const wrong = nodes.filter((n) => !restart.from.has(n.phase)).map((n) => `${n.name} (${n.phase})`);
  if (wrong.length > 0) {
    throw badRequest(`nodeNames: only ${[...restart.from].join(' or ')} nodes can be restarted: ${wrong.join(', ')}`);
  }
  const before = await poolTallies(tx, pool.id);
  let moved = 0;
  const plain: NodeRecord[] = [];
  for (const node of nodes) {
    const changes = restartChanges(node, restart.nodeConfig);
    if (!changes) plain.push(node);
    else moved += (await moveNodes(tx, [node], node.phase, 'Checking', { ...changes, dueAt: null })).length;
  }
  for (const from of restart.from) moved += (await moveNodes(tx, plain, from, 'Checking', { dueAt: null })).length;
  // A node another writer moved since it was read: the whole transaction runs again.
  if (moved !== nodes.length) throw new WriteConflict(pool.name);
  await rollUpEvent(ctx, tx, pool, before);
  const job = await startJob(ctx, tx, {
    type: restart.type,
    projectId: pool.projectId,
    poolName: pool.name,
    nodeNames: names,
    inputs: restart.inputs,
  });
  return job.jobId;
}

export async function batchRebootNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchRebootBody,
): Promise<BatchRebootAnswer> {
  checkUnique(body.nodeNames, 'nodeNames');
  const restart: Restart = { type: 'reboot-node', from: NODE_REBOOTABLE, inputs: body };
  const jobId = await inPool(ctx, projectId, poolName, (tx, pool) =>
    restartPoolNodes(ctx, tx, pool, body.nodeNames, restart),
  );
  return { job_id: jobId, nodeNames: body.nodeNames };
}

export async function batchResetNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchResetBody,
): Promise<JobAnswer> {
  checkUnique(body.nodeNames, 'nodeNames');
  const restart: Restart = { type: 'reset-nodes', from: NODE_RESETTABLE, nodeConfig: body.nodeConfig, inputs: body };
  const jobId = await inPool(ctx, projectId, poolName, (tx, pool) =>
    restartPoolNodes(ctx, tx, pool, body.nodeNames, restart),
  );
  return { job_id: jobId };
}

/** The phases each restart takes a node from. */
export const RESTART_FROM: Readonly<Record<RestartType, ReadonlySet<NodePhase>>> = {
  'reboot-node': NODE_REBOOTABLE,
  'reset-nodes': NODE_RESETTABLE,
};
