/**
 * Things that happen deep inside a service or the engine that an operator wants
 * counted (src/metrics). The code where they happen emits a signal; whoever counts
 * subscribes. Neither side imports the other, and a service with nobody
 * listening (the command line, a unit test) pays one Map lookup.
 */
export interface SignalMap {
  /** A create was refused because the project's quota is used up. */
  quotaRejected: [kind: 'pool' | 'network'];
  /** The engine took over a step whose lease another engine let expire. */
  leaseTakenOver: [kind: 'pool' | 'network' | 'plugin' | 'node' | 'job' | 'workload' | 'scheduledEvent'];
  /** Log lines were lost: the log destination failed or did not keep up (src/log-destination.ts). */
  logLinesDropped: [lines: number];
  /** A change was refused because the database is out of space. */
  storageFull: [];
}

type Listener<K extends keyof SignalMap> = (...args: SignalMap[K]) => void;

export class Signals {
  private readonly listeners = new Map<keyof SignalMap, Set<Listener<never>>>();

  /** Subscribes; returns the unsubscribe function (call it when the listener's owner closes). */
  on<K extends keyof SignalMap>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => void set.delete(listener as Listener<never>);
  }

  /** Tells every listener; a failing listener never fails the operation that emitted. */
  emit<K extends keyof SignalMap>(name: K, ...args: SignalMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(...args);
      } catch {
        // Counting is best effort: the quota error or the engine step must still happen.
      }
    }
  }
}
