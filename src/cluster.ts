import cluster, { type Worker } from 'node:cluster';
import { workerEnvironment, workerIndex, type Config } from './config.js';
import { announceFirstStart, openContext } from './server.js';

/**
 * ATELIER_WORKERS > 1: the primary prepares the database once (migrations and
 * the first-start bootstrap, which must not race), then forks that many HTTP
 * workers sharing the port. Only worker 1 runs the lifecycle engine; its steps are
 * conditional updates, so this is about not wasting work, not about safety.
 * A worker that dies is replaced.
 */
export async function runPrimary(config: Config, announce: (text: string) => void): Promise<void> {
  const { database, firstStart, seeded } = await openContext(config);
  await database.close();
  if (seeded) announce(`seed file ${config.seedFile} loaded: ${JSON.stringify(seeded)}`);
  if (firstStart) announce(announceFirstStart(firstStart, `http://${config.host}:${config.port}`));

  let stopping = false;
  const fork = (index: number): Worker => {
    const worker = cluster.fork(workerEnvironment(index));
    worker.on('exit', (code, signal) => {
      if (!stopping) {
        announce(`worker ${index} exited (${signal ?? code}); starting another`);
        fork(index);
      }
    });
    return worker;
  };
  const workers = Array.from({ length: config.workers }, (_, i) => fork(i + 1));
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of workers) worker.process.kill(signal);
    let left = workers.length;
    for (const worker of workers) worker.once('exit', () => (left -= 1) === 0 && process.exit(0));
    setTimeout(() => process.exit(1), 12_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export const isWorker = (): boolean => cluster.isWorker;

/** Whether this process should run the lifecycle engine. */
export const runsEngine = (): boolean => !cluster.isWorker || workerIndex() === 1;
