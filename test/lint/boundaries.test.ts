// The lint rules of eslint.config.js hold the house rules (STYLE §1, §4, §6, §11):
// each is shown firing on a deliberate violation at a virtual path, and a clean
// snippet passes. The table rule is held against db/tables.ts, room by room.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../src/db/tables.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The rule ids (with their messages) ESLint reports for `code` placed at `filePath`. */
async function lint(filePath: string, code: string): Promise<Array<{ ruleId: string | null; message: string }>> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

const ruleIds = async (filePath: string, code: string) => (await lint(filePath, code)).map((m) => m.ruleId);

/** A function of exactly `lines` lines, braces included. */
function functionOf(lines: number): string {
  const body = Array.from({ length: lines - 4 }, () => '  n += 1;');
  return ['export function long(): number {', '  let n = 0;', ...body, '  return n;', '}', ''].join('\n');
}

/** A file of exactly `lines` code lines. */
const fileOf = (lines: number) =>
  `${Array.from({ length: lines }, (_, i) => `export const c${i} = ${i};`).join('\n')}\n`;

describe('the lint rules', () => {
  it('refuse a room importing another room’s store', async () => {
    const code = "import { findNetwork } from '../networks/network.store.js';\n\nexport const f = findNetwork;\n";
    expect(await ruleIds('src/pools/virtual.ts', code)).toEqual(['import-x/no-restricted-paths']);
  });

  it('refuse process.env outside config.ts, and allow it there', async () => {
    const code = 'export const port = process.env.ATELIER_PORT;\n';
    expect(await ruleIds('src/pools/virtual.ts', code)).toEqual(['no-restricted-properties']);
    expect(await ruleIds('src/cluster.ts', code)).toEqual(['no-restricted-properties']);
    expect(await ruleIds('src/config.ts', code)).toEqual([]);
  });

  it('refuse a room querying another room’s table', async () => {
    const code = [
      "import type { Executor } from '../db/database.js';",
      '',
      "export const f = (db: Executor) => db.selectFrom('networks').selectAll().execute();",
      '',
    ].join('\n');
    const messages = await lint('src/pools/virtual.ts', code);
    expect(messages.map((m) => m.ruleId)).toEqual(['no-restricted-syntax']);
    expect(messages[0]!.message).toMatch(/belongs to another room/);
  });

  it('refuse a function over 80 lines and a file over 400', async () => {
    expect(await ruleIds('src/pools/virtual.ts', functionOf(80))).toEqual([]);
    expect(await ruleIds('src/pools/virtual.ts', functionOf(81))).toEqual(['max-lines-per-function']);
    expect(await ruleIds('src/pools/virtual.ts', fileOf(400))).toEqual([]);
    expect(await ruleIds('src/pools/virtual.ts', fileOf(401))).toEqual(['max-lines']);
  });

  it('refuse a TypeScript enum, in a room and outside one', async () => {
    const code = "export enum Phase {\n  Creating = 'Creating',\n}\n";
    for (const path of ['src/pools/virtual.ts', 'src/http/virtual.ts']) {
      const messages = await lint(path, code);
      expect(messages.map((m) => m.ruleId)).toEqual(['no-restricted-syntax']);
      expect(messages[0]!.message).toMatch(/as const/);
    }
  });

  it('refuse a migration importing from src/', async () => {
    const code = "import { TABLES } from '../tables.js';\n\nexport const tables = TABLES;\n";
    expect(await ruleIds('src/db/migrations/0999_virtual.ts', code)).toEqual(['no-restricted-imports']);
  });

  it('pass a clean room file: another room’s service, its own table', async () => {
    const code = [
      "import type { Executor } from '../db/database.js';",
      "import { requireProject } from '../projects/project.service.js';",
      '',
      'export const use = requireProject;',
      "export const f = (db: Executor) => db.selectFrom('pools').selectAll().execute();",
      '',
    ].join('\n');
    expect(await lint('src/pools/virtual.ts', code)).toEqual([]);
  });

  it('let each table be queried by the room db/tables.ts names as its owner, by no other, and by db/', async () => {
    const queries = TABLES.map((t) => `export const q_${t.name} = (db: Executor) => db.selectFrom('${t.name}');`);
    const code = ["import type { Executor } from '../db/database.js';", '', ...queries, ''].join('\n');
    const firstQueryLine = 3;
    const rooms = [...new Set(TABLES.map((t) => t.room)), 'seed'];
    for (const room of rooms) {
      const [result] = await eslint.lintText(code, { filePath: `src/${room}/virtual.ts` });
      const refused = result!.messages
        .filter((m) => m.ruleId === 'no-restricted-syntax')
        .map((m) => TABLES[m.line - firstQueryLine]!.name);
      expect({ room, refused }).toEqual({
        room,
        refused: TABLES.filter((t) => t.room !== room).map((t) => t.name),
      });
    }
    const inDb = await lint('src/db/virtual.ts', code.replace("'../db/database.js'", "'./database.js'"));
    expect(inDb).toEqual([]);
  });
});
