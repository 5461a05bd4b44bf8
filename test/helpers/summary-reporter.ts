import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line `N passed, N failed, N skipped` that CI reads to
 * know how many tests ran, whatever the default reporter's layout.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (process.env.ATELIER_TEST_POSTGRES_SKIPPED === '1') {
      process.stdout.write('PostgreSQL half SKIPPED: no PostgreSQL binaries (initdb, pg_ctl) on this machine\n');
    }
    if (process.env.ATELIER_TEST_CHROMIUM_SKIPPED === '1') {
      process.stdout.write('Browser tests of /docs and /console SKIPPED: no /usr/bin/chromium on this machine\n');
    }
  }
}
