import { CompiledQuery, Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database, DatabaseOptions, DialectErrors } from './database.js';
import { param, preparedStatement } from './prepared-read.js';
import type { DB, ProjectRow } from './schema.js';
import {
  errorCode,
  retryingConflicts,
  throwingRefusals,
  withDeferredWork,
  WriteCounter,
  type RunLast,
} from './transactions.js';

/**
 * The PostgreSQL dialect (STYLE §4): short transactions, row locks, advisory
 * locks for what spans rows or replicas, and FOR UPDATE SKIP LOCKED for claims.
 */
export function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
  // An idle connection the server closed (a restart, a failover, an administrator)
  // emits 'error' on the pool, which without a listener would end the process. The
  // pool already drops the broken client; the next query opens a fresh one.
  pool.on('error', () => {});
  const writes = new WriteCounter();
  const names = new StatementNames();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: namingPool(pool, names) }), plugins: [writes] });
  // Database.outside: single statements, each committed at once, on connections
  // no transaction holds.
  const outsidePool = new pg.Pool({ connectionString: url, max: 2, types: pgTypes });
  outsidePool.on('error', () => {});
  const outside = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: namingPool(outsidePool, names) }),
    plugins: [writes],
  });
  return {
    kind: 'postgres',
    db,
    transaction: (fn) =>
      writes.around(() =>
        throwingRefusals(() =>
          retryingConflicts(
            () => db.transaction().execute((tx) => withDeferredWork(tx, fn, { runLast: lastWithCommit })),
            isRetryable,
          ),
        ),
      ),
    groupsCommits: false,
    // As many shards as requests a client typically has in flight (the lifecycle
    // benchmark's 32): pools of consecutive ids, created or deleted together, then
    // each bump a row of their own instead of four to a row. A pool counted under
    // fewer shards is taken off its new shard, so a shard's row may go below zero;
    // readers only ever add the shards up.
    usageShards: 32,
    lockProject: async (tx, projectId) => (await lockedProjectRow(tx, { projectId }))[0],
    async lockCapacity(tx) {
      await sql`select pg_advisory_xact_lock(hashtext('atelier:capacity'))`.execute(tx);
    },
    // A session lock on a connection of its own: fn's queries use other connections.
    exclusive: (name, fn) =>
      db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(hashtext(${`atelier:${name}`}))`.execute(conn);
        try {
          return await fn();
        } finally {
          await sql`select pg_advisory_unlock(hashtext(${`atelier:${name}`}))`.execute(conn);
        }
      }),
    forClaim: (query) => query.forUpdate().skipLocked(),
    claimsInOneStatement: true,
    forUpdate: (query) => query.forUpdate(),
    forShare: (query) => query.forShare(),
    outside: () => outside,
    continueIds: (table) => continueSequence(db, table),
    prepareRead<R>(query: CompiledQuery<R>) {
      const name = `atelier_read_${(preparedReads += 1)}`;
      return async (parameters) => (await pool.query({ name, text: query.sql, values: [...parameters] })).rows as R[];
    },
    writeGeneration: () => writes.generation,
    readCacheMs: options.readCacheMs ?? 0,
    close: async () => {
      await outside.destroy();
      await db.destroy();
    },
  };
}

/** SQLSTATE codes for the failures the stores tell apart. */
export const POSTGRES_ERRORS: DialectErrors = {
  uniqueViolation: ['23505'],
  foreignKeyViolation: ['23503'],
};

/** Deadlock and serialization failures: safe to run the transaction again. */
const RETRYABLE = new Set<unknown>(['40P01', '40001']);
const isRetryable = (error: unknown) => RETRYABLE.has(errorCode(error));

/**
 * pg hands back int8 (bigserial ids, count(*)) and numeric (sum of integers) as
 * strings to avoid precision loss; our ids and counts stay far below 2^53, and the
 * SQLite driver answers numbers, so both dialects answer numbers.
 */
const PG_NUMBER_TYPES = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PG_NUMBER_TYPES.has(oid) && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

// NO KEY UPDATE: inserts that merely refer to the project (a foreign key's KEY
// SHARE lock) go on beside the holder; only other lockers wait.
const lockedProjectRow = preparedStatement<{ projectId: string }, ProjectRow>((db) =>
  db.selectFrom('projects').selectAll().where('id', '=', param('projectId')).forNoKeyUpdate(),
);

/** Names of PostgreSQL prepared statements: unique per process, so per connection. */
let preparedReads = 0;

/** Rows inserted with their ids given leave the serial sequence behind: move it past the largest. */
async function continueSequence(db: Kysely<DB>, table: string): Promise<void> {
  const found = await sql<{ seq: string | null }>`select pg_get_serial_sequence(${table}, 'id') as seq`.execute(db);
  const sequence = found.rows[0]?.seq;
  if (!sequence) return;
  await sql`select setval(${sequence}::regclass, coalesce(max(id), 1), max(id) is not null) from ${sql.table(table)}`.execute(
    db,
  );
}

/**
 * What ends a transaction's last statement when it is sent with its COMMIT: the
 * naming pool sends such a text unnamed and answers the COMMIT Kysely sends after
 * it without sending anything (namingPool).
 */
const AND_COMMIT = ';\ncommit';

/** The SQLSTATE of a last statement that returned no row (lastWithCommit). */
const LAST_STATEMENT_REFUSED = 'AT001';

/** The dollar quote of the block a last statement is sent in; no inlined value may contain it. */
const BLOCK_QUOTE = '$atelier_last$';

/**
 * Runs a transaction's last statement (Database endWith) and the COMMIT in one
 * simple-protocol message, so the row the statement locks is held for the
 * database's own commit, not for the statement's answer to reach a replica and
 * its COMMIT to come back (the pool quota counter, which every creation of a
 * project takes: docs/performance.md, "the quota counter's hold"). pg sends one
 * message at a time and a message of several statements cannot bind parameters,
 * so the values are inlined: strings through pg's escapeLiteral, numbers only as
 * safe integers, anything else refused. A statement that returns no row must
 * fail, not answer, so that the COMMIT after it is skipped: the block raises
 * LAST_STATEMENT_REFUSED, the transaction is left failed, and Kysely rolls it
 * back. Any other error (a deadlock, a lost connection) is thrown as it came.
 */
const lastWithCommit: RunLast = async (tx, statement) => {
  // The block's variable is named so no column of a statement can be taken for it.
  const body =
    `declare atelier_rows int; begin with last as (${inlined(statement)}) ` +
    'select count(*) into atelier_rows from last; if atelier_rows = 0 then raise exception using ' +
    `errcode = '${LAST_STATEMENT_REFUSED}', message = 'the last statement of the transaction returned no row'; ` +
    'end if; end';
  if (body.includes(BLOCK_QUOTE)) throw new Error('a last statement may not contain its block quote');
  try {
    await tx.executeQuery(CompiledQuery.raw(`do ${BLOCK_QUOTE} ${body} ${BLOCK_QUOTE}${AND_COMMIT}`));
    return true;
  } catch (error) {
    if (errorCode(error) === LAST_STATEMENT_REFUSED) return false;
    throw error;
  }
};

/**
 * A compiled statement with its parameters written into its text. The texts come
 * from the query builder, whose only `$n` are its placeholders.
 */
function inlined(statement: CompiledQuery): string {
  return statement.sql.replace(/\$(\d+)/g, (_, n: string) => literal(statement.parameters[Number(n) - 1]));
}

function literal(value: unknown): string {
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new Error(`a value of type ${typeof value} is not inlined into a last statement`);
}

/** A statement text is named once it has been seen this often: one-off texts stay unnamed. */
const NAME_AFTER = 2;
/** More distinct statements than the code can produce means something is wrong: name no more. */
const MAX_NAMES = 1_000;
/** Texts counted but not yet named; forgotten when full, so the count stays bounded too. */
const MAX_SEEN = 10_000;

/**
 * Gives the statements this program sends again and again a name, so each
 * PostgreSQL connection parses and plans them once instead of on every
 * execution (the server's CPU during the lifecycle benchmark). Kysely sends
 * every query as an unnamed statement; node-postgres prepares a named one once
 * per connection and reuses it. The texts come from the query builder, whose
 * shapes are bounded by the code, never from user input.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seen = new Map<string, number>();

  nameOf(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= MAX_NAMES) return name;
    const count = (this.seen.get(text) ?? 0) + 1;
    if (count < NAME_AFTER) {
      if (this.seen.size >= MAX_SEEN) this.seen.clear();
      this.seen.set(text, count);
      return undefined;
    }
    this.seen.delete(text);
    const named = `atelier_${this.names.size + 1}`;
    this.names.set(text, named);
    return named;
  }
}

/** The texts Kysely's PostgreSQL driver sends to begin and end a transaction. */
const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'rollback']);

/** The pool Kysely's dialect is given: pg's, with clients that name repeated statements. */
function namingPool(pool: pg.Pool, names: StatementNames): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      // The transaction on this connection was committed by its last statement's message.
      let committed = false;
      return {
        query: ((text: unknown, values?: readonly unknown[]) => {
          if (committed) {
            committed = false;
            if (text === 'commit') return Promise.resolve({ command: 'COMMIT', rowCount: null, rows: [] });
          }
          if (typeof text === 'string' && text.endsWith(AND_COMMIT))
            return lastAndCommit(client, text, () => (committed = true));
          // BEGIN, COMMIT and ROLLBACK go unnamed and without parameters, as one
          // simple-protocol message: nothing to plan, no Bind or Describe.
          const name = typeof text === 'string' && !TRANSACTION_CONTROL.has(text) ? names.nameOf(text) : undefined;
          if (name === undefined) return (client.query as (...args: unknown[]) => unknown)(text, values);
          return client.query({ name, text: text as string, values: values as unknown[] });
        }) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}

/** Sends a last statement and its COMMIT (one simple-protocol message) and answers the statement's result. */
async function lastAndCommit(client: pg.PoolClient, text: string, onCommitted: () => void): Promise<pg.QueryResult> {
  const results = (await client.query(text)) as unknown as pg.QueryResult[];
  onCommitted();
  return results[0];
}
