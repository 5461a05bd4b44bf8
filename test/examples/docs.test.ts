// The README and docs/ show the files under examples/ verbatim: a block after `<!-- example: PATH -->`
// must be that file, every file under examples/ is shown somewhere, and every block of the README and
// docs/ is either an example or says why it is not run (`<!-- not run: … -->`). examples.test.ts runs the files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../identity/helpers.js';

interface Block {
  page: string;
  line: number;
  marker: string | undefined;
  content: string;
}

/** The fenced blocks of a Markdown page, each with the comment line just before it (if any). */
function blocks(page: string): Block[] {
  const lines = readFileSync(join(REPO_ROOT, page), 'utf8').split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.startsWith('```')) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    const before = lines[i - 1]?.match(/^<!-- (.*) -->$/)?.[1];
    found.push({ page, line: i + 1, marker: before, content: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

const pages = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).map((f) => `docs/${f}`)];
const all = pages.flatMap(blocks);
const shown = all.flatMap((b) => (b.marker?.startsWith('example: ') ? [{ ...b, file: b.marker.slice(9) }] : []));

describe('examples in the documentation', () => {
  it('every block marked as an example is that file, verbatim', () => {
    expect(shown.length).toBeGreaterThan(5);
    for (const block of shown) {
      const file = readFileSync(join(REPO_ROOT, block.file), 'utf8').replace(/\n$/, '');
      expect(block.content, `${block.page}:${block.line} differs from ${block.file}`).toBe(file);
    }
  });

  it('every file under examples/ is shown in the README or docs/', () => {
    const files = readdirSync(join(REPO_ROOT, 'examples')).map((f) => `examples/${f}`);
    for (const file of files)
      expect(
        shown.map((b) => b.file),
        `${file} is shown nowhere`,
      ).toContain(file);
  });

  it('every block of the README and docs/ is an example, or says why it is not run', () => {
    for (const block of all)
      expect(block.marker, `${block.page}:${block.line}`).toMatch(/^(example: examples\/\S+|not run: .+)$/);
  });
});
