import type { FastifyBaseLogger } from 'fastify';

/** How long SIGTERM may take before the process exits anyway (orchestrators wait about this long). */
export const SHUTDOWN_DEADLINE_MS = 10_000;

export interface Closable {
  readonly app: { readonly log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'> };
  close(): Promise<void>;
}

export interface ShutdownOptions {
  deadlineMs?: number;
  /** process.exit, unless a test watches. */
  exit?: (code: number) => void;
}

/**
 * The graceful stop, once: stop accepting, let in-flight requests finish, stop the
 * engine after its running pass (and, once leases land, release them), close the
 * database — then exit 0. Whatever is still stuck after the deadline is abandoned:
 * the process logs why and exits 1; an interrupted lifecycle step is redone by the
 * next engine, as after any crash.
 */
export function gracefulShutdown(
  server: Closable,
  options: ShutdownOptions = {},
): (signal: NodeJS.Signals) => Promise<void> {
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = server.app.log;
  let stopping = false;
  return async (signal) => {
    if (stopping) {
      log.warn({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    log.info({ signal, deadlineMs }, 'shutting down');
    const started = Date.now();
    const force = setTimeout(() => {
      log.error(
        { signal, deadlineMs },
        'shutdown did not finish in time (requests or the engine pass still running); exiting',
      );
      exit(1);
    }, deadlineMs);
    try {
      await server.close();
      clearTimeout(force);
      log.info({ signal, durationMs: Date.now() - started }, 'shut down');
      exit(0);
    } catch (error) {
      clearTimeout(force);
      log.error({ err: error, signal }, 'shutdown failed');
      exit(1);
    }
  };
}

/** `atelier serve`: SIGTERM and SIGINT stop the server gracefully; a second signal is only logged. */
export function closeOnSignals(server: Closable, options: ShutdownOptions = {}): void {
  const stop = gracefulShutdown(server, options);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
