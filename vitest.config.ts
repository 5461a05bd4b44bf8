import { existsSync } from 'node:fs';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { ensureBuilt } from './test/helpers/atelier-command.js';
import { findPostgresBin } from './test/helpers/postgres-cluster.js';

/**
 * The suite runs once per database dialect (STYLE §9). ATELIER_TEST_DIALECTS
 * narrows the list (e.g. `ATELIER_TEST_DIALECTS=sqlite npm test`); without
 * PostgreSQL binaries on the machine the PostgreSQL half is skipped, loudly —
 * except under CI=true, where a missing PostgreSQL fails the run: a CI job that
 * silently tested one database would pass for both.
 */
const wanted = (process.env.ATELIER_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim());
const postgresBin = wanted.includes('postgres') ? findPostgresBin() : undefined;
const inCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
if (wanted.includes('postgres') && !postgresBin && inCi) {
  throw new Error(
    'PostgreSQL binaries (initdb, pg_ctl) not found, and CI=true: the PostgreSQL half of the test suite ' +
      'cannot be skipped in CI. Install postgresql (e.g. apt-get install postgresql-15), or set ' +
      'ATELIER_TEST_DIALECTS=sqlite to run the SQLite half on purpose.',
  );
}
if (wanted.includes('postgres') && !postgresBin) {
  // The summary reporter repeats the notice under the counts, where nobody misses it.
  process.env.ATELIER_TEST_POSTGRES_SKIPPED = '1';
  process.stderr.write(
    '\n*** PostgreSQL binaries (initdb, pg_ctl) not found: the PostgreSQL half of the test suite is SKIPPED. ***\n' +
      '*** Install postgresql (e.g. apt-get install postgresql-15) to run it; .ci/run does.            ***\n\n',
  );
}

/**
 * Tests that start the `atelier` command run dist/main.js (test/helpers/atelier-command.ts): build it
 * first when a source is newer than its output, so an edit is always what they test.
 */
ensureBuilt();

/** The browser test of /docs skips itself without Chromium; the closing summary says so too. */
if (!existsSync('/usr/bin/chromium')) process.env.ATELIER_TEST_CHROMIUM_SKIPPED = '1';

/** Tests that never open a database: once is enough. */
const DATABASE_FREE = [
  'test/shared/**',
  'test/config.test.ts',
  'test/identity/signature.test.ts',
  'test/identity/sdk-signer.test.ts',
  'test/console/browser-signing.test.ts',
  'test/operations/shutdown.test.ts',
  'test/lint/**',
  'test/examples/docs.test.ts',
  'test/bench/**',
  'test/identity/signature-fast.test.ts',
  'test/operations/request-tally.test.ts',
];
/**
 * Tests about a SQLite installation itself (the command line and first start on a
 * database file, restarts of a SQLite-backed process); their PostgreSQL
 * counterparts live in test/postgres/.
 */
const SQLITE_ONLY = [
  'test/identity/cli.test.ts',
  'test/cli/daily-use.test.ts',
  'test/examples/examples.test.ts',
  'test/identity/first-start.test.ts',
  'test/engine/restart.test.ts',
  'test/engine/workers.test.ts',
  'test/engine/node-crash.test.ts',
  'test/operations/serve.test.ts',
  'test/operations/log-destination.test.ts',
  'test/db/group-commit.test.ts',
  'test/db/sqlite-files.test.ts',
  // The login throttle is counted in memory, per process; the database only finds the user, which
  // test/identity/tokens.test.ts and password-hashes.test.ts do on both. Its refusals are held back
  // and each costs a full scrypt: once is enough.
  'test/identity/login-throttle.test.ts',
  // Not about a database at all, but a browser: once is enough.
  'test/http/docs-browser.test.ts',
  // The console's main flow (test/console/console-flow.test.ts) runs on both; the rest once.
  'test/console/console-more.test.ts',
];

const projects: TestProjectInlineConfiguration[] = [];
if (wanted.includes('sqlite')) {
  projects.push({
    extends: true,
    test: { name: 'sqlite', exclude: ['test/postgres/**'], env: { ATELIER_TEST_DIALECT: 'sqlite' } },
  });
}
if (postgresBin) {
  projects.push({
    extends: true,
    test: {
      name: 'postgres',
      exclude: [...DATABASE_FREE, ...SQLITE_ONLY],
      env: { ATELIER_TEST_DIALECT: 'postgres' },
      globalSetup: ['./test/helpers/postgres-global.ts'],
    },
  });
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Room for two files sharing two cores: a test that takes 20 s alone can take twice that here.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on servers, child processes and timers rather than compute, so two at a time
    // keep a 2-core machine busy; vitest's default (cores - 1) would run them one by one there.
    maxWorkers: Number(process.env.ATELIER_TEST_WORKERS ?? 2),
    minWorkers: 1,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects,
  },
});
