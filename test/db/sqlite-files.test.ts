// The SQLite database holds sealed secret keys and password hashes: its files are private to the
// user running Atelier, whatever the umask (issue 15, "Also").
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe('a new SQLite database', () => {
  it('is created with mode 0600, and so are its WAL and shared-memory files', async () => {
    const previous = process.umask(0o022);
    try {
      const file = join(dir, 'sub', 'atelier.db');
      const database = openDatabase(`sqlite:${file}`);
      try {
        await migrateToLatest(database);
        expect(mode(file)).toBe(0o600);
        expect(mode(`${file}-wal`)).toBe(0o600);
        expect(mode(`${file}-shm`)).toBe(0o600);
      } finally {
        await database.close();
      }
    } finally {
      process.umask(previous);
    }
  });
});
