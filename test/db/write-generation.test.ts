// The write generation (db/transactions.ts) decides which polling reads are reused: a read is reused
// while the generation stands where it stood when the read began. It must move after every change a
// read could see — after the commit, not only at the statement — and needs not move for what changed
// nothing: a statement that matched no row, a transaction that wrote nothing, the engine's pass with
// nothing due (which ended every reused read four times a second before).
import { describe, expect, it } from 'vitest';
import { param, preparedRead, preparedStatement } from '../../src/db/prepared-read.js';
import { networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';

const projectName = preparedRead<{ id: string }, { name: string }>(
  (db) => db.selectFrom('projects').select('name').where('id', '=', param('id')),
  { cached: true },
);

const renameProject = preparedStatement<{ id: string; name: string }>((db) =>
  db
    .updateTable('projects')
    .set({ name: param('name') })
    .where('id', '=', param('id')),
);

describe('the write generation', () => {
  const h = useHarness({ ATELIER_READ_CACHE_MS: '1000', ATELIER_NETWORK_CREATE_SECONDS: '0' });
  const generation = () => h.context.database.writeGeneration();

  it('does not move for an engine pass with nothing due, and moves for one that did work', async () => {
    await h.settle();
    const idle = generation();
    expect(await h.engine.runOnce()).toBe(0);
    expect(await h.engine.runOnce()).toBe(0);
    expect(generation()).toBe(idle);

    expect((await h.client.post('/v1/{project_id}/networks', networkBody())).status).toBe(200);
    const created = generation();
    expect(created).toBeGreaterThan(idle);
    await h.settle();
    expect(generation()).toBeGreaterThan(created);
  });

  it('does not move for a statement that changed no row, nor a transaction that wrote nothing', async () => {
    const { database } = h.context;
    const before = generation();
    await database.db.updateTable('projects').set({ name: 'nobody' }).where('id', '=', 'no-such-project').execute();
    await database.transaction(async (tx) => {
      await tx.selectFrom('projects').select('id').where('id', '=', h.projectId).execute();
      await tx.deleteFrom('projects').where('id', '=', 'no-such-project').execute();
    });
    expect(generation()).toBe(before);
    await database.db.updateTable('projects').set({ name: 'renamed' }).where('id', '=', h.projectId).execute();
    expect(generation()).toBeGreaterThan(before);
  });

  it('moves after a commit, so a read taken while the transaction was open is not reused after it', async () => {
    const { database } = h.context;
    const before = (await projectName(database, { id: h.projectId }))[0]!.name;
    await database.transaction(async (tx) => {
      await tx.updateTable('projects').set({ name: 'changed-in-transaction' }).where('id', '=', h.projectId).execute();
      // Read beside the open transaction: the committed name, reused only until the commit.
      expect((await projectName(database, { id: h.projectId }))[0]!.name).toBe(before);
    });
    expect((await projectName(database, { id: h.projectId }))[0]!.name).toBe('changed-in-transaction');
  });

  it('moves for a prepared statement that changed a row in a transaction, and not for one that changed none', async () => {
    // On SQLite the group commit runs prepared statements on its connection directly, past Kysely's plugins.
    const { database } = h.context;
    const before = (await projectName(database, { id: h.projectId }))[0]!.name;
    const idle = generation();
    await database.transaction((tx) => renameProject(tx, { id: 'no-such-project', name: 'nobody' }));
    expect(generation()).toBe(idle);
    await database.transaction(async (tx) => {
      await renameProject(tx, { id: h.projectId, name: 'renamed-by-prepared' });
      expect((await projectName(database, { id: h.projectId }))[0]!.name).toBe(before);
    });
    expect(generation()).toBeGreaterThan(idle);
    expect((await projectName(database, { id: h.projectId }))[0]!.name).toBe('renamed-by-prepared');
  });
});
