import type { OffsetClock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import {
  LIFECYCLE_STEPS,
  type LifecyclePolicy,
  type LifecycleStep,
  type StepTiming,
} from '../engine/lifecycle-policy.js';

const CLOCK_OFFSET = 'clock_offset_ms';
const LIFECYCLE = 'lifecycle';

/** What the emulator controls changed and a restart must keep. */
export interface EmulatorSettings {
  clockOffsetMs: number;
  lifecycle: Partial<Record<LifecycleStep, StepTiming>>;
}

export async function loadEmulatorSettings(tx: Executor): Promise<EmulatorSettings> {
  const rows = await tx.selectFrom('emulator_settings').select(['key', 'value']).execute();
  const byKey = new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  const offset = Number(byKey.get(CLOCK_OFFSET) ?? 0);
  const stored = (byKey.get(LIFECYCLE) ?? {}) as Record<string, StepTiming>;
  const lifecycle: Partial<Record<LifecycleStep, StepTiming>> = {};
  for (const step of LIFECYCLE_STEPS) if (stored[step]) lifecycle[step] = stored[step];
  return { clockOffsetMs: Number.isFinite(offset) ? offset : 0, lifecycle };
}

async function saveSetting(tx: Executor, key: string, value: unknown): Promise<void> {
  await tx
    .insertInto('emulator_settings')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
    .execute();
}

export const saveClockOffset = (tx: Executor, ms: number) => saveSetting(tx, CLOCK_OFFSET, ms);
export const saveLifecycle = (tx: Executor, timings: Record<LifecycleStep, StepTiming>) =>
  saveSetting(tx, LIFECYCLE, timings);

/** Puts persisted settings into the running context (defaults where none are stored). */
export function applyEmulatorSettings(
  ctx: { lifecycle: LifecyclePolicy; clockOffset: OffsetClock },
  settings: EmulatorSettings,
): void {
  ctx.lifecycle.reset();
  for (const step of LIFECYCLE_STEPS) {
    const timing = settings.lifecycle[step];
    if (timing) ctx.lifecycle.set(step, timing);
  }
  ctx.clockOffset.setOffset(settings.clockOffsetMs);
}

/**
 * Re-reads the settings every `intervalMs`, so a change made through one worker
 * (ATELIER_WORKERS > 1) reaches the others and the engine's within that time.
 * Returns the function that stops it.
 */
export function watchEmulatorSettings(
  ctx: { database: Database; lifecycle: LifecyclePolicy; clockOffset: OffsetClock },
  intervalMs: number,
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    loadEmulatorSettings(ctx.database.db)
      .then((settings) => applyEmulatorSettings(ctx, settings))
      // A failed read (database closing, busy) keeps the settings in memory until the next one.
      .catch(() => {})
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
