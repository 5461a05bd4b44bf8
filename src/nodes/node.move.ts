import type { Executor } from '../db/database.js';
import { canMoveNode, DRIVER_FOR, type NodePhase } from './node.lifecycle.js';
import type { NodeChanges, NodeRecord, NodeTally } from './node.record.js';
import {
  addToTallies,
  deleteDeletingNodes,
  deleteNodesById,
  reflavorNode,
  transferNode,
  updateNodesInPhase,
  updatePoolNodes,
} from './node.store.js';
import { interruptNodeWorkloads, terminatePoolWorkloads } from '../workloads/workload.nodes.js';

/**
 * The ways nodes change (STYLE §5), each in the caller's transaction and each
 * keeping node_counts equal to the nodes: a move is checked against
 * NODE_TRANSITIONS, applied only to nodes still in the phase read (so a node
 * moves once however many writers try), and counted. The pool's roll-up and its
 * event are the pool's business (pools/pool.nodes.ts).
 */

const tally = (node: NodeRecord, phase: NodePhase, count: number): NodeTally => ({
  poolId: node.poolId,
  nodePool: node.nodePool,
  flavor: node.flavor,
  phase,
  count,
});

/** Counts nodes just inserted. */
export async function countNewNodes(tx: Executor, nodes: readonly NodeRecord[]): Promise<void> {
  await addToTallies(
    tx,
    nodes.map((n) => tally(n, n.phase, 1)),
  );
}

/**
 * Moves the nodes that are still in `from` to `to`; the driver follows the node
 * (decision 22) unless `changes` says otherwise. Returns the nodes moved.
 */
export async function moveNodes(
  tx: Executor,
  nodes: readonly NodeRecord[],
  from: NodePhase,
  to: NodePhase,
  changes: NodeChanges = {},
): Promise<NodeRecord[]> {
  if (!canMoveNode(from, to)) throw new Error(`Nodes cannot move from ${from} to ${to}`);
  const candidates = nodes.filter((n) => n.phase === from);
  if (candidates.length === 0) return [];
  // CPU nodes have no driver; an accelerator node's driver follows its phase.
  const withDriver = candidates.filter((n) => n.driverPhase !== null).map((n) => n.id);
  const without = candidates.filter((n) => n.driverPhase === null).map((n) => n.id);
  const moved = [
    ...(await updateNodesInPhase(tx, withDriver, from, { driverPhase: DRIVER_FOR[to], ...changes, phase: to })),
    ...(await updateNodesInPhase(tx, without, from, { ...changes, phase: to })),
  ];
  await addToTallies(
    tx,
    moved.flatMap((n) => [tally(n, from, -1), tally(n, to, 1)]),
  );
  // What ran on a node that leaves is interrupted (nodes-workloads-metrics.md §1.5).
  if (to === 'Deleting' && from !== 'Deleting' && changes.deletingAt && moved.length > 0) {
    await interruptNodeWorkloads(
      tx,
      moved[0].poolId,
      moved.map((n) => n.name),
      changes.deletingAt,
    );
  }
  return moved;
}

/** Removes nodes whose teardown finished (they must be Deleting); returns those removed. */
export async function removeDeletedNodes(tx: Executor, nodes: readonly NodeRecord[]): Promise<NodeRecord[]> {
  const removed = await deleteDeletingNodes(
    tx,
    nodes.map((n) => n.id),
  );
  await addToTallies(
    tx,
    removed.map((n) => tally(n, 'Deleting', -1)),
  );
  return removed;
}

/** Removes nodes in whatever phase they are (a creation that failed takes its nodes back). */
export async function discardNodes(tx: Executor, nodes: readonly NodeRecord[]): Promise<NodeRecord[]> {
  const removed = await deleteNodesById(
    tx,
    nodes.map((n) => n.id),
  );
  await addToTallies(
    tx,
    removed.map((n) => tally(n, n.phase, -1)),
  );
  return removed;
}

/**
 * Moves every node of a pool that is in one of `from` to `to` (a pool deleted,
 * made Abnormal, healed), without reading the nodes first, but the nodes `except`
 * names (ids); returns how many moved.
 */
export async function movePoolNodes(
  tx: Executor,
  poolId: number,
  from: readonly NodePhase[],
  to: NodePhase,
  changes: NodeChanges = {},
  except: readonly number[] = [],
): Promise<number> {
  let moved = 0;
  for (const phase of from) {
    if (!canMoveNode(phase, to) || phase === to) continue;
    const nodes = await updatePoolNodes(tx, poolId, [phase], { ...changes, phase: to }, except);
    // A driver follows its node; CPU nodes keep none.
    const withDriver = nodes.filter((n) => n.driverPhase !== null && n.driverPhase !== DRIVER_FOR[to]);
    if (withDriver.length > 0) {
      await updateNodesInPhase(
        tx,
        withDriver.map((n) => n.id),
        to,
        { driverPhase: DRIVER_FOR[to] },
      );
    }
    await addToTallies(
      tx,
      nodes.flatMap((n) => [tally(n, phase, -1), tally(n, to, 1)]),
    );
    moved += nodes.length;
  }
  // A pool's nodes all leave only when the pool is deleted: its workloads end with it.
  if (to === 'Deleting' && changes.deletingAt && moved > 0)
    await terminatePoolWorkloads(tx, poolId, changes.deletingAt);
  return moved;
}

/**
 * Sets the driver phase (and other fields) of nodes still in `phase`: an
 * emulator fault's Abnormal driver and its healing. The node's phase and the
 * counts do not change. Returns the nodes changed.
 */
export async function setNodesDriver(
  tx: Executor,
  nodes: readonly NodeRecord[],
  phase: NodePhase,
  changes: NodeChanges,
): Promise<NodeRecord[]> {
  return updateNodesInPhase(
    tx,
    nodes.filter((n) => n.driverPhase !== null && n.phase === phase).map((n) => n.id),
    phase,
    changes,
  );
}

/**
 * Moves Checking nodes to another pool (batch-migrate), each under the node pool
 * and labels given, counted out of their pool and into the other. Returns the
 * nodes moved; a node another writer moved first stays where it is.
 */
export async function transferNodes(
  tx: Executor,
  nodes: readonly NodeRecord[],
  to: { poolId: number; nodePool: string; dueAt: Date | null; labels: (node: NodeRecord) => Record<string, string> },
): Promise<NodeRecord[]> {
  const moved: NodeRecord[] = [];
  for (const node of nodes) {
    const done = await transferNode(tx, node, { ...to, labels: to.labels(node) });
    if (done) moved.push(done);
  }
  await addToTallies(tx, [
    ...nodes.filter((n) => moved.some((m) => m.id === n.id)).map((n) => tally(n, 'Checking', -1)),
    ...moved.map((n) => tally(n, 'Checking', 1)),
  ]);
  return moved;
}

/**
 * Changes Available nodes to another flavor and node pool (batch-resize) and
 * moves them Checking, counted out of their old flavor and into the new one.
 * Returns the nodes changed; a node another writer changed first is left as it is.
 */
export async function resizeNodes(
  tx: Executor,
  nodes: readonly NodeRecord[],
  to: { flavor: string; nodePool: string; changes: (node: NodeRecord) => NodeChanges },
): Promise<NodeRecord[]> {
  const moved: NodeRecord[] = [];
  for (const node of nodes) {
    const done = await reflavorNode(tx, node, { flavor: to.flavor, nodePool: to.nodePool, changes: to.changes(node) });
    if (done) moved.push(done);
  }
  const before = new Map(nodes.map((n) => [n.id, n]));
  await addToTallies(tx, [
    ...moved.map((n) => tally(before.get(n.id) as NodeRecord, 'Available', -1)),
    ...moved.map((n) => tally(n, 'Checking', 1)),
  ]);
  return moved;
}
