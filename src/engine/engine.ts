import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';
import { advanceNetwork } from '../networks/network.service.js';
import { selectDueNetworks } from '../networks/network.store.js';
import { advancePool } from '../pools/pool.service.js';
import { selectDuePools, selectWaitingPools } from '../pools/pool.store.js';
import { admitWaitingPools } from '../pools/pool.transitions.js';

/** How many due rows one pass takes of each kind before yielding to requests. */
const BATCH = 200;

/**
 * The reconciler: finds networks and pools whose next step is due and runs it,
 * each step in its own transaction. All state is in the database, so a fresh
 * engine after a crash simply finds the unfinished work and carries on.
 */
export class LifecycleEngine {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly ctx: Omit<AppContext, 'wakeEngine'>,
    private readonly log: Pick<FastifyBaseLogger, 'error' | 'debug'>,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
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
    const now = clock.now();
    const networks = await selectDueNetworks(database.db, now, BATCH);
    // Each step takes the project lock like an API write does, so on PostgreSQL
    // a PATCH or DELETE never loses its conditional update to the engine.
    for (const row of networks) {
      await this.step('network', row.name, () =>
        database.transaction(async (tx) => {
          await database.lockProject(tx, row.project_id);
          return advanceNetwork(ctx, tx, row);
        }),
      );
    }
    const pools = await selectDuePools(database.db, now, BATCH);
    for (const row of pools) {
      await this.step('pool', row.name, () =>
        database.transaction(async (tx) => {
          await database.lockProject(tx, row.project_id);
          return advancePool(ctx, tx, row);
        }),
      );
    }
    if ((await selectWaitingPools(database.db)).length > 0) {
      await database.transaction((tx) => admitWaitingPools(ctx, tx));
    }
    return Math.max(networks.length, pools.length);
  }

  /** One failing row must not stall the others; it is retried on the next pass. */
  private async step(kind: string, name: string, run: () => Promise<boolean>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.log.error({ err: error, kind, name }, 'lifecycle step failed');
    }
  }
}
