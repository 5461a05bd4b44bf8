// A transaction's usage and quota counter moves (quotas/usage.store.ts) are
// gathered, summed per row, and written as its closing statements
// (Database closingIn, db/transactions.ts): after every deferred write, before
// its last statement, and on PostgreSQL in one message with it and the COMMIT.
import { describe, expect, it } from 'vitest';
import { endWith } from '../../src/db/database.js';
import { moveUsage, readQuotaCount, usageCounter } from '../../src/quotas/quota.service.js';
import { moveQuotaCount } from '../../src/quotas/usage.store.js';
import { poolQuotaTakeStatement } from '../../src/quotas/usage.store.js';
import { useHarness } from '../helpers/harness.js';

class Refused extends Error {}

describe("a transaction's counter moves", () => {
  const h = useHarness();
  const workspaceId = '0';

  const cells = async () =>
    (
      await h.context.database.db
        .selectFrom('usage_counts')
        .select(['phase', 'n'])
        .where('project_id', '=', h.projectId)
        .where('kind', '=', 'pool')
        .execute()
    ).reduce<Record<string, number>>(
      (sums, row) => ({ ...sums, [row.phase]: (sums[row.phase] ?? 0) + Number(row.n) }),
      {},
    );
  const quota = () => readQuotaCount(h.context.database.db, h.projectId, 'pool');

  it('are written summed at the commit, and seen by the transaction’s own reads before it', async () => {
    const before = { cells: await cells(), quota: await quota() };
    const seen = await h.context.database.transaction(async (tx) => {
      for (const id of [1001, 1002, 1003]) {
        const counter = usageCounter(h.context.database, 'pool', { id, projectId: h.projectId });
        // Waiting and Running both count: only the cells move; then the teardown of one.
        await moveUsage(tx, counter, null, { workspaceId, phase: 'Waiting' });
        await moveUsage(tx, counter, { workspaceId, phase: 'Waiting' }, { workspaceId, phase: 'Running' });
      }
      await moveQuotaCount(tx, h.projectId, 'pool', 3);
      await moveUsage(
        tx,
        usageCounter(h.context.database, 'pool', { id: 1003, projectId: h.projectId }),
        { workspaceId, phase: 'Running' },
        null,
      );
      return readQuotaCount(tx, h.projectId, 'pool');
    });
    expect(seen).toBe(before.quota + 2);
    expect(await quota()).toBe(before.quota + 2);
    const after = await cells();
    expect((after.Running ?? 0) - (before.cells.Running ?? 0)).toBe(2);
    expect((after.Waiting ?? 0) - (before.cells.Waiting ?? 0)).toBe(0);
  });

  it('go before the last statement, and are rolled back with it when it is refused', async () => {
    const start = await quota();
    await h.context.database.transaction((tx) => moveQuotaCount(tx, h.projectId, 'pool', -start));
    expect(await quota()).toBe(0);
    // Against a limit of 1, with the counter at 0: the take passes only after the decrement was undone…
    await h.context.database.transaction(async (tx) => {
      await moveQuotaCount(tx, h.projectId, 'pool', 1);
      await moveQuotaCount(tx, h.projectId, 'pool', -1);
      await endWith(tx, poolQuotaTakeStatement(tx, h.projectId, 1), async () => new Refused());
    });
    expect(await quota()).toBe(1);
    // …and at 1 of 1, a decrement in the same transaction makes room before the take.
    await h.context.database.transaction(async (tx) => {
      await moveQuotaCount(tx, h.projectId, 'pool', -1);
      await endWith(tx, poolQuotaTakeStatement(tx, h.projectId, 1), async () => new Refused());
    });
    expect(await quota()).toBe(1);
    // Refused: the move and the usage cell go with the rest of the transaction.
    const before = await cells();
    const refused = h.context.database.transaction(async (tx) => {
      await moveQuotaCount(tx, h.projectId, 'pool', 5);
      await moveUsage(tx, usageCounter(h.context.database, 'pool', { id: 1004, projectId: h.projectId }), null, {
        workspaceId,
        phase: 'Creating',
      });
      await endWith(tx, poolQuotaTakeStatement(tx, h.projectId, 0), async () => new Refused());
    });
    await expect(refused).rejects.toBeInstanceOf(Refused);
    expect(await quota()).toBe(1);
    expect(await cells()).toEqual(before);
    await h.context.database.transaction((tx) => moveQuotaCount(tx, h.projectId, 'pool', start - 1));
  });
});
