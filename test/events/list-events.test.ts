import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventQuery } from '../../src/events/event.store.js';
import type { ApiClient } from '../helpers/client.js';
import { activeNetwork, expectError } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CPU_8, createBody, createPool, mergePatch, phaseOf, pool } from '../pools/helpers.js';

const CREATE_MS = 10_000;
const SCALE_MS = 5_000;
const DELETE_MS = 5_000;
const EVENTS = '/v1/{project_id}/events';

const seconds = (iso: string) => Date.parse(iso) / 1000;

async function events(client: ApiClient, query: string): Promise<any> {
  const res = await client.get(`${EVENTS}?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('ListEvents', () => {
  let h: Harness;
  let net: string;
  /** The pool created → running → scaled → deleted, and when each of its events happened. */
  let name: string;
  const expected: Array<{ reason: string; type: string; at: string }> = [];

  beforeAll(async () => {
    h = await startHarness({
      ATELIER_POOL_CREATE_SECONDS: String(CREATE_MS / 1000),
      ATELIER_POOL_SCALE_SECONDS: String(SCALE_MS / 1000),
      ATELIER_POOL_DELETE_SECONDS: String(DELETE_MS / 1000),
      ATELIER_NETWORK_CREATE_SECONDS: '0',
    });
    net = await activeNetwork(h.client, h.settle);
    // 08:00:00 created; 08:00:10 running; 08:01:10 scaling asked; 08:01:15 scaled;
    // 08:02:15 deleting; 08:02:20 removed.
    h.clock.set('2026-03-01T08:00:00.250Z');
    name = (await createPool(h.client, createBody(net, { resources: [{ flavor: CPU_8, count: 2 }] }))).metadata.name;
    await h.advance(CREATE_MS);
    h.clock.advance(60_000);
    expect((await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 3 }] } })).status).toBe(200);
    await h.advance(SCALE_MS);
    h.clock.advance(60_000);
    expect((await h.client.delete(pool(name))).status).toBe(200);
    await h.advance(DELETE_MS);
    expect(await phaseOf(h.client, name)).toBe(404);
    // Every change of the node roll-up is an event too (PoolResourcesStatusChange).
    const rollUp = (at: string) => ({ reason: 'PoolResourcesStatusChange', type: 'Normal', at });
    expected.push(
      { reason: 'PoolCreated', type: 'Normal', at: '2026-03-01T08:00:00Z' },
      rollUp('2026-03-01T08:00:00Z'),
      rollUp('2026-03-01T08:00:10Z'),
      { reason: 'PoolStatusChange', type: 'Normal', at: '2026-03-01T08:00:10Z' },
      { reason: 'PoolScaling', type: 'Normal', at: '2026-03-01T08:01:10Z' },
      rollUp('2026-03-01T08:01:10Z'),
      rollUp('2026-03-01T08:01:15Z'),
      // §4: a status change is Normal only when it reaches Running.
      { reason: 'PoolStatusChange', type: 'Warning', at: '2026-03-01T08:02:15Z' },
      rollUp('2026-03-01T08:02:15Z'),
      { reason: 'PoolDeleted', type: 'Normal', at: '2026-03-01T08:02:20Z' },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it("lists a deleted pool's events oldest first, in the ModelArts shape", async () => {
    const list = await events(h.client, `resource=pools&name=${name}`);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'EventList', metadata: {}, total: 10 });
    expect(Object.keys(list.metadata)).toEqual([]);
    expect(list.items.map((e: any) => ({ reason: e.reason, type: e.type, at: e.lastTimestamp }))).toEqual(expected);
    for (const item of list.items) {
      expect(Object.keys(item).sort()).toEqual([
        'apiVersion',
        'count',
        'firstTimestamp',
        'kind',
        'lastTimestamp',
        'message',
        'reason',
        'type',
      ]);
      expect(item).toMatchObject({ apiVersion: 'v1', kind: 'Event', count: 1 });
      expect(item.firstTimestamp).toBe(item.lastTimestamp);
      expect(item.lastTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(list.items[3].message).toBe('Pool status changed, from Creating to Running.');
    expect(list.items[6].message).toMatch(
      /^Pool resources status changed, available\/abnormal\/creating\/deleting count from 2\/0\/1\/0 to 3\/0\/0\/0, timestamp: \d+\.$/,
    );
    expect(list.items[7].message).toBe('Pool status changed, from Running to Deleting.');
  });

  it('pages with continue tokens, oldest first and newest first', async () => {
    for (const [ascend, order] of [
      ['', expected],
      ['&ascend=false', [...expected].reverse()],
    ] as const) {
      const seen: string[] = [];
      let token: string | undefined;
      const remaining: Array<number | undefined> = [];
      do {
        const list = await events(
          h.client,
          `resource=pools&name=${name}&limit=4${ascend}${token ? `&continue=${token}` : ''}`,
        );
        expect(list.total).toBe(10);
        seen.push(...list.items.map((e: any) => e.lastTimestamp));
        remaining.push(list.metadata.remainingItemCount);
        token = list.metadata.continue;
      } while (token);
      expect(seen).toEqual(order.map((e) => e.at));
      expect(remaining).toEqual([6, 2, undefined]);
    }
    const desc = await events(h.client, `resource=pools&name=${name}&ascend=false`);
    expect(desc.items.map((e: any) => e.reason)).toEqual(expected.map((e) => e.reason).reverse());
    const asc = await events(h.client, `resource=pools&name=${name}&ascend=true&limit=0`);
    expect(asc.items.map((e: any) => e.reason)).toEqual(expected.map((e) => e.reason));
  });

  it('pages with offsets', async () => {
    const page = await events(h.client, `resource=pools&name=${name}&limit=2&offset=6`);
    expect(page.items.map((e: any) => e.lastTimestamp)).toEqual([expected[6].at, expected[7].at]);
    expect(page.total).toBe(10);
    expect(page.metadata.remainingItemCount).toBe(2);
    // The token continues after the last item shown, whichever style led there.
    const next = await events(h.client, `resource=pools&name=${name}&limit=2&continue=${page.metadata.continue}`);
    expect(next.items.map((e: any) => e.lastTimestamp)).toEqual([expected[8].at, expected[9].at]);
    expect(next.metadata).toEqual({});
    const newest = await events(h.client, `resource=pools&name=${name}&limit=2&offset=1&ascend=false`);
    expect(newest.items.map((e: any) => e.lastTimestamp)).toEqual([expected[8].at, expected[7].at]);
    const beyond = await events(h.client, `resource=pools&name=${name}&offset=10`);
    expect(beyond).toMatchObject({ total: 10, items: [], metadata: {} });
  });

  it('filters by time, in seconds or milliseconds, bounds included', async () => {
    const since = seconds(expected[2].at);
    const until = seconds(expected[6].at);
    const window = await events(h.client, `resource=pools&name=${name}&since=${since}&until=${until}`);
    expect(window.items.map((e: any) => e.reason)).toEqual([
      'PoolResourcesStatusChange',
      'PoolStatusChange',
      'PoolScaling',
      'PoolResourcesStatusChange',
      'PoolResourcesStatusChange',
    ]);
    expect(window.total).toBe(5);
    const ms = await events(h.client, `resource=pools&name=${name}&since=${since * 1000}&until=${until * 1000 + 999}`);
    expect(ms.items).toEqual(window.items);
    // Milliseconds are exact: the creation happened at .250, after 08:00:00.000.
    const exact = await events(h.client, `resource=pools&name=${name}&until=${Date.parse('2026-03-01T08:00:00.100Z')}`);
    expect(exact).toMatchObject({ total: 0, items: [] });
    const later = await events(h.client, `resource=pools&name=${name}&since=${seconds(expected[9].at) + 1}`);
    expect(later).toMatchObject({ total: 0, items: [], metadata: {} });
  });

  it('filters by type', async () => {
    const failed = await createPool(h.client, createBody(net, { labels: { 'atelier.io/simulate': 'CreationFailed' } }));
    await h.advance(CREATE_MS);
    const warnings = await events(h.client, `resource=pools&name=${failed.metadata.name}&type=Warning`);
    expect(warnings.total).toBe(1);
    expect(warnings.items[0]).toMatchObject({ type: 'Warning', reason: 'PoolStatusChange' });
    expect(warnings.items[0].message).toMatch(/^Pool status changed, from Creating to CreationFailed/);
    const normal = await events(h.client, `resource=pools&name=${failed.metadata.name}&type=Normal`);
    // Created, its nodes counted, and given back when it failed.
    expect(normal.items.map((e: any) => e.reason)).toEqual([
      'PoolCreated',
      'PoolResourcesStatusChange',
      'PoolResourcesStatusChange',
    ]);
    const deleting = await events(h.client, `resource=pools&name=${name}&type=Warning`);
    expect(deleting.items.map((e: any) => e.message)).toEqual(['Pool status changed, from Running to Deleting.']);
  });

  it("lists a network's events (our extension)", async () => {
    const list = await events(h.client, `resource=networks&name=${net}`);
    expect(list.total).toBeGreaterThanOrEqual(1);
    for (const item of list.items) expect(item.reason).toMatch(/^Network/);
  });

  it('answers 404 for a pool that never existed, and in another project', async () => {
    const missing = await h.client.get(`${EVENTS}?resource=pools&name=nosuchpool`);
    expectError(missing, 404, 'ModelArts.50015001');
    expect(missing.body.error_msg).toBe('Pool nosuchpool not found.');
    expectError(await h.client.get(`${EVENTS}?resource=networks&name=nosuchnet`), 404, 'ModelArts.50025001');
    const other = await h.newProject();
    expectError(await other.get(`${EVENTS}?resource=pools&name=${name}`), 404, 'ModelArts.50015001');
  });

  it('answers 400 for missing or malformed parameters', async () => {
    const bad = [
      `name=${name}`,
      'resource=pools',
      `resource=nodes&name=${name}`,
      `resource=pools&name=${name}&limit=501`,
      `resource=pools&name=${name}&limit=-1`,
      `resource=pools&name=${name}&limit=ten`,
      `resource=pools&name=${name}&offset=-1`,
      `resource=pools&name=${name}&since=yesterday`,
      `resource=pools&name=${name}&until=1.5`,
      `resource=pools&name=${name}&type=Error`,
      `resource=pools&name=${name}&ascend=sometimes`,
      `resource=pools&name=${name}&continue=not-a-token`,
    ];
    for (const query of bad) {
      const res = await h.client.get(`${EVENTS}?${query}`);
      expectError(res, 400, 'ModelArts.50004000');
    }
    const res = await h.client.get(`${EVENTS}?resource=nodes&name=x`);
    expect(res.body.error_msg).toContain('pools, networks');
  });

  it("reads one resource's range of the (project, kind, name, id) index", async () => {
    const db = h.context.database.db;
    const query = eventQuery(db, {
      projectId: h.projectId,
      kind: 'pools',
      name,
      since: new Date(0),
      type: 'Normal',
      newestFirst: true,
      afterId: 10,
    })
      .selectAll()
      .orderBy('id', 'desc')
      .compile();
    if (h.context.database.kind === 'sqlite') {
      const plan = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
      );
      const details = plan.rows.map((r) => r.detail).join('\n');
      expect(details).toMatch(
        /SEARCH events USING INDEX events_resource_idx \(project_id=\? AND resource_kind=\? AND resource_name=\? AND (?:rowid|id)<\?\)/,
      );
      expect(details).not.toMatch(/TEMP B-TREE/);
    } else {
      // A test table is tiny, so PostgreSQL would rather scan it; forbid that to see the path it has.
      const lines = await db.transaction().execute(async (tx) => {
        await tx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
        const plan = await tx.executeQuery<Record<string, string>>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        return plan.rows.map((r) => Object.values(r)[0]).join('\n');
      });
      expect(lines).toMatch(/Index Scan Backward using events_resource_idx on events/);
      expect(lines).not.toMatch(/Sort/);
    }
  });
});
