/** Where "now" comes from: injectable so tests (and later the emulator) can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(date: Date | string): void {
    this.ms = new Date(date).getTime();
  }
}

/**
 * The service clock of a running installation: another clock (the system's, or a
 * test's) plus an offset that the emulator controls move forward, so every timer
 * and the 72-hour window of `failed` can be tested in seconds (docs/emulator.md).
 * The offset is persisted by the admin service, so a restart keeps "now".
 */
export class OffsetClock implements Clock {
  constructor(
    private readonly base: Clock,
    private offset = 0,
  ) {}
  now(): Date {
    return new Date(this.base.now().getTime() + this.offset);
  }
  get offsetMs(): number {
    return this.offset;
  }
  setOffset(ms: number): void {
    this.offset = ms;
  }
}
