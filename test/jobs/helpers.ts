// A job kind registered through the real registry (src/jobs/job.kinds.ts) for the engine's tests:
// the work nodes will do is stood in for by events written in the job's own transaction, so a
// test counts from the database how often each phase's work committed.
import { afterAll, beforeAll, expect } from 'vitest';
import type { AppContext } from '../../src/context.js';
import type { Executor } from '../../src/db/database.js';
import { recordEvent } from '../../src/events/event.recorder.js';
import { listEventsOf } from '../../src/events/event.store.js';
import { registerJobKind, type JobKind, type JobProgress } from '../../src/jobs/job.kinds.js';
import type { JobType } from '../../src/jobs/job.lifecycle.js';
import type { JobRecord } from '../../src/jobs/job.record.js';
import { startJob } from '../../src/jobs/job.service.js';
import type { Harness } from '../helpers/harness.js';

/** What a test job is asked to do: how long its work takes, and how it ends. */
export interface TestInputs {
  nodeNames?: string[];
  /** The work is done this long after the job started; 0: at the first check. */
  takesMs?: number;
  /** The check after the work fails with this reason. */
  failWith?: string;
  /** The start itself fails with this reason. */
  refuseWith?: string;
}

const inputsOf = (job: JobRecord) => (job.inputs ?? {}) as TestInputs;

async function note(ctx: AppContext, tx: Executor, job: JobRecord, reason: string): Promise<void> {
  await recordEvent(tx, {
    projectId: job.projectId,
    resourceKind: 'pools',
    resourceName: job.poolName,
    type: 'Normal',
    reason,
    message: job.jobId,
    at: ctx.clock.now(),
  });
}

/** A kind whose work is a timer, writing one event per committed phase. */
export const TEST_KIND: JobKind = {
  async start(ctx, tx, job): Promise<JobProgress> {
    await note(ctx, tx, job, 'TestJobStarted');
    const inputs = inputsOf(job);
    if (inputs.refuseWith) return { state: 'failed', reason: inputs.refuseWith };
    return { state: 'running', checkAt: new Date(job.startedAt.getTime() + (inputs.takesMs ?? 0)) };
  },
  async check(ctx, tx, job): Promise<JobProgress> {
    const inputs = inputsOf(job);
    if (ctx.clock.now().getTime() < job.startedAt.getTime() + (inputs.takesMs ?? 0)) return { state: 'running' };
    await note(ctx, tx, job, 'TestJobChecked');
    return inputs.failWith ? { state: 'failed', reason: inputs.failWith } : { state: 'success' };
  },
};

/** The type the tests register TEST_KIND under (replacing, for the file, whatever src registers). */
export const TEST_TYPE: JobType = 'reboot-node';

/** Registers TEST_KIND for the enclosing `describe`, and puts back what was there after its last test. */
export function useTestJobKind(): void {
  let restore: (() => void) | undefined;
  beforeAll(() => {
    restore = registerJobKind(TEST_TYPE, TEST_KIND, { replace: true });
  });
  afterAll(() => restore?.());
}

/** Starts a job of TEST_TYPE as a batch action would, in a transaction of its own. */
export async function startTestJob(
  h: Harness,
  poolName: string,
  inputs: TestInputs = {},
  type: JobType = TEST_TYPE,
): Promise<JobRecord> {
  const job = await h.context.database.transaction((tx) =>
    startJob(h.context, tx, {
      type,
      projectId: h.projectId,
      poolName,
      nodeNames: inputs.nodeNames ?? ['os-node-created-aaaaa'],
      inputs,
    }),
  );
  h.context.wakeEngine();
  return job;
}

/** How often each job's start and check work committed, from the events they wrote. */
export async function phaseWork(h: Harness, poolName: string): Promise<Map<string, string[]>> {
  const events = await listEventsOf(h.context.database.db, h.projectId, 'pools', poolName);
  const work = new Map<string, string[]>();
  for (const event of events) work.set(event.message, [...(work.get(event.message) ?? []), event.reason]);
  return work;
}

export const JOBS = '/v2/{project_id}/jobs';

export async function showJob(h: Harness, jobId: string): Promise<any> {
  const res = await h.client.get(`${JOBS}/${jobId}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}
