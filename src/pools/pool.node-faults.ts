import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import {
  faultMatches,
  findFaultedPool,
  markFaultedPool,
  selectFaults,
  takeFaults,
  type FaultOperation,
  type FaultRecord,
} from '../faults/fault.service.js';
import { moveNodes, movePoolNodes, setNodesDriver } from '../nodes/node.move.js';
import {
  selectNodesAnnotated,
  selectNodesInPhase,
  selectPoolNodesAnnotated,
  type NodeRecord,
} from '../nodes/node.reads.js';
import { movePool, rollUpEvent } from './pool.move.js';
import { faultTargetOf } from './pool.faults.js';
import { poolTallies } from './pool.nodes.js';
import type { PoolRecord } from './pool.record.js';
import { findPoolById, lockPoolById, selectPoolsInPhases } from './pool.store.js';

/**
 * The emulator's node faults (docs/emulator.md, "Node faults"): a node that
 * fails to come up (it ends Abnormal), a node that turns Abnormal, a node whose
 * driver turns Abnormal. A faulted node carries FAULT_ANNOTATION (the fault's
 * id) until the fault is cleared, which heals it. An Abnormal node makes its
 * pool Abnormal; the pool is Running again once none of its nodes is Abnormal.
 * Every node change is counted (node.move.ts) and rolled up (rollUpEvent).
 */
export const FAULT_ANNOTATION = 'atelier.io/fault';

const nodeTarget = (pool: PoolRecord, node: NodeRecord) => ({
  ...faultTargetOf(pool),
  flavors: [node.flavor],
  nodeName: node.name,
});

const marked = (node: NodeRecord, fault: FaultRecord) => ({
  ...node.annotations,
  [FAULT_ANNOTATION]: String(fault.id),
});

/** Nodes of `nodes` that a fault of `operation` hits, each consuming one use. */
async function hit(tx: Executor, operation: FaultOperation, pool: PoolRecord, nodes: readonly NodeRecord[]) {
  const taken = await takeFaults(
    tx,
    operation,
    nodes.map((n) => nodeTarget(pool, n)),
  );
  return [...taken].map(([index, fault]) => ({ node: nodes[index], fault }));
}

/** Makes nodes Abnormal (from `from`), each marked with its fault. */
async function sicken(
  tx: Executor,
  hits: Array<{ node: NodeRecord; fault: FaultRecord }>,
  from: 'Creating' | 'Available' | 'Checking',
) {
  let moved = 0;
  for (const { node, fault } of hits) {
    moved += (await moveNodes(tx, [node], from, 'Abnormal', { annotations: marked(node, fault), dueAt: null })).length;
  }
  return moved;
}

/**
 * Before a node step: the due Creating nodes a `nodeCreate` or `nodeAbnormal`
 * fault hits end Abnormal instead of coming up. Returns the nodes left to step.
 */
export async function failingNodes(tx: Executor, pool: PoolRecord, due: readonly NodeRecord[]): Promise<NodeRecord[]> {
  const creating = due.filter((n) => n.phase === 'Creating');
  // A node being rebooted or reset that a `nodeReboot` fault hits does not come back.
  const checking = due.filter((n) => n.phase === 'Checking');
  if (creating.length === 0 && checking.length === 0) return [...due];
  const hits = [
    ...(await hit(tx, 'nodeCreate', pool, creating)),
    ...(await hit(tx, 'nodeAbnormal', pool, creating)),
  ].filter((h, i, all) => all.findIndex((o) => o.node.id === h.node.id) === i);
  const rebootHits = checking.length > 0 ? await hit(tx, 'nodeReboot', pool, checking) : [];
  if (hits.length === 0 && rebootHits.length === 0) return [...due];
  await sicken(tx, hits, 'Creating');
  await sicken(tx, rebootHits, 'Checking');
  const failed = new Set([...hits, ...rebootHits].map((h) => h.node.id));
  return due.filter((n) => !failed.has(n.id));
}

/** After a node step: accelerator nodes that came up under a `driverAbnormal` fault get an Abnormal driver. */
export async function faultDrivers(tx: Executor, pool: PoolRecord, stepped: readonly NodeRecord[]): Promise<void> {
  const accelerated = stepped.filter((n) => n.driverPhase !== null && n.phase === 'Creating');
  for (const { node, fault } of await hit(tx, 'driverAbnormal', pool, accelerated)) {
    const up = { ...node, phase: 'Available' as const };
    await setNodesDriver(tx, [up], 'Available', { driverPhase: 'Abnormal', annotations: marked(node, fault) });
  }
}

/** status.message of a pool its nodes hold Abnormal. */
export const nodesAbnormalMessage = (abnormal: number) =>
  `Pool abnormal: ${abnormal} node(s) Abnormal (emulator fault).`;

/** Node faults that hold a node Abnormal; a `driverAbnormal` fault holds only its driver. */
const HOLD_NODE: ReadonlySet<FaultOperation> = new Set<FaultOperation>(['nodeCreate', 'nodeAbnormal', 'nodeReboot']);

/**
 * The Abnormal nodes of a pool that a node fault of their own marks: `held` stay
 * Abnormal when the pool's own sickness ends, `driver` come back Available with
 * the Abnormal driver their fault gave them. Nodes whose fault is gone are neither.
 */
export async function nodesFaultsHold(
  tx: Executor,
  poolId: number,
): Promise<{ held: NodeRecord[]; driver: NodeRecord[] }> {
  const marked = await selectPoolNodesAnnotated(tx, poolId, FAULT_ANNOTATION, ['Abnormal']);
  if (marked.length === 0) return { held: [], driver: [] };
  const faults = new Map((await selectFaults(tx)).map((f) => [String(f.id), f.operation]));
  const operationOf = (n: NodeRecord) => faults.get(n.annotations[FAULT_ANNOTATION]);
  return {
    held: marked.filter((n) => HOLD_NODE.has(operationOf(n) as FaultOperation)),
    driver: marked.filter((n) => operationOf(n) === 'driverAbnormal'),
  };
}

/**
 * The pool's own sickness is over (its fault cleared or recovered, the simulate
 * label's round trip): its Abnormal nodes are Available again, except those that
 * a node fault of their own holds (nodesFaultsHold). The caller moves the pool
 * and writes the roll-up event.
 */
export async function healPoolNodes(
  tx: Executor,
  poolId: number,
  hold: { held: readonly NodeRecord[]; driver: readonly NodeRecord[] },
): Promise<void> {
  for (const node of hold.driver) {
    await moveNodes(tx, [node], 'Abnormal', 'Available', { driverPhase: 'Abnormal', deletingAt: null, dueAt: null });
  }
  await movePoolNodes(
    tx,
    poolId,
    ['Abnormal'],
    'Available',
    { deletingAt: null, dueAt: null },
    hold.held.map((n) => n.id),
  );
}

/**
 * Whether the pool is Abnormal for a cause of its own (a pool fault, the simulate
 * label, the seed), not only because of its nodes (poolFollowsNodes marks those
 * with no fault and no recovery time): its nodes stay Abnormal while it lasts.
 */
async function poolSickItself(tx: Executor, pool: PoolRecord): Promise<boolean> {
  if (pool.phase !== 'Abnormal') return false;
  const mark = await findFaultedPool(tx, pool.id);
  return !(mark !== undefined && mark.faultId === null && pool.dueAt === null);
}

/** A Running pool with an Abnormal node turns Abnormal (its other nodes stay as they are). */
export async function poolFollowsNodes(ctx: AppContext, tx: Executor, pool: PoolRecord): Promise<void> {
  const current = await findPoolById(tx, pool.id);
  if (!current) return;
  // Nodes being rebooted (Checking) share the abnormal bucket but do not make the pool Abnormal.
  const abnormal = (await poolTallies(tx, pool.id))
    .filter((t) => t.phase === 'Abnormal')
    .reduce((n, t) => n + t.count, 0);
  if (current.phase === 'Running' && abnormal > 0) {
    const message = nodesAbnormalMessage(abnormal);
    if (await movePool(ctx, tx, current, 'Abnormal', { message, dueAt: null }, 'node abnormal', 'stay')) {
      await markFaultedPool(tx, pool.id, null);
    }
  } else if (current.phase === 'Abnormal' && abnormal === 0) {
    await movePool(ctx, tx, current, 'Running', { message: null, dueAt: null }, 'recovered', 'stay');
  }
}

/**
 * A `nodeAbnormal` or `driverAbnormal` fault applied at once: matching Available
 * nodes of Running or Abnormal pools, oldest pool first, as many as the fault has
 * uses. Returns the names of the nodes it hit.
 */
export async function applyNodeFault(ctx: AppContext, tx: Executor, fault: FaultRecord): Promise<string[]> {
  const applied: string[] = [];
  for (const pool of await selectPoolsInPhases(tx, fault.projectId, ['Running', 'Abnormal'])) {
    if (applied.length >= fault.remaining) break;
    if (!faultMatches({ ...fault, namePattern: null }, faultTargetOf(pool))) continue;
    await ctx.database.lockProject(tx, pool.projectId);
    const locked = await lockPoolById(ctx.database, tx, pool.id);
    if (!locked) continue;
    const before = await poolTallies(tx, pool.id);
    for (const nodePool of new Set(before.map((t) => t.nodePool))) {
      const available = await selectNodesInPhase(tx, pool.id, nodePool, ['Available'], 100_000);
      const hits = await hit(tx, fault.operation, locked, available);
      if (fault.operation === 'nodeAbnormal') await sicken(tx, hits, 'Available');
      else {
        for (const { node, fault: f } of hits) {
          await setNodesDriver(tx, [node], 'Available', { driverPhase: 'Abnormal', annotations: marked(node, f) });
        }
      }
      applied.push(...hits.map((h) => h.node.name));
    }
    await rollUpEvent(ctx, tx, locked, before);
    await poolFollowsNodes(ctx, tx, locked);
  }
  return applied;
}

/** Heals the nodes the given faults hit (all node faults when undefined); returns their names. */
export async function healFaultedNodes(ctx: AppContext, tx: Executor, faultIds: readonly number[]): Promise<string[]> {
  const nodes = await selectNodesAnnotated(
    tx,
    FAULT_ANNOTATION,
    faultIds.map((id) => String(id)),
  );
  const healed: string[] = [];
  for (const poolId of [...new Set(nodes.map((n) => n.poolId))].sort((a, b) => a - b)) {
    const pool = await findPoolById(tx, poolId);
    if (!pool) continue;
    await ctx.database.lockProject(tx, pool.projectId);
    await lockPoolById(ctx.database, tx, poolId);
    const before = await poolTallies(tx, poolId);
    // A node of a pool Abnormal by its own fault stays Abnormal with it (healPoolNodes heals it).
    const sick = await poolSickItself(tx, pool);
    for (const node of nodes.filter((n) => n.poolId === poolId)) {
      const { [FAULT_ANNOTATION]: _, ...annotations } = node.annotations;
      const changes = { annotations, ...(node.driverPhase === null ? {} : { driverPhase: 'Running' as const }) };
      const moved =
        node.phase === 'Abnormal' && sick
          ? await moveNodes(tx, [node], 'Abnormal', 'Abnormal', { annotations })
          : node.phase === 'Abnormal'
            ? await moveNodes(tx, [node], 'Abnormal', 'Available', changes)
            : await setNodesDriver(tx, [node], node.phase, changes);
      if (moved.length > 0) healed.push(node.name);
    }
    await rollUpEvent(ctx, tx, pool, before);
    await poolFollowsNodes(ctx, tx, pool);
  }
  return healed;
}
