import type { AppContext } from '../context.js';
import { WriteConflict, type Executor } from '../db/database.js';
import { AtelierError, badRequest } from '../errors.js';
import type { JobKind } from '../jobs/job.kinds.js';
import { failed, nodesBack, waitFor } from './node.job-progress.js';
import { startJob } from '../jobs/job.service.js';
import { POOL_SCALABLE } from '../pools/pool.lifecycle.js';
import { movePool, rollUpEvent } from '../pools/pool.move.js';
import { nodePoolOf, poolTallies } from '../pools/pool.nodes.js';
import { findPool, lockPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import type { PoolResource, PoolSpec } from '../pools/pool.schema.js';
import { checkUnique, inPool, requireNodes, specWithout } from './node.actions.js';
import { moveNodes, transferNodes } from './node.move.js';
import { NODE_POOL_LABEL, NODE_POOL_NAME_LABEL, nodePoolId } from './node.plan.js';
import type { NodeRecord } from './node.record.js';
import type { BatchMigrateBody, JobAnswer } from './node.schema.js';
import { selectNodesByName } from './node.store.js';

/**
 * batch-migrate (nodepools-nodes-jobs.md §2.3): Available nodes move to another
 * Running pool of the same project, with an entry of their flavor, on the same
 * network (a node keeps its private IP); a node's cluster is its pool. The
 * action checks everything, moves the nodes Checking and starts a
 * `migrate-nodes` job; the job's start moves them over (both pools' specs,
 * counts and roll-up events follow, the pools locked in id order); the engine's
 * node step brings them up in the target; the job then ends as a reboot does.
 */

const CLUSTER_LABEL = 'os.modelarts.node/cluster';

/** The target pool of a migration, from the request: its cluster is its name. */
export const targetOf = (body: BatchMigrateBody): string => body.toPoolName ?? body.toClusterName;

/** The target's entry the nodes join: the node pool named, or the first of their flavor. */
function entryFor(target: PoolRecord, flavor: string, nodePool?: string): PoolResource | undefined {
  return target.spec.resources.find(
    (r) => r.flavor === flavor && (nodePool === undefined || nodePoolOf(r) === nodePool),
  );
}

/** The checks of both pools and the nodes; throws the refusal. */
function checkMigration(
  source: PoolRecord,
  target: PoolRecord | undefined,
  nodes: NodeRecord[],
  body: BatchMigrateBody,
) {
  if (!target) throw new AtelierError('poolNotFound', { name: targetOf(body) });
  if (!POOL_SCALABLE.has(target.phase)) throw badRequest(`target pool ${target.name} is ${target.phase}, not Running`);
  if (target.networkName !== source.networkName) {
    throw badRequest(`target pool ${target.name} is on another network; nodes keep their private IPs`);
  }
  const wrong = nodes.filter((n) => n.phase !== 'Available').map((n) => `${n.name} (${n.phase})`);
  if (wrong.length > 0) throw badRequest(`migrateNodeNames: only Available nodes migrate: ${wrong.join(', ')}`);
  const flavor = body.resourceSpec?.flavor;
  for (const node of nodes) {
    if (flavor !== undefined && flavor !== node.flavor) {
      throw badRequest(`resourceSpec.flavor: ${node.name} is ${node.flavor}, not ${flavor}`);
    }
    if (!entryFor(target, node.flavor, body.resourceSpec?.nodePool)) {
      throw badRequest(`target pool ${target.name} has no node pool of flavor ${node.flavor}`);
    }
  }
}

export async function batchMigrateNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchMigrateBody,
): Promise<JobAnswer> {
  checkUnique(body.migrateNodeNames, 'migrateNodeNames');
  if (body.fromClusterName !== poolName) {
    throw badRequest(`fromClusterName: the nodes of pool ${poolName} are in cluster ${poolName}`);
  }
  if (body.toPoolName !== undefined && body.toClusterName !== body.toPoolName) {
    throw badRequest(`toClusterName: pool ${body.toPoolName} is cluster ${body.toPoolName}`);
  }
  if (targetOf(body) === poolName) throw badRequest('toClusterName: the nodes are in that cluster already');
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    if (!POOL_SCALABLE.has(pool.phase)) throw badRequest(`pool ${poolName} is ${pool.phase}, not Running`);
    const nodes = await requireNodes(tx, pool, body.migrateNodeNames, 'migrateNodeNames');
    checkMigration(pool, await findPool(tx, projectId, targetOf(body)), nodes, body);
    const before = await poolTallies(tx, pool.id);
    const live = before.filter((t) => t.phase !== 'Deleting').reduce((n, t) => n + t.count, 0);
    if (live - nodes.length < 1) throw badRequest(`migrateNodeNames: at least one node must stay in pool ${poolName}`);
    const moved = await moveNodes(tx, nodes, 'Available', 'Checking', { dueAt: null });
    if (moved.length !== nodes.length) throw new WriteConflict(poolName);
    await rollUpEvent(ctx, tx, pool, before);
    const job = await startJob(ctx, tx, {
      type: 'migrate-nodes',
      projectId,
      poolName,
      nodeNames: body.migrateNodeNames,
      inputs: body,
    });
    return { job_id: job.jobId };
  });
}

/** The target's spec with the nodes counted in. */
function specWith(spec: PoolSpec, nodes: readonly NodeRecord[], nodePoolOfNode: (n: NodeRecord) => string): PoolSpec {
  const resources = spec.resources.map((r) => ({ ...r }));
  for (const node of nodes) {
    const entry = resources.find((r) => r.flavor === node.flavor && nodePoolOf(r) === nodePoolOfNode(node));
    if (!entry) continue;
    entry.count += 1;
    entry.maxCount = Math.max(entry.maxCount ?? 0, entry.count);
    entry.azs = undefined;
  }
  return { ...spec, resources: resources.map(({ azs, ...r }) => (azs ? { ...r, azs } : r)) };
}

/** The nodes go back to Available in their own pool: the migration could not happen. */
async function giveBack(ctx: AppContext, tx: Executor, source: PoolRecord, nodes: NodeRecord[], reason: string) {
  const before = await poolTallies(tx, source.id);
  await moveNodes(tx, nodes, 'Checking', 'Available', { dueAt: null });
  await rollUpEvent(ctx, tx, source, before);
  return failed(reason);
}

async function startMigration(ctx: AppContext, tx: Executor, job: Parameters<JobKind['start']>[2]) {
  const body = job.inputs as BatchMigrateBody;
  const [a, b] = [await findPool(tx, job.projectId, job.poolName), await findPool(tx, job.projectId, targetOf(body))];
  // Both rows locked, in id order (lock order pool → nodes → counts; two pools by id).
  const locked = new Map<number, PoolRecord | undefined>();
  for (const p of [a, b].filter((x): x is PoolRecord => !!x).sort((x, y) => x.id - y.id)) {
    locked.set(p.id, await lockPool(ctx.database, tx, p.projectId, p.name));
  }
  const source = a && locked.get(a.id);
  if (!source) return failed(`Pool ${job.poolName} no longer exists.`);
  const nodes = (await selectNodesByName(tx, source.id, job.nodeNames)).filter((n) => n.phase === 'Checking');
  const target = b && locked.get(b.id);
  try {
    checkMigration(
      source,
      target,
      nodes.map((n) => ({ ...n, phase: 'Available' as const })),
      body,
    );
  } catch (error) {
    if (!(error instanceof AtelierError)) throw error;
    return giveBack(ctx, tx, source, nodes, `The nodes stay in pool ${source.name}: ${error.message}`);
  }
  const into = target as PoolRecord;
  const taken = await selectNodesByName(tx, into.id, job.nodeNames);
  if (taken.length > 0) return giveBack(ctx, tx, source, nodes, `Pool ${into.name} has nodes of these names.`);
  const nodePoolOfNode = (n: NodeRecord) => nodePoolOf(entryFor(into, n.flavor, body.resourceSpec?.nodePool)!);
  const [beforeA, beforeB] = [await poolTallies(tx, source.id), await poolTallies(tx, into.id)];
  const dueAt = ctx.lifecycle.dueAfter(['nodeReset'], ctx.clock.now());
  let moved: NodeRecord[] = [];
  for (const node of nodes) {
    const nodePool = nodePoolOfNode(node);
    moved = moved.concat(
      await transferNodes(tx, [node], {
        poolId: into.id,
        nodePool,
        dueAt,
        labels: (n) => ({
          ...n.labels,
          [NODE_POOL_LABEL]: nodePoolId(into.name, nodePool),
          [NODE_POOL_NAME_LABEL]: nodePool,
          [CLUSTER_LABEL]: into.name,
        }),
      }),
    );
  }
  if (moved.length !== nodes.length) throw new WriteConflict(source.name);
  if (!(await movePool(ctx, tx, source, source.phase, { spec: specWithout(source.spec, nodes) }))) {
    throw new WriteConflict(source.name);
  }
  if (!(await movePool(ctx, tx, into, into.phase, { spec: specWith(into.spec, nodes, nodePoolOfNode) }))) {
    throw new WriteConflict(into.name);
  }
  await rollUpEvent(ctx, tx, source, beforeA);
  await rollUpEvent(ctx, tx, into, beforeB);
  return waitFor(ctx, moved);
}

/** The job of a migration: its start moves the nodes over; its checks wait for them in the target. */
export const migrateKind: JobKind = {
  start: startMigration,
  async check(ctx, tx, job) {
    const target = await findPool(tx, job.projectId, targetOf(job.inputs as BatchMigrateBody));
    if (!target) return failed(`Pool ${targetOf(job.inputs as BatchMigrateBody)} no longer exists.`);
    return nodesBack(ctx, tx, job, target.id);
  },
};
