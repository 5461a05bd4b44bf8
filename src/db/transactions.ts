import type {
  CompiledQuery,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * Counts writes as they finish (Database.writeGeneration). Counting after a
 * statement inside a transaction as well as after its end is what makes the
 * count safe: a read taken before the commit is stored under a count that the
 * commit then moves on. Only queries known to be SELECTs are not counted; a
 * statement compiled earlier and run again (src/db/prepared-read.ts) counts as a
 * write, which at worst makes a reused read be read again.
 *
 * Nor is a statement the driver reports as having changed no row (an UPDATE or
 * DELETE that matched nothing; SQLite's BEGIN, SAVEPOINT and COMMIT, which change
 * no row themselves), and a transaction in which nothing was counted ends without
 * moving the count: it changed nothing a read could see. That is the engine's
 * pass with nothing due (a claim per kind of work, four times a second), which
 * used to end every reused read each time (docs/performance.md, "Signed reads:
 * the tail"). A statement that returns rows (RETURNING) is counted whatever it
 * returned: its driver does not say what it changed.
 */
export class WriteCounter implements KyselyPlugin {
  generation = 0;
  private readonly reads = new WeakSet<QueryId>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === 'SelectQueryNode') this.reads.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.reads.has(args.queryId) && args.result.numAffectedRows !== 0n) this.generation += 1;
    return args.result;
  }

  /** Counts a write that ran without Kysely's executor (src/db/prepared-read.ts pinStatements). */
  noteWrite(): void {
    this.generation += 1;
  }

  /**
   * Runs a transaction and counts its end, however it ends, when anything was
   * counted while it ran (its own writes, or another's: counting one more is safe).
   */
  async around<T>(run: () => Promise<T>): Promise<T> {
    const before = this.generation;
    try {
      return await run();
    } finally {
      if (this.generation !== before) this.generation += 1;
    }
  }
}

/**
 * Thrown inside a transaction when a conditional update found the row changed by
 * another writer: the whole transaction is rolled back and run again.
 */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`${what} was changed by another writer`);
    this.name = 'WriteConflict';
  }
}

const CONFLICT_ATTEMPTS = 5;

/**
 * Runs a transaction again when it lost a race (a WriteConflict, or an error the
 * dialect calls safe to retry, such as PostgreSQL's deadlock), a few times; after
 * that the conflict reaches the caller, which answers 409 "operations conflict".
 */
export async function retryingConflicts<T>(
  run: () => Promise<T>,
  isRetryable: (error: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const retryable = error instanceof WriteConflict || isRetryable(error);
      if (!retryable || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
  }
}

/** The error code a driver put on an error (better-sqlite3's `SQLITE_…`, pg's SQLSTATE). */
export const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** What a store left to the end of one transaction (a batch of rows to write in one statement). */
export interface Deferred {
  /** Writes what was gathered; runs once, in the transaction, before its commit. */
  flush(): Promise<void>;
}

/**
 * The statement a transaction ends with (endWith), and the error to throw when it
 * returns no row.
 */
export interface LastStatement {
  statement: CompiledQuery;
  refused: () => Promise<Error>;
}

/**
 * How a dialect runs a transaction's last statement, just before its commit:
 * true when it returned a row. The plain way runs it as any other statement.
 */
export type RunLast = (tx: Executor, statement: CompiledQuery) => Promise<boolean>;

type Executor = { executeQuery<R>(query: CompiledQuery<R>): Promise<{ rows: R[] }> };

const runAsAnyOther: RunLast = async (tx, statement) => (await tx.executeQuery(statement)).rows.length > 0;

/** What an open transaction left to its end: deferred work by the store's key, and its last statement. */
interface TransactionEnd {
  work: Map<object, Deferred>;
  last?: LastStatement;
}

/** The open transactions' ends, by the handle their function was given. */
const transactionEnds = new WeakMap<object, TransactionEnd>();

/** How a dialect's transactions end (withDeferredWork). */
export interface TransactionEnding {
  /** How the last statement (endWith) is run; as any other statement when not given. */
  runLast?: RunLast;
  /** No other writer can change the database while the transaction runs (SQLite): soleWriterMemo keeps reads. */
  soleWriter?: boolean;
}

/**
 * Runs a transaction's function so that stores may leave work to its end (deferredIn):
 * after fn returns, every deferred flush runs in the same transaction, in the order
 * first deferred, then its last statement (endWith, run by `runLast`), before the
 * commit; when fn fails, what was deferred is dropped with the rest of the
 * transaction. The SQLite group commit hands its transactions one connection in
 * turn, never two at once, so the handle names one transaction at a time.
 */
export async function withDeferredWork<H extends Executor, T>(
  tx: H,
  fn: (tx: H) => Promise<T>,
  { runLast = runAsAnyOther, soleWriter = false }: TransactionEnding = {},
): Promise<T> {
  const end: TransactionEnd = { work: new Map() };
  const { work } = end;
  transactionEnds.set(tx, end);
  if (soleWriter) soleWriterMemos.set(tx, new Map());
  try {
    const value = await fn(tx);
    for (const [key, deferred] of work) {
      work.delete(key);
      await deferred.flush();
    }
    const last = end.last;
    if (last) {
      // Nothing may be deferred from here on: the commit follows the last statement.
      transactionEnds.delete(tx);
      if (!(await runLast(tx, last.statement))) throw new LastStatementRefused(last.refused);
    }
    return value;
  } finally {
    transactionEnds.delete(tx);
    soleWriterMemos.delete(tx);
  }
}

/** The open sole-writer transactions' memos (soleWriterMemo), by handle, then by the store's key. */
const soleWriterMemos = new WeakMap<object, Map<object, unknown>>();

/**
 * What a store keeps for the rest of one transaction about rows only that
 * transaction can change: undefined unless no other writer can change the
 * database while it runs (SQLite, whose transactions hold its one write lock),
 * and outside Database.transaction. A store that keeps a read here must keep it
 * up to date with its own writes, so that it is what the read would answer.
 * `make` makes it the first time.
 */
export function soleWriterMemo<M>(tx: object, key: object, make: () => M): M | undefined {
  const memos = soleWriterMemos.get(tx);
  if (!memos) return undefined;
  let memo = memos.get(key) as M | undefined;
  if (memo === undefined) {
    memo = make();
    memos.set(key, memo);
  }
  return memo;
}

/**
 * Thrown out of a transaction whose last statement returned no row; the transaction
 * rolls back, and its caller gets the error `refused` makes once the transaction has
 * ended (throwingRefusals), so that it may read what it needs: on SQLite nothing but
 * the transaction can read until the transaction ends.
 */
class LastStatementRefused extends Error {
  constructor(readonly refused: () => Promise<Error>) {
    super("the transaction's last statement returned no row");
    this.name = 'LastStatementRefused';
  }
}

/** Runs a whole transaction (with its retries) and throws the error of a refused last statement. */
export async function throwingRefusals<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LastStatementRefused) throw await error.refused();
    throw error;
  }
}

/**
 * Makes `statement` the last of the transaction of `tx`, run after every deferred
 * flush, just before the commit. It must return a row: when it returns none, the
 * transaction is rolled back and the error `refused` makes is thrown from it. For
 * a statement that locks a row every writer of a project must take to the commit
 * (the pool quota counter), so that the row is held for as little of the
 * transaction as can be: other writers queue on it. On a bare executor it runs at
 * once. One per transaction.
 */
export async function endWith(tx: Executor, statement: CompiledQuery, refused: () => Promise<Error>): Promise<void> {
  const end = transactionEnds.get(tx);
  if (!end) {
    if (!(await runAsAnyOther(tx, statement))) throw await refused();
    return;
  }
  if (end.last) throw new Error('a transaction has one last statement');
  end.last = { statement, refused };
}

/**
 * The work `key` deferred in the transaction of `tx`, made by `make` the first time
 * (without `make`, only what is there); undefined outside Database.transaction (a bare
 * executor), where the caller writes at once.
 */
export function deferredIn<D extends Deferred>(tx: object, key: object, make?: () => D): D | undefined {
  const work = transactionEnds.get(tx)?.work;
  if (!work) return undefined;
  let deferred = work.get(key) as D | undefined;
  if (!deferred && make) {
    deferred = make();
    work.set(key, deferred);
  }
  return deferred;
}

/** Runs now what `key` deferred in the transaction of `tx` (before a read that must see it). */
export async function flushDeferred(tx: object, key: object): Promise<void> {
  const work = transactionEnds.get(tx)?.work;
  const deferred = work?.get(key);
  if (!deferred) return;
  work!.delete(key);
  await deferred.flush();
}
