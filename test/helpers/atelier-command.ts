import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The `atelier` command as tests spawn it: `node ATELIER_MAIN …`, the build that bin/atelier and
 * `npm start` run. Through tsx every start transformed src/ again (about twice the start-up CPU);
 * vitest.config.ts calls ensureBuilt() first, so the build is never older than the sources.
 */
export const ATELIER_MAIN = join(REPO_ROOT, 'dist/main.js');

/** The sources whose build output is missing or older than they are. */
function staleSources(): string[] {
  const stale: string[] = [];
  const configs = ['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(REPO_ROOT, f)).mtimeMs);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(REPO_ROOT, 'dist', relative(join(REPO_ROOT, 'src'), path)).replace(/\.ts$/, '.js');
        const builtAt = existsSync(built) ? statSync(built).mtimeMs : -1;
        if (builtAt < Math.max(statSync(path).mtimeMs, ...configs)) stale.push(relative(REPO_ROOT, path));
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  return stale;
}

/**
 * Builds dist/ (`tsc -p tsconfig.build.json`, as `npm run build` does) when any source is newer than
 * its output, so that a test of the command always runs the code as edited. tsc writes its output
 * even over type errors (`npm run typecheck` reports those); a build that leaves a source unbuilt
 * fails the run.
 */
export function ensureBuilt(): void {
  const stale = staleSources();
  if (stale.length === 0) return;
  process.stderr.write(`dist/ is older than ${stale.length} source file(s) (${stale[0]} …): building it\n`);
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    process.stderr.write(
      `tsc -p tsconfig.build.json reported errors:\n${(error as { stdout?: Buffer }).stdout ?? ''}\n`,
    );
  }
  const still = staleSources();
  if (still.length > 0) throw new Error(`dist/ could not be built for ${still.join(', ')}: run npm run build`);
}
