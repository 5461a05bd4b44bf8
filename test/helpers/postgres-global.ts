import type { TestProject } from 'vitest/node';
import { findPostgresBin, startCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance URL of the run's throwaway cluster; each harness creates its own database in it. */
    pgAdminUrl: string;
  }
}

/**
 * globalSetup of the PostgreSQL project: one cluster per test run, handed to the
 * workers through provide/inject and to spawned servers through the URLs tests build.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL binaries not found (initdb, pg_ctl); vitest.config.ts should have skipped this project',
    );
  const cluster = await startCluster(bin);
  project.provide('pgAdminUrl', cluster.adminUrl);
  const stop = () => cluster.stop();
  // A run interrupted with Ctrl-C still removes the cluster.
  process.once('exit', stop);
  return stop;
}
