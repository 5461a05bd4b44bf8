// A database that cannot grow (SQLite held at its size with PRAGMA max_page_count; on PostgreSQL a
// trigger raising disk_full, SQLSTATE 53100, as a full tablespace does): changes answer the catalogue's
// storage error and change nothing, /readyz turns unready, and both recover by themselves once space returns.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, networkBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const annotated = () => {
  const body = networkBody();
  // Large rows, so the database needs new pages after a few creates.
  (body.metadata as Record<string, unknown>).annotations = Object.fromEntries(
    Array.from({ length: 3 }, (_, i) => [`example.com/note-${i}`, `${i}`.repeat(1000)]),
  );
  return body;
};

describe('a full database', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ATELIER_NETWORK_QUOTA: '1000' });
  });
  afterAll(() => h.close());

  async function fill(): Promise<void> {
    const db = h.context.database.db;
    if (h.context.database.kind === 'sqlite') {
      const [row] = (await sql.raw<{ page_count: number }>('PRAGMA page_count').execute(db)).rows;
      await sql.raw(`PRAGMA max_page_count = ${row!.page_count}`).execute(db);
    } else {
      await sql
        .raw(
          `create or replace function atelier_test_disk_full() returns trigger language plpgsql as
           $$ begin raise exception 'could not extend file: No space left on device' using errcode = '53100'; end $$;
           create trigger atelier_test_disk_full before insert or update on networks
           for each row execute function atelier_test_disk_full()`,
        )
        .execute(db);
    }
  }

  async function makeRoom(): Promise<void> {
    const db = h.context.database.db;
    if (h.context.database.kind === 'sqlite') await sql.raw('PRAGMA max_page_count = 1073741823').execute(db);
    else await sql.raw('drop trigger atelier_test_disk_full on networks').execute(db);
  }

  it('refuses changes with ModelArts.50005031, changes nothing, reports unready, and recovers', async () => {
    await fill();
    const quotaBefore = (await h.client.get('/v1/{project_id}/quotas')).body;
    const listBefore = (await h.client.get('/v1/{project_id}/networks')).body;
    // On SQLite some creates may still fit in free space of existing pages: write until one does not.
    let refused;
    for (let i = 0; i < 200 && !refused; i += 1) {
      const res = await h.client.post('/v1/{project_id}/networks', annotated());
      if (res.status !== 200) refused = res;
    }
    expectError(refused!, 503, 'ModelArts.50005031');
    expect(refused!.body.error_msg).toMatch(/out of space/);
    const quotaAfter = (await h.client.get('/v1/{project_id}/quotas')).body;
    const listAfter = (await h.client.get('/v1/{project_id}/networks')).body;
    // Creates that succeeded before the refusal are in both; the refused one is in neither.
    const used = (quota: any) => quota.quotas.resources.find((r: any) => r.type === 'network').used;
    expect(listAfter.items.length).toBe(listBefore.items.length + used(quotaAfter) - used(quotaBefore));
    // Reads still work; the instance says it is not ready, naming the reason.
    // (The harness runs its engine by hand, so readiness also names the engine.)
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    if (h.context.database.kind === 'sqlite') {
      expect(ready.json()).toEqual({
        error_code: 'ModelArts.50005030',
        error_msg: expect.stringMatching(/out of space/),
      });
    }
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^atelier_storage_full_errors_total [1-9]/m);

    await makeRoom();
    const again = await h.client.post('/v1/{project_id}/networks', annotated());
    expect(again.status, again.text).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).json().error_msg ?? '').not.toMatch(/out of space/);
  });
});
