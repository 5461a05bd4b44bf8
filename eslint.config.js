// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * Resource folders under src/: each is a room (STYLE §1). Another folder may use a
 * room's exported services, schemas and lifecycle tables, never its store: a room's
 * rows are read and written only by its own code.
 */
const ROOMS = [
  'admin',
  'events',
  'faults',
  'flavors',
  'health',
  'identity',
  'jobs',
  'metrics',
  'networks',
  'nodes',
  'node-config',
  'orders',
  'os-config',
  'plugins',
  'pools',
  'projects',
  'quotas',
  'scheduled-events',
  'seed',
  'statistics',
  'tags',
  'workloads',
];

/** Which room owns each table: only that room's code names it in a query. */
const TABLE_OWNERS = {
  accounts: 'identity',
  users: 'identity',
  credentials: 'identity',
  grants: 'identity',
  tokens: 'identity',
  projects: 'projects',
  networks: 'networks',
  pools: 'pools',
  nodes: 'nodes',
  node_counts: 'nodes',
  ip_cursors: 'nodes',
  jobs: 'jobs',
  orders: 'orders',
  faulted_pools: 'faults',
  usage_counts: 'quotas',
  quota_counts: 'quotas',
  events: 'events',
  faults: 'faults',
  emulator_settings: 'admin',
  pool_plugins: 'plugins',
  pool_tags: 'tags',
  workloads: 'workloads',
  workload_runs: 'workloads',
  pool_capacity: 'workloads',
  scheduled_events: 'scheduled-events',
  capacity_queue: 'pools',
};

const NO_ENUMS = {
  selector: 'TSEnumDeclaration',
  message: 'Use a frozen `as const` array: enums come from lifecycle tables.',
};

/** A query naming a table of another room (or any table, outside the rooms and db/). */
function foreignTables(room) {
  const foreign = Object.keys(TABLE_OWNERS).filter((table) => TABLE_OWNERS[table] !== room);
  return {
    selector:
      'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)$/]' +
      `[arguments.0.value=/^(${foreign.join('|')})$/]`,
    message: room
      ? `This table belongs to another room: ask that room's exported functions (src/${room} owns ${
          Object.keys(TABLE_OWNERS)
            .filter((t) => TABLE_OWNERS[t] === room)
            .join(', ') || 'no table'
        }).`
      : 'Tables are queried by the room that owns them (eslint.config.js TABLE_OWNERS), not here.',
  };
}

const storeBoundaries = ROOMS.map((room) => ({
  target: `./src/!(${room})/**/*`,
  from: `./src/${room}/*.store.ts`,
  message: `Read and write ${room} rows through src/${room}'s exported functions, not its store.`,
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/results/', '.atelier-test/', 'console/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', NO_ENUMS],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // One place reads the environment (STYLE §6): everything else takes a Config.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in src/config.ts only.' },
      ],
      'import-x/no-restricted-paths': ['error', { zones: storeBoundaries }],
      'import-x/no-cycle': 'error',
      // Size budgets (STYLE §11): a file or a function past these wants splitting.
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**', ...ROOMS.map((room) => `src/${room}/**`)],
    rules: { 'no-restricted-syntax': ['error', NO_ENUMS, foreignTables(undefined)] },
  },
  ...ROOMS.map((room) => ({
    files: [`src/${room}/**/*.ts`],
    rules: { 'no-restricted-syntax': ['error', NO_ENUMS, foreignTables(room)] },
  })),
  {
    // Kysely<any> is what migrations take (STYLE §4); tests and benchmarks reach into rows on purpose.
    files: ['src/db/migrations/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'max-lines-per-function': 'off' },
  },
  {
    files: ['src/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Migrations are frozen in time (STYLE §4): they import nothing from src/.
    files: ['src/db/migrations/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*', '../../*'], message: 'Migrations import nothing from src/.' }] },
      ],
    },
  },
  {
    // The examples are plain Node.js scripts a user copies (README, examples/).
    files: ['examples/**/*.mjs'],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', URL: 'readonly' },
    },
  },
  {
    // The console's build scripts run under Node.js (console/: the browser code is TypeScript).
    files: ['console/*.mjs', 'console/scripts/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
