import type { LoginThrottleSettings } from '../config.js';

interface Tally {
  /** Refused (or still running) attempts since `since`. */
  failures: number;
  since: number;
  lockedUntil: number;
}

/** Keys remembered at most, per kind; beyond that the oldest are forgotten first. */
const CAPACITY = 50_000;

/**
 * Counts refused password logins per user and per client address, as IAM's account lockout policy
 * does: after the first refusal each further one is answered later (the delay doubles), and
 * `maxFailures…` refusals within the window lock the user, or the address, for the lockout time —
 * whatever password comes next. An attempt counts from the moment it starts, so parallel guesses
 * cannot all slip in before the first of them is refused; a successful login takes its own count
 * back and clears the user's tally.
 *
 * Kept in memory: each process (each worker, each replica) counts on its own, so the limits hold
 * per process (docs/operations.md).
 */
export class LoginThrottle {
  private readonly users = new Map<string, Tally>();
  private readonly addresses = new Map<string, Tally>();

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly now: () => number,
  ) {}

  /**
   * Milliseconds until the user or the address may try again; 0 when both may try now. Attempts
   * still running count: enough of them at once hold back the next as a lockout would.
   */
  lockedFor(user: string, address: string): number {
    const now = this.now();
    return Math.max(
      this.wait(this.tally(this.users, user, now), now, this.settings.maxFailuresPerUser),
      this.wait(this.tally(this.addresses, address, now), now, this.settings.maxFailuresPerAddress),
    );
  }

  /** Counts an attempt that is about to be checked. */
  begin(user: string, address: string): void {
    const now = this.now();
    this.count(this.users, user, now);
    this.count(this.addresses, address, now);
  }

  /** The attempt begun for `user` from `address` was refused: a lockout starts once the count is reached. */
  refused(user: string, address: string): void {
    const now = this.now();
    this.lockIfDue(this.users.get(user), now, this.settings.maxFailuresPerUser);
    this.lockIfDue(this.addresses.get(address), now, this.settings.maxFailuresPerAddress);
  }

  /** The attempt begun for `user` from `address` succeeded. */
  succeeded(user: string, address: string): void {
    this.users.delete(user);
    const tally = this.addresses.get(address);
    if (tally) tally.failures = Math.max(0, tally.failures - 1);
  }

  /** How long to hold back the refusal of the attempt just begun for `user`. */
  delayFor(user: string): number {
    const failures = this.users.get(user)?.failures ?? 0;
    if (failures < 2 || this.settings.delayMs === 0) return 0;
    return Math.min(this.settings.delayMs * 2 ** (failures - 2), MAX_DELAY_MS);
  }

  private wait(tally: Tally | undefined, now: number, max: number): number {
    if (!tally) return 0;
    if (tally.lockedUntil > now) return tally.lockedUntil - now;
    return tally.failures >= max ? this.settings.lockoutMs : 0;
  }

  /** The key's tally within the current window, forgetting one that has run out. */
  private tally(map: Map<string, Tally>, key: string, now: number): Tally | undefined {
    const tally = map.get(key);
    if (tally && tally.lockedUntil <= now && now - tally.since >= this.settings.windowMs) {
      map.delete(key);
      return undefined;
    }
    return tally;
  }

  private count(map: Map<string, Tally>, key: string, now: number): void {
    let tally = this.tally(map, key, now);
    if (!tally) {
      if (map.size >= CAPACITY) map.delete(map.keys().next().value as string);
      tally = { failures: 0, since: now, lockedUntil: 0 };
      map.set(key, tally);
    }
    tally.failures += 1;
  }

  private lockIfDue(tally: Tally | undefined, now: number, max: number): void {
    if (!tally || tally.failures < max || tally.lockedUntil > now) return;
    tally.lockedUntil = now + this.settings.lockoutMs;
    // The tally is forgotten when the lockout ends: counting starts afresh.
    tally.since = tally.lockedUntil - this.settings.windowMs;
    tally.failures = 0;
  }
}

/** The longest a refusal is held back: long enough to slow guessing, short of clients' timeouts. */
const MAX_DELAY_MS = 5_000;
