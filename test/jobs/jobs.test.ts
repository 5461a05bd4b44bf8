import { describe, expect, it } from 'vitest';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { jobKindOf, registerJobKind } from '../../src/jobs/job.kinds.js';
import { claimDueJobs } from '../../src/jobs/job.steps.js';
import { expectError } from '../helpers/fixtures.js';
import { uniqueId, useHarness } from '../helpers/harness.js';
import { JOBS, phaseWork, showJob, startTestJob, TEST_KIND, useTestJobKind } from './helpers.js';

const DAY = 24 * 3600 * 1000;

/** The ListJobs path with a query. */
const list = (query: Record<string, string>) => `${JOBS}?${new URLSearchParams(query)}`;

describe('a job through its phases (decision 25)', () => {
  const h = useHarness();
  useTestJobKind();

  it('Pending → Running → Success, each phase’s work committed once; what ShowJob answers', async () => {
    const pool = uniqueId('pool');
    const job = await startTestJob(h, pool, { nodeNames: ['n-1', 'n-2'], takesMs: 5_000 });
    expect(job.jobId).toMatch(/^job-[0-9a-f]{8}$/);
    const started = h.clock.now().getTime();
    expect(await showJob(h, job.jobId)).toEqual({
      jobId: job.jobId,
      jobName: `reboot-node-${job.jobId.slice(4)}`,
      type: 'reboot-node',
      phase: 'Pending',
      startTimestamp: started,
      endTimestamp: 0,
      involvedObjects: JSON.stringify({ pools: [pool], nodes: ['n-1', 'n-2'] }),
      inputs: JSON.stringify({ nodeNames: ['n-1', 'n-2'], takesMs: 5_000 }),
      suspend: false,
      conditions: '[]',
      message: '',
    });
    await h.settle();
    expect((await showJob(h, job.jobId)).phase).toBe('Running');
    await h.advance(1_000);
    await h.advance(1_000);
    expect((await showJob(h, job.jobId)).phase).toBe('Running');
    expect((await phaseWork(h, pool)).get(job.jobId)).toEqual(['TestJobStarted']);
    await h.advance(3_000);
    const done = await showJob(h, job.jobId);
    expect(done.phase).toBe('Success');
    expect(done.endTimestamp).toBe(h.clock.now().getTime());
    await h.advance(60_000);
    expect(await showJob(h, job.jobId)).toEqual(done);
    expect((await phaseWork(h, pool)).get(job.jobId)).toEqual(['TestJobStarted', 'TestJobChecked']);
  });

  it('Running → Failed with the reason the work gave; a start that fails ends the job too', async () => {
    const pool = uniqueId('pool');
    const failing = await startTestJob(h, pool, { failWith: 'Node n-1 did not come back.' });
    const refused = await startTestJob(h, pool, { refuseWith: 'Node n-1 is busy.' });
    await h.settle();
    const failed = await showJob(h, failing.jobId);
    expect([failed.phase, failed.message]).toEqual(['Failed', 'Node n-1 did not come back.']);
    expect(failed.endTimestamp).toBe(h.clock.now().getTime());
    const refusedShown = await showJob(h, refused.jobId);
    expect([refusedShown.phase, refusedShown.message]).toEqual(['Failed', 'Node n-1 is busy.']);
    const work = await phaseWork(h, pool);
    expect(work.get(failing.jobId)).toEqual(['TestJobStarted', 'TestJobChecked']);
    expect(work.get(refused.jobId)).toEqual(['TestJobStarted']);
  });

  it('startJob refuses a type whose kind nobody registered', async () => {
    const free = (['reset-nodes', 'replace-node', 'migrate-nodes'] as const).find((t) => !jobKindOf(t));
    if (!free) return; // every type has its kind now: nothing to refuse
    await expect(startTestJob(h, uniqueId('pool'), {}, free)).rejects.toThrow(/No work is defined/);
  });

  it('unknown job, or a job of another project → 404 ModelArts.50005101 naming it', async () => {
    const job = await startTestJob(h, uniqueId('pool'));
    const other = await h.newProject();
    for (const [client, id] of [
      [h.client, 'job-00000000'],
      [h.client, job.jobId.toUpperCase()],
      [other, job.jobId],
    ] as const) {
      const res = await client.get(`${JOBS}/${id}`);
      expectError(res, 404, 'ModelArts.50005101');
      expect(res.body.error_msg).toBe(`Job ${id} not found.`);
    }
    await h.settle();
  });
});

describe('GET /v2/{project_id}/jobs (listJobs)', () => {
  const h = useHarness();
  useTestJobKind();

  it('newest first; type, pool, limit and offset; count before paging; the 30-day default window', async () => {
    const client = await h.newProject();
    const project = client.projectId;
    const start = (pool: string, type: 'reboot-node' | 'reset-nodes' = 'reboot-node') =>
      h.context.database.transaction(async (tx) => {
        const { startJob } = await import('../../src/jobs/job.service.js');
        return startJob(h.context, tx, { type, projectId: project, poolName: pool, nodeNames: ['n'], inputs: {} });
      });
    const restoreReset = registerJobKind('reset-nodes', TEST_KIND, { replace: true });
    try {
      const old = await start('pool-a');
      h.clock.advance(31 * DAY);
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push((await start(i % 2 === 0 ? 'pool-a' : 'pool-b')).jobId);
        h.clock.advance(1_000);
      }
      const reset = await start('pool-b', 'reset-nodes');
      await h.settle();

      const all = await client.get(JOBS);
      expect(all.status, all.text).toBe(200);
      expect(all.body.count).toBe(6);
      expect(all.body.items.map((j: any) => j.jobId)).toEqual([reset.jobId, ...[...ids].reverse()]);
      expect(all.body.items.every((j: any) => j.phase === 'Success')).toBe(true);

      const page = await client.get(list({ limit: '2', offset: '1' }));
      expect(page.body.count).toBe(6);
      expect(page.body.items.map((j: any) => j.jobId)).toEqual([ids[4], ids[3]]);
      expect((await client.get(list({ limit: '0' }))).body).toEqual({ count: 6, items: [] });
      expect((await client.get(list({ offset: '6' }))).body).toEqual({ count: 6, items: [] });

      const ofType = await client.get(list({ type: 'reset-nodes' }));
      expect(ofType.body.items.map((j: any) => j.jobId)).toEqual([reset.jobId]);
      const ofPool = await client.get(list({ resource: 'pools', name: 'pool-a' }));
      expect(ofPool.body.count).toBe(3);
      expect(ofPool.body.items.map((j: any) => j.jobId)).toEqual([ids[4], ids[2], ids[0]]);

      // The default window is the last 30 days; since/until (ms) open it.
      const since = String(old.startedAt.getTime());
      const withOld = await client.get(list({ since, resource: 'pools', name: 'pool-a' }));
      expect(withOld.body.items.map((j: any) => j.jobId)).toEqual([ids[4], ids[2], ids[0], old.jobId]);
      const window = await client.get(
        list({
          since: String(old.startedAt.getTime() + 1),
          until: String(old.startedAt.getTime() + 31 * DAY + 1_000),
        }),
      );
      expect(window.body.items.map((j: any) => j.jobId)).toEqual([ids[1], ids[0]]);
      // Another project sees none of them.
      expect((await h.client.get(list({ name: 'pool-a' }))).body).toEqual({ count: 0, items: [] });
    } finally {
      restoreReset();
    }
  });

  it('bad queries → 400 ModelArts.50004000, nothing listed', async () => {
    const bad: Array<Record<string, string>> = [
      { limit: '501' },
      { limit: '-1' },
      { offset: '-1' },
      { limit: 'ten' },
      { type: 'explode-node' },
      { resource: 'networks' },
      { since: '2000', until: '1000' },
      { since: 'yesterday' },
    ];
    for (const query of bad) {
      const res = await h.client.get(list(query));
      expectError(res, 400, 'ModelArts.50004000');
    }
  });

  it('finished jobs are removed 30 days after they ended; unfinished ones stay', async () => {
    const pool = uniqueId('pool');
    const finished = await startTestJob(h, pool);
    const long = await startTestJob(h, pool, { takesMs: 40 * DAY });
    await h.settle();
    expect((await showJob(h, finished.jobId)).phase).toBe('Success');
    await h.advance(30 * DAY - 1_000);
    expect((await showJob(h, finished.jobId)).phase).toBe('Success');
    await h.advance(2 * 60_000);
    expectError(await h.client.get(`${JOBS}/${finished.jobId}`), 404, 'ModelArts.50005101');
    expect((await showJob(h, long.jobId)).phase).toBe('Running');
  });
});

describe('jobs under several engines (leases, as pools and networks)', () => {
  const h = useHarness();
  useTestJobKind();

  const engine = () => new LifecycleEngine(h.context, { error: console.error, debug: () => {} } as never);

  it('two engines share the jobs: every job reaches Success, each phase’s work committed exactly once', async () => {
    const pool = uniqueId('pool');
    const jobs = [];
    for (let i = 0; i < 40; i += 1) jobs.push(await startTestJob(h, pool, { takesMs: (i % 4) * 1_000 }));
    const [a, b] = [engine(), engine()];
    for (let round = 0; round < 10; round += 1) {
      await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      h.clock.advance(1_000);
    }
    await h.settle();
    const work = await phaseWork(h, pool);
    for (const job of jobs) {
      expect((await showJob(h, job.jobId)).phase).toBe('Success');
      expect(work.get(job.jobId), job.jobId).toEqual(['TestJobStarted', 'TestJobChecked']);
    }
  });

  it('a job whose engine died holding its lease is taken over once the lease expires, and runs once', async () => {
    const pool = uniqueId('pool');
    const job = await startTestJob(h, pool);
    const takeovers: string[] = [];
    h.context.signals.on('leaseTakenOver', (kind) => takeovers.push(kind));
    // An engine claims the job and dies before its step (a kill -9): the lease stays in the row.
    const claimed = await claimDueJobs(h.context.database, 'dead-replica', h.clock.now(), h.config.engineLeaseMs, 10);
    expect(claimed.map((j) => j.jobId)).toContain(job.jobId);
    const survivor = engine();
    await survivor.runOnce();
    expect((await showJob(h, job.jobId)).phase).toBe('Pending');
    h.clock.advance(h.config.engineLeaseMs + 1);
    await survivor.runOnce();
    expect(takeovers).toContain('job');
    await h.settle();
    expect((await showJob(h, job.jobId)).phase).toBe('Success');
    expect((await phaseWork(h, pool)).get(job.jobId)).toEqual(['TestJobStarted', 'TestJobChecked']);
  });
});
