// A transaction's last statement (Database endWith, db/transactions.ts) runs after
// every deferred write, just before the commit; on PostgreSQL it goes out with the
// COMMIT in one message, its values written into its text. When it returns no row
// the whole transaction is rolled back and the caller's error is thrown.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { endWith, toDbTime } from '../../src/db/database.js';
import { recordEvent } from '../../src/events/event.recorder.js';
import { uniqueId, useHarness } from '../helpers/harness.js';

class Refused extends Error {}

describe("a transaction's last statement", () => {
  const h = useHarness();

  const eventsNamed = async (name: string) =>
    (
      await h.context.database.db.selectFrom('events').select('message').where('resource_name', '=', name).execute()
    ).map((e) => e.message);

  const event = (name: string, message: string) => ({
    projectId: h.projectId,
    resourceKind: 'pools' as const,
    resourceName: name,
    type: 'Normal' as const,
    reason: 'Test',
    message,
    at: new Date(),
  });

  it('runs after the deferred writes, and commits with them', async () => {
    const name = uniqueId("o'brien");
    const value = await h.context.database.transaction(async (tx) => {
      await recordEvent(tx, event(name, 'deferred'));
      // Returns a row only if the deferred event was written before it.
      await endWith(
        tx,
        sql`select 1 as seen from events where resource_name = ${name} and message = ${'deferred'}`.compile(tx),
        async () => new Refused(),
      );
      return 42;
    });
    expect(value).toBe(42);
    expect(await eventsNamed(name)).toEqual(['deferred']);
  });

  it('rolls the whole transaction back and throws the caller’s error when it returns no row', async () => {
    const name = uniqueId('refused');
    const run = h.context.database.transaction(async (tx) => {
      await recordEvent(tx, event(name, 'deferred'));
      await tx
        .insertInto('events')
        .values({
          project_id: h.projectId,
          resource_kind: 'pools',
          resource_name: name,
          type: 'Normal',
          reason: 'Test',
          message: 'at once',
          created_at: toDbTime(new Date()),
        })
        .execute();
      await endWith(tx, sql`select 1 as seen where ${3} < ${2}`.compile(tx), async () => new Refused());
    });
    await expect(run).rejects.toBeInstanceOf(Refused);
    expect(await eventsNamed(name)).toEqual([]);
  });

  it('is one per transaction', async () => {
    const run = h.context.database.transaction(async (tx) => {
      const statement = sql`select 1 as one`.compile(tx);
      await endWith(tx, statement, async () => new Refused());
      await endWith(tx, statement, async () => new Refused());
    });
    await expect(run).rejects.toThrow('one last statement');
  });

  it('on PostgreSQL, is sent with values that are strings or safe integers only', async () => {
    if (h.context.database.kind !== 'postgres') return;
    const run = h.context.database.transaction(async (tx) => {
      await endWith(tx, sql`select 1 as one where ${1.5} > 0`.compile(tx), async () => new Refused());
    });
    await expect(run).rejects.toThrow('not inlined');
    const quoted = h.context.database.transaction(async (tx) => {
      await endWith(tx, sql`select ${'$atelier_last$'} as text`.compile(tx), async () => new Refused());
    });
    await expect(quoted).rejects.toThrow('block quote');
  });
});
