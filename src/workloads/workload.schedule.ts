import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { after } from '../db/database.js';
import { selectPoolNodesInPhases, type NodeRecord } from '../nodes/node.reads.js';
import { lockPoolById } from '../pools/pool.reads.js';
import { SCHEDULABLE_NODE_PHASES } from './workload.lifecycle.js';
import { moveWorkload } from './workload.move.js';
import { addAmounts, fits, toAmounts } from './workload.quantities.js';
import type { Amounts, WorkloadRecord } from './workload.record.js';
import { selectPoolWorkloads } from './workload.store.js';

/** When a run that started at `startedAt` ends; null: it runs until interrupted. */
export const endOf = (w: Pick<WorkloadRecord, 'startedAt' | 'durationSeconds'>): Date | null =>
  w.startedAt && w.durationSeconds !== null ? after(w.startedAt, w.durationSeconds) : null;

interface Board {
  nodes: NodeRecord[];
  free: Map<string, Amounts>;
  running: WorkloadRecord[];
  pending: WorkloadRecord[];
}

async function readBoard(ctx: AppContext, tx: Executor, poolId: number): Promise<Board> {
  const nodes = await selectPoolNodesInPhases(tx, poolId, SCHEDULABLE_NODE_PHASES);
  const free = new Map(nodes.map((n) => [n.name, toAmounts(ctx.flavors.nodeResources(n.flavor))]));
  const running = await selectPoolWorkloads(tx, poolId, ['Running']);
  for (const w of running) {
    const room = w.nodeName ? free.get(w.nodeName) : undefined;
    if (room) addAmounts(room, w.requests, -1);
  }
  return { nodes, free, running, pending: await selectPoolWorkloads(tx, poolId, ['Pending']) };
}

/** Places Pending workloads, oldest first, each on the first node (by name) with room: the queue at `at`. */
async function place(tx: Executor, board: Board, at: Date): Promise<void> {
  const waiting: WorkloadRecord[] = [];
  for (const w of board.pending) {
    const node = board.nodes.find(
      (n) => (w.flavor === null || n.flavor === w.flavor) && fits(w.requests, board.free.get(n.name) ?? {}),
    );
    if (!node) {
      waiting.push(w);
      continue;
    }
    const started = await moveWorkload(
      tx,
      w,
      'Running',
      {
        nodeName: node.name,
        hostIp: node.privateIp,
        startedAt: at,
        endedAt: null,
        dueAt: endOf({ startedAt: at, durationSeconds: w.durationSeconds }),
      },
      at,
    );
    addAmounts(board.free.get(node.name) ?? {}, w.requests, -1);
    board.running.push(started);
  }
  board.pending = waiting;
}

/** The running workload that ends first, if it ends by `now`. */
function nextEnd(running: readonly WorkloadRecord[], now: Date): { w: WorkloadRecord; at: Date } | undefined {
  let next: { w: WorkloadRecord; at: Date } | undefined;
  for (const w of running) {
    const at = endOf(w);
    if (at && at.getTime() <= now.getTime() && (!next || at.getTime() < next.at.getTime())) next = { w, at };
  }
  return next;
}

/**
 * Brings a pool's workloads up to `now`, in the order things happened: each run
 * that ended by now ends at its own end time, with its outcome, and the queue is
 * placed again at that moment (so a workload that waited starts when room freed,
 * not when the engine looked); then the queue is placed at `now` (nodes may have
 * come up). What the monitor reads is therefore the same however late the engine
 * runs — a clock jumped over many ends gives the history a steady clock would.
 */
export async function settlePoolWorkloads(ctx: AppContext, tx: Executor, poolId: number): Promise<void> {
  // Under the pool's row lock (the order of a node change: pool, then nodes, then workloads), so two
  // engines or a submission and an engine never place onto the same free room at once.
  if (!(await lockPoolById(ctx.database, tx, poolId))) return;
  const now = ctx.clock.now();
  const board = await readBoard(ctx, tx, poolId);
  for (let next = nextEnd(board.running, now); next; next = nextEnd(board.running, now)) {
    const { w, at } = next;
    await moveWorkload(tx, w, w.outcome, { endedAt: at, dueAt: null }, at);
    board.running = board.running.filter((r) => r.id !== w.id);
    const room = w.nodeName ? board.free.get(w.nodeName) : undefined;
    if (room) addAmounts(room, w.requests);
    await place(tx, board, at);
  }
  await place(tx, board, now);
  // What still waits is looked at again when room frees (an end, a node change).
  for (const w of board.pending) {
    if (w.dueAt !== null) await moveWorkload(tx, w, 'Pending', { dueAt: null }, now);
  }
}
