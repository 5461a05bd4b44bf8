/**
 * The regression guard of `npm run bench -- --check`: a run's ratios against the last figures
 * committed in bench/results/ of the same mode (quick or full). A ratio is a scenario measured
 * against its reference in the same run, so it can be compared across runs and machines within
 * the noise band below; figures without a reference (pools per second) are shown, never judged.
 */
import { spawnSync } from 'node:child_process';

/** One row of a results file, as bench/run.ts writes it. */
export interface ResultRow {
  section: string;
  name: string;
  requestsPerSecond: number;
  ratio?: number;
  ratioTo?: string;
  p99Ms?: number;
}

export interface Results {
  at: string;
  quick: boolean;
  rows: ResultRow[];
}

/**
 * How far a ratio may fall below the committed one before the guard fails: the spread of one
 * scenario's ratio between runs of the same code on this machine (docs/performance.md: ±0.1 in
 * full runs; the quick mode's single short rounds spread wider).
 */
export const NOISE_BAND = { full: 0.1, quick: 0.15 } as const;

export interface Comparison {
  section: string;
  name: string;
  before: number;
  after: number | undefined;
  /** after − before; undefined when this run did not measure the scenario. */
  change: number | undefined;
  verdict: 'ok' | 'dropped' | 'not measured';
}

/** Every ratio of `before` (references apart) beside the same scenario's ratio in `after`. */
export function compareRatios(before: Results, after: Results, band: number): Comparison[] {
  const key = (row: ResultRow) => `${row.section}\u0000${row.name}`;
  const now = new Map(after.rows.filter(judged).map((row) => [key(row), row.ratio!]));
  return before.rows.filter(judged).map((row) => {
    const ratio = now.get(key(row));
    const change = ratio === undefined ? undefined : Math.round((ratio - row.ratio!) * 100) / 100;
    const verdict = change === undefined ? 'not measured' : change < -band ? 'dropped' : 'ok';
    return { section: row.section, name: row.name, before: row.ratio!, after: ratio, change, verdict };
  });
}

/** A ratio against a reference of the same run (a reference's own row, ratio 1, is not one). */
function judged(row: ResultRow): boolean {
  return typeof row.ratio === 'number' && row.ratioTo !== undefined;
}

/** True when no compared ratio fell beyond the band (scenarios this run left out do not count). */
export function passes(comparisons: readonly Comparison[]): boolean {
  return comparisons.every((c) => c.verdict !== 'dropped');
}

/**
 * The last committed figure of every scenario, over the results files of this mode committed
 * under bench/results/ (names begin with the date; a later file's row replaces an earlier one's),
 * read as committed at HEAD; undefined when none is.
 */
export function lastCommitted(root: string, quick: boolean): { file: string; results: Results } | undefined {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const files = git('ls-files', 'bench/results/')
    .stdout.split('\n')
    .filter((file) => file.endsWith('.json'))
    .sort();
  const committed: Array<{ file: string; results: Results }> = [];
  for (const file of files) {
    const shown = git('show', `HEAD:${file}`);
    if (shown.status !== 0) continue;
    const results = JSON.parse(shown.stdout) as Results;
    if (results.quick === quick) committed.push({ file, results });
  }
  return committed.length === 0
    ? undefined
    : { file: committed.map((c) => c.file).join(', '), results: merged(committed.map((c) => c.results)) };
}

/** Results files in order, as one: the last row of each scenario. */
export function merged(files: readonly Results[]): Results {
  const rows = new Map<string, ResultRow>();
  for (const file of files) for (const row of file.rows) rows.set(`${row.section}\u0000${row.name}`, row);
  return { at: files.at(-1)!.at, quick: files.at(-1)!.quick, rows: [...rows.values()] };
}

/** The comparison as a table. */
export function formatComparisons(comparisons: readonly Comparison[], band: number): string {
  const lines = comparisons.map((c) => {
    const after = c.after === undefined ? '-' : c.after.toFixed(2);
    const change = c.change === undefined ? '' : `${c.change >= 0 ? '+' : ''}${c.change.toFixed(2)}`;
    return `  ${c.verdict.padEnd(12)} ${c.before.toFixed(2)} → ${after.padEnd(5)} ${change.padEnd(6)} ${c.section} / ${c.name}`;
  });
  return `ratios against the committed figures (a drop beyond ${band} fails):\n${lines.join('\n')}\n`;
}
