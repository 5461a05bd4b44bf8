import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import {
  newLeaseOwner,
  releaseAllLeases,
  releaseLease,
  releaseLeases,
  renewLeases,
  type ClaimedTable,
} from '../db/claims.js';
import { claimDueNodes } from '../nodes/node.steps.js';
import type { NodeRecord } from '../nodes/node.reads.js';
import { advanceJob, claimDueJobs, removeExpiredJobs } from '../jobs/job.steps.js';
import { removeExpiredOrders } from '../orders/order.reads.js';
import { advanceNetwork, claimDueNetworks } from '../networks/network.steps.js';
import { advanceScheduledEvent, claimDueScheduledEvents } from '../scheduled-events/scheduled-event.steps.js';
import { advancePlugin, claimDuePlugins } from '../plugins/plugin.steps.js';
import { admitEveryWaitingPool, anyQueued } from '../pools/pool.capacity.js';
import { advancePool, advancePoolNodes, claimDuePools } from '../pools/pool.steps.js';
import { SQLITE_ENGINE_OWNER, takeEngineLock, type EngineLock } from '../db/sqlite-engine-lock.js';
import { claimDueWorkloads, settlePoolWorkloads } from '../workloads/workload.steps.js';

/** How often the safety-net admission pass may run. */
const ADMISSION_INTERVAL_MS = 10_000;

/** How often finished jobs past their retention are looked for. */
const JOB_SWEEP_INTERVAL_MS = 60_000;

/** How many due rows one pass takes of each kind before yielding to requests. */
const BATCH = 200;

/** How many due nodes one pass takes: a 1,000-node pool comes up in a couple of passes. */
const NODE_BATCH = 1000;

/** Due nodes (or workloads) grouped by pool, in the order of their first due row. */
function byPool<T extends { poolId: number }>(nodes: readonly T[]): T[][] {
  const groups = new Map<number, T[]>();
  for (const node of nodes) {
    const group = groups.get(node.poolId);
    if (group) group.push(node);
    else groups.set(node.poolId, [node]);
  }
  return [...groups.values()];
}

/** Steps in flight at once where each holds a pooled connection (PostgreSQL). */
const CONCURRENT_STEPS = 4;

/**
 * The reconciler: finds networks, pools and jobs whose next step is due and runs it,
 * each step in its own transaction. All state is in the database, so a fresh
 * engine after a crash simply finds the unfinished work and carries on.
 *
 * Several replicas may run an engine on one PostgreSQL database: each claims its
 * due rows with a lease (db/claims.ts) that a heartbeat renews while the batch
 * runs, releases each lease when its step is done and all of them on stop(), and
 * takes over rows whose lease expired — a replica killed mid-step.
 */
export class LifecycleEngine {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Set by stop(): a pass in progress leaves its remaining steps to other replicas. */
  private stopping = false;
  /**
   * Who holds this engine's leases: unique per engine instance, except for the engine holding a
   * SQLite database's engine lock, which is the same in every life of the server (see start()).
   */
  get leaseOwner(): string {
    return this.owner;
  }
  private owner = newLeaseOwner();
  private engineLock: EngineLock | undefined;
  /** Wall-clock times for the readiness check; the service clock may be an emulator's. */
  private started: Date | undefined;
  private lastPass: Date | undefined;

  constructor(
    private readonly ctx: Omit<AppContext, 'wakeEngine'>,
    private readonly log: Pick<FastifyBaseLogger, 'error' | 'debug'>,
  ) {}

  start(): void {
    this.stopped = false;
    this.stopping = false;
    this.started = new Date();
    this.engineLock ??= takeEngineLock(this.ctx.config.databaseUrl);
    if (this.engineLock) {
      // The lock was free, so whoever held leases under this name has died (a kill -9, a crash):
      // its unfinished steps are this engine's own and are taken back at once, not after expiry.
      this.owner = SQLITE_ENGINE_OWNER;
      this.running = releaseAllLeases(this.ctx.database, this.owner)
        .catch((error: unknown) => this.log.error({ err: error }, 'taking back lifecycle leases failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(0);
        });
      return;
    }
    this.schedule(0);
  }

  /** Started and not stopped: what /readyz asks (docs/operations.md). */
  isRunning(): boolean {
    return !this.stopped;
  }

  /** When the last scheduled pass finished without failing; undefined before the first. */
  lastPassAt(): Date | undefined {
    return this.lastPass;
  }

  /** When start() was last called, so a check can tell "no pass yet" from "passes stopped". */
  startedAt(): Date | undefined {
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    // Hand unfinished claims back at once instead of making other replicas wait for expiry.
    await releaseAllLeases(this.ctx.database, this.leaseOwner).catch((error: unknown) =>
      this.log.error({ err: error }, 'releasing lifecycle leases failed'),
    );
    this.engineLock?.release();
    this.engineLock = undefined;
  }

  /** Asks for a pass soon; cheap to call after every write. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped || this.running) return;
    this.running = (async () => {
      try {
        let busy = true;
        while (busy && !this.stopped) busy = (await this.runOnce()) >= BATCH;
        this.lastPass = new Date();
      } catch (error) {
        this.log.error({ err: error }, 'lifecycle pass failed');
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const next = this.again ? 0 : this.ctx.config.engineIntervalMs;
    this.again = false;
    this.schedule(next);
  }

  /**
   * One pass: every due step, then admission of waiting pools. Returns how many
   * rows it looked at (tests call this directly after moving the clock).
   */
  async runOnce(): Promise<number> {
    const { database, clock } = this.ctx;
    const ctx = { ...this.ctx, wakeEngine: () => {} };
    const leaseMs = this.ctx.config.engineLeaseMs;
    const owner = this.leaseOwner;
    // The heartbeat keeps this batch's leases alive however long its steps take.
    const heartbeat = setInterval(
      () => {
        renewLeases(database, owner, new Date(clock.now().getTime() + leaseMs)).catch((error: unknown) =>
          this.log.error({ err: error }, 'renewing lifecycle leases failed'),
        );
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref?.();
    try {
      const networks = await claimDueNetworks(database, owner, clock.now(), leaseMs, BATCH, (n) =>
        this.reportTakeovers('network', n),
      );
      await this.stepAll(networks, (row) => this.step('networks', row, (tx) => advanceNetwork(ctx, tx, row)));
      const pools = await claimDuePools(database, owner, clock.now(), leaseMs, BATCH, (n) =>
        this.reportTakeovers('pool', n),
      );
      await this.stepAll(pools, (row) => this.step('pools', row, (tx) => advancePool(ctx, tx, row)));
      // A pool is Running once its last node is up: nodes right after the pools.
      const nodes = await claimDueNodes(database, owner, clock.now(), leaseMs, NODE_BATCH, (n) =>
        this.reportTakeovers('node', n),
      );
      await this.stepAll(byPool(nodes), (group) => this.stepNodes(ctx, group));
      // After the pools and their nodes, so a plug-in due with its pool's creation sees it Running.
      const plugins = await claimDuePlugins(database, owner, clock.now(), leaseMs, BATCH, (n) =>
        this.reportTakeovers('plugin', n),
      );
      await this.stepAll(plugins, (row) => this.step('pool_plugins', row, (tx) => advancePlugin(ctx, tx, row)));
      // Workloads after the nodes, so a node that came up in this pass has them placed on it.
      const workloads = await claimDueWorkloads(database, owner, clock.now(), leaseMs, BATCH, (n) =>
        this.reportTakeovers('workload', n),
      );
      await this.stepAll(byPool(workloads), (group) => this.stepWorkloads(ctx, group));
      const jobs = await claimDueJobs(database, owner, clock.now(), leaseMs, BATCH, (n) =>
        this.reportTakeovers('job', n),
      );
      await this.stepAll(jobs, (job) =>
        this.step('jobs', { id: job.id, name: job.jobId, projectId: job.projectId }, (tx) => advanceJob(ctx, tx, job)),
      );
      // Scheduled events start jobs and follow them: after the jobs.
      const events = await claimDueScheduledEvents(database, owner, clock.now(), leaseMs, BATCH, (n) =>
        this.reportTakeovers('scheduledEvent', n),
      );
      await this.stepAll(events, (event) =>
        this.step('scheduled_events', { id: event.id, name: event.eventId, projectId: event.projectId }, (tx) =>
          advanceScheduledEvent(ctx, tx, event),
        ),
      );
      if (!this.stopping) {
        await this.admitWaiting(ctx);
        await this.sweepJobs();
      }
      return Math.max(
        networks.length,
        pools.length,
        plugins.length,
        jobs.length,
        workloads.length,
        events.length,
        nodes.length >= NODE_BATCH ? BATCH : nodes.length,
      );
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * A safety net: every release of capacity already admits waiting pools in its
   * own transaction. This catches what no transaction saw (a flavors file with
   * more capacity after a restart), so it runs once at start and then rarely —
   * it reads every waiting pool.
   */
  private async admitWaiting(ctx: AppContext): Promise<void> {
    const now = Date.now();
    if (now - this.lastAdmission < ADMISSION_INTERVAL_MS) return;
    this.lastAdmission = now;
    const { database } = this.ctx;
    if (await anyQueued(database.db)) await database.transaction((tx) => admitEveryWaitingPool(ctx, tx));
  }
  private lastAdmission = 0;

  /** Removes finished jobs and orders past their retention (decision 25, D-O5), at most once a minute of the service clock. */
  private async sweepJobs(): Promise<void> {
    const now = this.ctx.clock.now();
    if (now.getTime() - this.lastJobSweep < JOB_SWEEP_INTERVAL_MS) return;
    this.lastJobSweep = now.getTime();
    await removeExpiredJobs(this.ctx.database, now);
    await removeExpiredOrders(this.ctx.database, now);
  }
  private lastJobSweep = Number.NEGATIVE_INFINITY;

  /**
   * Where transactions started together commit together (SQLite), a batch's
   * steps are issued at once and share commits. On PostgreSQL a few run at a
   * time, each on a pooled connection of its own: enough to overlap their round
   * trips, few enough to leave connections for requests.
   */
  private async stepAll<T>(rows: readonly T[], step: (row: T) => Promise<void>): Promise<void> {
    if (this.ctx.database.groupsCommits) {
      await Promise.all(rows.map(step));
      return;
    }
    let next = 0;
    const lane = async () => {
      while (next < rows.length) await step(rows[next++]);
    };
    await Promise.all(Array.from({ length: CONCURRENT_STEPS }, lane));
  }

  /**
   * The due nodes of one pool, in one transaction (pools/pool.steps.ts
   * advancePoolNodes). Nodes it moved handed their lease back in that update; the
   * others' leases are released in the same commit, or after a failure.
   */
  private async stepNodes(ctx: AppContext, nodes: readonly NodeRecord[]): Promise<void> {
    if (this.stopping) return;
    const { database } = this.ctx;
    const [first] = nodes;
    const ids = nodes.map((n) => n.id);
    try {
      await database.transaction(async (tx) => {
        if (this.ctx.flavors.anyFinite) await database.lockProject(tx, first.projectId);
        await advancePoolNodes(ctx, tx, first.poolId, nodes);
        await releaseLeases(tx, 'nodes', ids, this.leaseOwner);
      });
      return;
    } catch (error) {
      this.log.error({ err: error, kind: 'nodes', pool: first.poolId }, 'lifecycle step failed');
    }
    try {
      await releaseLeases(database.db, 'nodes', ids, this.leaseOwner);
    } catch (error) {
      this.log.error({ err: error, kind: 'nodes', pool: first.poolId }, 'releasing lifecycle leases failed');
    }
  }

  /** The due workloads of one pool, settled in one transaction (workloads/workload.schedule.ts). */
  private async stepWorkloads(ctx: AppContext, rows: readonly { id: number; poolId: number }[]): Promise<void> {
    if (this.stopping) return;
    const { database } = this.ctx;
    const ids = rows.map((r) => r.id);
    try {
      await database.transaction(async (tx) => {
        await settlePoolWorkloads(ctx, tx, rows[0].poolId);
        await releaseLeases(tx, 'workloads', ids, this.leaseOwner);
      });
      return;
    } catch (error) {
      this.log.error({ err: error, kind: 'workloads', pool: rows[0].poolId }, 'lifecycle step failed');
    }
    try {
      await releaseLeases(database.db, 'workloads', ids, this.leaseOwner);
    } catch (error) {
      this.log.error({ err: error, kind: 'workloads' }, 'releasing lifecycle leases failed');
    }
  }

  /** Counts work taken over from a replica whose lease expired (the metric of docs/operations.md). */
  private reportTakeovers(
    kind: 'pool' | 'network' | 'plugin' | 'node' | 'job' | 'workload' | 'scheduledEvent',
    count: number,
  ): void {
    this.log.debug({ kind, count }, 'took over expired lifecycle leases');
    for (let i = 0; i < count; i += 1) this.ctx.signals.emit('leaseTakenOver', kind);
  }

  /**
   * One failing row must not stall the others; it is retried on the next pass.
   * The lease goes either way: done, the row is no longer due; failed, the next
   * pass of any replica may try again. After stop() the step is skipped and its
   * lease released with the others.
   */
  private async step(
    kind: ClaimedTable,
    row: { id: number; name: string; projectId: string },
    advance: (tx: Executor) => Promise<boolean>,
  ): Promise<void> {
    if (this.stopping) return;
    const { database } = this.ctx;
    try {
      // A step changes its own row (a conditional update), the sharded usage
      // counters and the events; none of that needs its project's lock, so steps
      // and requests of one project run side by side. Where flavors have a finite
      // capacity a step may admit waiting pools under the capacity lock, which is
      // only ever taken after the project's (database.ts): then it takes that first.
      // A step that changed its row handed the lease back in the same update
      // (updatePoolIf, updateNetworkIf) or deleted the row; one that changed
      // nothing releases it in its own commit.
      await database.transaction(async (tx) => {
        if (this.ctx.flavors.anyFinite) await database.lockProject(tx, row.projectId);
        if (!(await advance(tx))) await releaseLease(tx, kind, row.id, this.leaseOwner);
      });
      return;
    } catch (error) {
      this.log.error({ err: error, kind, name: row.name }, 'lifecycle step failed');
    }
    try {
      await releaseLease(database.db, kind, row.id, this.leaseOwner);
    } catch (error) {
      this.log.error({ err: error, kind, name: row.name }, 'releasing a lifecycle lease failed');
    }
  }
}
