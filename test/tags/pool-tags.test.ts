import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openContext } from '../../src/server.js';
import { ApiClient } from '../helpers/client.js';
import { expectError } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { newPool, QUICK, tags } from '../plugins/helpers.js';

const create = (...pairs: Array<[string, string]>) => ({ tags: pairs.map(([key, value]) => ({ key, value })) });
const out = (...pairs: Array<[string, string]>) => ({
  tags: pairs.map(([key, value]) => ({ key, value, values: [value] })),
});

describe('pool tags', () => {
  const h = useHarness(QUICK);

  const show = async (pool: string) => {
    const res = await h.client.get(tags(pool));
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const del = (pool: string, body: unknown) => h.client.request('DELETE', `${tags(pool)}/delete`, { body });

  it('adds, overwrites, re-creates idempotently and removes tags (DELETE with a body)', async () => {
    const pool = await newPool(h, h.client);
    expect(await show(pool)).toEqual({ tags: [] });
    const first = await h.client.post(`${tags(pool)}/create`, create(['team', 'cv'], ['env', 'dev']));
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual(out(['env', 'dev'], ['team', 'cv']));
    // The same tags again change nothing; a known key takes the new value.
    expect((await h.client.post(`${tags(pool)}/create`, create(['team', 'cv'], ['env', 'dev']))).body).toEqual(
      first.body,
    );
    expect((await h.client.post(`${tags(pool)}/create`, create(['env', 'prod']))).body).toEqual(
      out(['env', 'prod'], ['team', 'cv']),
    );
    // With a value, only a matching tag goes; without, the key; an absent tag is no error.
    const kept = await del(pool, { tags: [{ key: 'env', value: 'dev' }, { key: 'nothing' }] });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body).toEqual(out(['env', 'prod'], ['team', 'cv']));
    expect((await del(pool, { tags: [{ key: 'env', value: 'prod' }, { key: 'team' }] })).body).toEqual({ tags: [] });
    expect(await show(pool)).toEqual({ tags: [] });
  });

  it('refuses tags outside the rules or over the limit with the envelope, and changes nothing', async () => {
    const pool = await newPool(h, h.client);
    const start = create(...Array.from({ length: 18 }, (_, i): [string, string] => [`k${i}`, `v${i}`]));
    expect((await h.client.post(`${tags(pool)}/create`, start)).status).toBe(200);
    const before = await show(pool);
    const refused: unknown[] = [
      create(['', 'empty key']),
      create(['k'.repeat(129), 'key too long']),
      create(['long-value', 'v'.repeat(256)]),
      create(['CCE-owned', 'reserved']),
      create(['__type_baremetal', 'reserved']),
      create(['twice', 'a'], ['twice', 'b']),
      create(['n1', 'x'], ['n2', 'x'], ['n3', 'x']), // 21 tags
      { tags: [] },
      { tags: [{ key: 'no-value' }] },
      { tags: [{ key: 'k', value: 'v', colour: 'red' }] },
      {},
    ];
    for (const body of refused)
      expectError(await h.client.post(`${tags(pool)}/create`, body), 400, 'ModelArts.50004000');
    for (const body of [{ tags: [] }, { tags: [{ key: 'CCE-x' }] }, { tags: [{ value: 'v' }] }]) {
      expectError(await del(pool, body), 400, 'ModelArts.50004000');
    }
    expect(await show(pool)).toEqual(before);
    // Re-creating what it has stays within the limit; two new keys reach it exactly.
    expect((await h.client.post(`${tags(pool)}/create`, start)).status).toBe(200);
    const full = await h.client.post(`${tags(pool)}/create`, create(['n1', 'x'], ['n2', 'x']));
    expect(full.status, full.text).toBe(200);
    expect(full.body.tags).toHaveLength(20);
  });

  it('an unknown pool is a 404 on every route, and nothing is written', async () => {
    expectError(await h.client.get(tags('no-such-pool')), 404, 'ModelArts.50015001');
    expectError(await h.client.post(`${tags('no-such-pool')}/create`, create(['a', 'b'])), 404, 'ModelArts.50015001');
    expectError(await del('no-such-pool', { tags: [{ key: 'a' }] }), 404, 'ModelArts.50015001');
  });

  it('lists the keys of all the pools of the project with their values, paged by limit and offset', async () => {
    const client = await h.newProject();
    const a = await newPool(h, client);
    const b = await newPool(h, client);
    expect((await client.post(`${tags(a)}/create`, create(['env', 'dev'], ['team', 'cv']))).status).toBe(200);
    expect((await client.post(`${tags(b)}/create`, create(['env', 'prod'], ['app', 'x']))).status).toBe(200);
    const all = await client.get('/v1/{project_id}/pools/tags');
    expect(all.status, all.text).toBe(200);
    expect(all.body).toEqual({
      tags: [
        { key: 'app', values: ['x'] },
        { key: 'env', values: ['dev', 'prod'] },
        { key: 'team', values: ['cv'] },
      ],
    });
    expect((await client.get('/v1/{project_id}/pools/tags?limit=1&offset=1')).body).toEqual({
      tags: [{ key: 'env', values: ['dev', 'prod'] }],
    });
    expect((await client.get('/v1/{project_id}/pools/tags?offset=5')).body).toEqual({ tags: [] });
    for (const q of ['limit=0', 'offset=-1', 'limit=abc', 'limit=1001']) {
      expectError(await client.get(`/v1/{project_id}/pools/tags?${q}`), 400, 'ModelArts.50004000');
    }
  });

  it('tags survive a restart of the application and go with their pool', async () => {
    const pool = await newPool(h, h.client);
    expect((await h.client.post(`${tags(pool)}/create`, create(['keep', 'me']))).status).toBe(200);
    // Another application over the same database (a restart) reads them.
    const reopened = await openContext(h.config);
    const app = await buildApp(reopened.context);
    try {
      const res = await ApiClient.inject(app, h.projectId, h.credentials).get(tags(pool));
      expect(res.body).toEqual(out(['keep', 'me']));
    } finally {
      await app.close();
      await reopened.database.close();
    }
    expect((await h.client.delete(`/v2/{project_id}/pools/${pool}`)).status).toBe(200);
    // Still there while the pool is being deleted, gone with it.
    expect(await show(pool)).toEqual(out(['keep', 'me']));
    await h.settle();
    expectError(await h.client.get(tags(pool)), 404, 'ModelArts.50015001');
    const left = await h.context.database.db.selectFrom('pool_tags').selectAll().where('key', '=', 'keep').execute();
    expect(left).toEqual([]);
  });

  it('the OTC action route: create, delete by key and value, reset', async () => {
    const pool = await newPool(h, h.client);
    const act = (action: string, pairs: Array<[string, string]>) =>
      h.client.post(tags(pool), { action, ...create(...pairs) });
    expect(
      (
        await act('create', [
          ['a', '1'],
          ['b', '2'],
        ])
      ).body,
    ).toEqual(out(['a', '1'], ['b', '2']));
    expect(
      (
        await act('delete', [
          ['a', 'wrong'],
          ['b', '2'],
        ])
      ).body,
    ).toEqual(out(['a', '1']));
    expect((await act('reset', [['c', '3']])).body).toEqual(out(['c', '3']));
    expectError(await act('create', []), 400, 'ModelArts.50004000');
    expectError(await act('rename', [['c', '3']]), 400, 'ModelArts.50004000');
    expect((await act('reset', [])).body).toEqual({ tags: [] });
  });
});
