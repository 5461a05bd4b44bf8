import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { AtelierError } from '../errors.js';
import { findJob, JOB_FINISHED } from '../jobs/job.reads.js';
import { lockActionablePool } from '../nodes/node.actions.js';
import { restartPoolNodes, RESTART_FROM } from '../nodes/node.restart.js';
import { canMoveEvent, EVENT_CHECK_INTERVAL_MS, EVENT_EFFECT, type EventState } from './scheduled-event.lifecycle.js';
import type { ScheduledEventChanges, ScheduledEventRecord } from './scheduled-event.record.js';
import { updateEventIf } from './scheduled-event.store.js';

/**
 * The engine's step for a due scheduled event (D-S3): a `scheduled` event whose
 * time came starts its node's reboot or reset — the job batch-reboot and
 * batch-reset start (nodes/node.restart.ts), with the node's Checking phase,
 * the roll-up and its event — and goes `executing`; an executing event follows
 * its job to `completed` or `failed`. Every write is a conditional update in the
 * step's transaction: a replica killed mid-step leaves the event due, and the
 * next one starts the job once.
 */
async function moveEvent(
  tx: Executor,
  event: ScheduledEventRecord,
  to: EventState,
  changes: Omit<ScheduledEventChanges, 'state'>,
): Promise<ScheduledEventRecord | undefined> {
  if (!canMoveEvent(event.state, to))
    throw new Error(`Event ${event.eventId} cannot move from ${event.state} to ${to}`);
  return updateEventIf(tx, event, { ...changes, state: to });
}

const later = (now: Date) => new Date(now.getTime() + EVENT_CHECK_INTERVAL_MS);

async function execute(ctx: AppContext, tx: Executor, event: ScheduledEventRecord, now: Date): Promise<boolean> {
  // The event's row first: a replica that lost the race starts no job.
  const taken = await moveEvent(tx, event, 'executing', { dueAt: later(now) });
  if (!taken) return false;
  const type = EVENT_EFFECT[event.type];
  try {
    const pool = await lockActionablePool(ctx, tx, event.projectId, event.poolName);
    const jobId = await restartPoolNodes(ctx, tx, pool, [event.nodeName], {
      type,
      from: RESTART_FROM[type],
      inputs: { nodeNames: [event.nodeName], scheduledEvent: event.eventId },
    });
    if (!(await updateEventIf(tx, taken, { jobId }))) throw new Error(`Event ${event.eventId} changed under its step`);
  } catch (error) {
    // A refusal is decided before anything changed: the event fails, saying why.
    if (!(error instanceof AtelierError)) throw error;
    await moveEvent(tx, taken, 'failed', { probeMsg: error.message, dueAt: null });
  }
  return true;
}

async function follow(tx: Executor, event: ScheduledEventRecord, now: Date): Promise<boolean> {
  const job = event.jobId ? await findJob(tx, event.projectId, event.jobId) : undefined;
  if (job && !JOB_FINISHED.has(job.phase)) return (await updateEventIf(tx, event, { dueAt: later(now) })) !== undefined;
  const ok = job?.phase === 'Success';
  const probeMsg = ok ? '' : (job?.message ?? `Job ${event.jobId ?? ''} is gone.`);
  return (await moveEvent(tx, event, ok ? 'completed' : 'failed', { probeMsg, dueAt: null })) !== undefined;
}

/** One engine step for a due event; false when another writer moved it first. */
export async function advanceScheduledEvent(
  ctx: AppContext,
  tx: Executor,
  event: ScheduledEventRecord,
): Promise<boolean> {
  const now = ctx.clock.now();
  if (event.state === 'scheduled') return execute(ctx, tx, event, now);
  if (event.state === 'executing') return follow(tx, event, now);
  // Nothing is due of an event in any other state: a due time left on one is cleared.
  return (await updateEventIf(tx, event, { dueAt: null })) !== undefined;
}

export { claimDueScheduledEvents } from './scheduled-event.store.js';
