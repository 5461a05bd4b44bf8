import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Chromium from the distribution (.ci/run installs it); playwright-core downloads no browser itself. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * Whether the browser tests can run. Without Chromium they are skipped, with a notice here and in the
 * closing summary (vitest.config.ts), as the PostgreSQL half is.
 */
export function hasChromium(what: string): boolean {
  const found = existsSync(CHROMIUM);
  if (!found) {
    process.stderr.write(
      `\n*** ${CHROMIUM} not found: the browser test of ${what} is SKIPPED (apt-get install chromium; .ci/run does). ***\n\n`,
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
