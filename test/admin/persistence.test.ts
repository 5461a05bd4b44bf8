// What the emulator controls change outlives a restart, and reaches the other
// processes on the same database (docs/emulator.md, "Decisions").
import { describe, expect, it } from 'vitest';
import { watchEmulatorSettings } from '../../src/admin/emulator-settings.store.js';
import { ManualClock } from '../../src/clock.js';
import { openContext } from '../../src/server.js';
import { adminOk, useAdminHarness } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';

describe('emulator settings', () => {
  const h = useAdminHarness();

  it('survive a restart: timing, clock offset and faults are read back from the database', async () => {
    await adminOk(h, 'PUT', '/_atelier/lifecycle', {
      poolDelete: { mode: 'manual' },
      networkCreate: { mode: 'auto', seconds: 42 },
    });
    await adminOk(h, 'POST', '/_atelier/clock/advance', { seconds: 90 });
    const fault = await adminOk(h, 'POST', '/_atelier/faults', { operation: 'scale', count: 2 }, 201);

    // A second process on the same database, started with the same base time.
    const restarted = await openContext(h.config, new ManualClock(h.clock.now()));
    try {
      const ctx = restarted.context;
      expect(ctx.lifecycle.snapshot()).toMatchObject({
        poolDelete: { mode: 'manual' },
        networkCreate: { mode: 'auto', seconds: 42 },
        poolCreate: { mode: 'auto', seconds: 0 },
      });
      expect(ctx.clockOffset.offsetMs).toBe(90_000);
      expect(ctx.clock.now().getTime()).toBe(h.context.clock.now().getTime());
      const faults = await ctx.database.db.selectFrom('faults').select(['id', 'remaining']).execute();
      expect(faults.map((f) => [Number(f.id), Number(f.remaining)])).toEqual([[fault.id, 2]]);
    } finally {
      await restarted.database.close();
    }
  });

  it('changed through one worker reach another within the watch interval', async () => {
    const other = await openContext(h.config, new ManualClock(h.clock.now()));
    const stop = watchEmulatorSettings(other.context, 20);
    try {
      await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolScale: { mode: 'manual' } });
      await adminOk(h, 'POST', '/_atelier/clock/advance', { seconds: 10 });
      await waitFor(
        async () => [other.context.lifecycle.get('poolScale').mode, other.context.clockOffset.offsetMs] as const,
        { until: ([mode, offset]) => mode === 'manual' && offset === h.context.clockOffset.offsetMs, interval: 20 },
      );
      // A reset of everything puts both back to the configuration.
      await adminOk(h, 'POST', '/_atelier/reset');
      await waitFor(
        async () => [other.context.lifecycle.get('poolScale').mode, other.context.clockOffset.offsetMs] as const,
        { until: ([mode, offset]) => mode === 'auto' && offset === 0, interval: 20 },
      );
    } finally {
      stop();
      await other.database.close();
    }
  });
});
