import type { LifecycleTimings } from '../config.js';
import { after } from '../db/database.js';

/** The simulated provisioning steps whose timing can change at run time. */
export const LIFECYCLE_STEPS = [
  'networkCreate',
  'networkDelete',
  'poolCreate',
  'poolDelete',
  'poolScale',
  'nodeCreate',
  'nodeDelete',
  'nodeReboot',
  'nodeReset',
] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

/** `auto`: the step is due `seconds` after it starts; `manual`: only an advance call makes it due. */
export type StepTiming = { readonly mode: 'auto'; readonly seconds: number } | { readonly mode: 'manual' };

/**
 * Due time of a step in manual mode: far enough that no engine pass reaches it,
 * yet a valid timestamp in both dialects, so the due-time index still orders it.
 */
export const MANUAL_DUE = new Date('9999-12-31T00:00:00.000Z');

/**
 * How long each lifecycle step takes, seeded from the configuration and changed
 * at run time by the emulator controls. Services ask this object, never
 * config.timings, so a change applies to every step started after it.
 */
export class LifecyclePolicy {
  private readonly timings = new Map<LifecycleStep, StepTiming>();

  constructor(private readonly defaults: LifecycleTimings) {
    this.reset();
  }

  /** When a step started at `now` becomes due. */
  dueAt(step: LifecycleStep, now: Date): Date {
    const timing = this.get(step);
    return timing.mode === 'manual' ? MANUAL_DUE : after(now, timing.seconds);
  }

  /**
   * When a chain of steps started at `now` is done: a node comes up after its
   * pool's step and then its own (nodeCreate). Manual if any step is.
   */
  dueAfter(steps: readonly LifecycleStep[], now: Date): Date {
    let seconds = 0;
    for (const step of steps) {
      const timing = this.get(step);
      if (timing.mode === 'manual') return MANUAL_DUE;
      seconds += timing.seconds;
    }
    return after(now, seconds);
  }

  get(step: LifecycleStep): StepTiming {
    return this.timings.get(step) ?? { mode: 'auto', seconds: this.defaults[step] };
  }

  set(step: LifecycleStep, timing: StepTiming): void {
    this.timings.set(step, timing);
  }

  /** Back to the configured timings. */
  reset(): void {
    for (const step of LIFECYCLE_STEPS) this.timings.set(step, { mode: 'auto', seconds: this.defaults[step] });
  }

  snapshot(): Record<LifecycleStep, StepTiming> {
    return Object.fromEntries(LIFECYCLE_STEPS.map((step) => [step, this.get(step)])) as Record<
      LifecycleStep,
      StepTiming
    >;
  }
}
