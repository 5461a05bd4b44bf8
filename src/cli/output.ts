/**
 * What the command line prints: a table with a header for people, or JSON (`--json`) for scripts.
 * Every list command goes through `printList`, so every list has both.
 */
export type Row = Record<string, string | number | boolean | null | readonly string[]>;

export const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export interface ListOptions {
  json?: boolean;
}

/** Columns by key, in order, with the header each shows. */
export type Columns<T extends Row> = ReadonlyArray<readonly [keyof T & string, string]>;

const cell = (value: Row[string]): string =>
  value === null ? '-' : Array.isArray(value) ? value.join(',') || '-' : String(value);

/** An aligned table: a header line, then one line per row; "(none)" when there are no rows. */
export function formatTable<T extends Row>(rows: readonly T[], columns: Columns<T>): string {
  if (rows.length === 0) return '(none)';
  const cells = [columns.map(([, header]) => header), ...rows.map((row) => columns.map(([key]) => cell(row[key])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells
    .map((line) =>
      line
        .map((text, i) => text.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printList<T extends Row>(rows: readonly T[], columns: Columns<T>, options: ListOptions): void {
  out(options.json ? JSON.stringify(rows, null, 2) : formatTable(rows, columns));
}

/** A single object: JSON with `--json`, else aligned "label  value" lines. */
export function printRecord(record: Row, labels: Record<string, string>, options: ListOptions): void {
  if (options.json) return out(JSON.stringify(record, null, 2));
  const width = Math.max(...Object.values(labels).map((l) => l.length));
  for (const [key, label] of Object.entries(labels)) out(`${label.padEnd(width)}  ${cell(record[key] ?? null)}`);
}
