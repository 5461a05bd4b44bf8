import { describe, expect, it } from 'vitest';
import { activeNetwork, displayName, expectError, networkBody, poolBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import {
  createNetwork,
  listAll,
  networkPath,
  networkQuota,
  RFC3339_SECONDS,
  showNetwork,
  wireTime,
} from './helpers.js';

const POOLS = '/v2/{project_id}/pools';

describe('DELETE /v1/{project_id}/networks/{network_name}', () => {
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0', ATELIER_NETWORK_DELETE_SECONDS: '3' });

  it('answers the network with deletionTimestamp, keeps it visible during teardown, then 404', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const before = await showNetwork(h.client, name);
    h.clock.advance(500);
    const deletedAt = h.clock.now();
    const res = await h.client.delete(networkPath(name));
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body).toEqual({
      ...before,
      metadata: {
        ...before.metadata,
        deletionTimestamp: wireTime(new Date(Math.floor(deletedAt.getTime() / 1000) * 1000)),
      },
    });
    expect(res.body.metadata.deletionTimestamp).toMatch(RFC3339_SECONDS);

    await h.settle();
    expect(await showNetwork(h.client, name)).toEqual(res.body);
    const listed = (await listAll(h.client)).find((n) => n.metadata.name === name);
    expect(listed).toEqual(res.body);
    await h.advance(2_999);
    expect(await showNetwork(h.client, name)).toEqual(res.body);
    await h.advance(1);
    expectError(await h.client.get(networkPath(name)), 404, 'ModelArts.50025001');
    expect((await listAll(h.client)).map((n) => n.metadata.name)).not.toContain(name);
  });

  it('answers 200 again to a second DELETE while deleting, without restarting the teardown', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const first = await h.client.delete(networkPath(name));
    expect(first.status).toBe(200);
    await h.advance(2_000);
    const second = await h.client.delete(networkPath(name));
    expect(second.status, second.text).toBe(200);
    expect(second.body).toEqual(first.body);
    await h.advance(1_000);
    expectError(await h.client.get(networkPath(name)), 404, 'ModelArts.50025001');
    expectError(await h.client.delete(networkPath(name)), 404, 'ModelArts.50025001');
  });

  it('deletes a network that is still Creating', async () => {
    const { metadata } = await createNetwork(h.client, networkBody());
    const res = await h.client.delete(networkPath(metadata.name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata.deletionTimestamp).toMatch(RFC3339_SECONDS);
    await h.advance(3_000);
    expectError(await h.client.get(networkPath(metadata.name)), 404, 'ModelArts.50025001');
  });

  it('accepts and ignores a body, as in the OTC example', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const res = await h.client.request('DELETE', networkPath(name), { body: {} });
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    await h.advance(3_000);
  });

  it('counts a deleted network against the quota until it is gone (decision 2)', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const { used } = await networkQuota(h.client);
    expect((await h.client.delete(networkPath(name))).status).toBe(200);
    expect((await networkQuota(h.client)).used).toBe(used);
    await h.advance(3_000);
    expect((await networkQuota(h.client)).used).toBe(used - 1);
  });

  it('404 ModelArts.50025001 for an unknown network', async () => {
    const res = await h.client.delete(networkPath(`${displayName('ghost')}-0123456789abcdef0123456789abcdef`));
    expectError(res, 404, 'ModelArts.50025001');
  });
});

describe('DELETE of a network a pool uses', () => {
  const h = useHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0' });

  it('409 ModelArts.50025002 while any pool uses it, then succeeds once the pool is gone', async () => {
    const name = await activeNetwork(h.client, h.settle);
    const pool = await h.client.post(POOLS, poolBody(name));
    expect(pool.status, pool.text).toBe(200);
    const poolName = pool.body.metadata.name as string;
    const before = await showNetwork(h.client, name);

    // While the pool is being created...
    const creating = await h.client.delete(networkPath(name));
    expectError(creating, 409, 'ModelArts.50025002');
    expect(creating.body.error_msg).toContain(poolName);
    expect(await showNetwork(h.client, name)).toEqual(before);

    // ...once it runs...
    await h.advance(10_000);
    expect((await h.client.get(`${POOLS}/${poolName}`)).body.status.phase).toBe('Running');
    expectError(await h.client.delete(networkPath(name)), 409, 'ModelArts.50025002');

    // ...and while it is being deleted: the network is in use until the pool is gone.
    expect((await h.client.delete(`${POOLS}/${poolName}`)).status).toBe(200);
    expectError(await h.client.delete(networkPath(name)), 409, 'ModelArts.50025002');
    await h.settle();
    expect(await showNetwork(h.client, name)).toEqual(before);

    await h.advance(10_000);
    expect((await h.client.get(`${POOLS}/${poolName}`)).status).toBe(404);
    const res = await h.client.delete(networkPath(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    await h.advance(2_000);
    expectError(await h.client.get(networkPath(name)), 404, 'ModelArts.50025001');
  });

  it('never leaves a pool on a deleted network when the DELETE races pool creations', async () => {
    // Pool creation checks the network early and again under the project lock at
    // its end: a DELETE that commits in between cannot see the uncommitted pool.
    for (let round = 0; round < 5; round += 1) {
      const name = await activeNetwork(h.client, h.settle);
      const creates = Array.from({ length: 8 }, () => h.client.post(POOLS, poolBody(name)));
      const deletion = h.client.delete(networkPath(name));
      const [deleted, ...created] = await Promise.all([deletion, ...creates]);
      const accepted = created.filter((res) => res.status === 200);
      for (const res of created) if (res.status !== 200) expectError(res, 400, 'ModelArts.50004000');
      if (deleted.status === 200) {
        expect(accepted, 'pools created on a network whose deletion succeeded').toEqual([]);
      } else {
        expectError(deleted, 409, 'ModelArts.50025002');
        expect(accepted.length).toBeGreaterThan(0);
      }
      for (const res of accepted)
        expect((await h.client.delete(`${POOLS}/${res.body.metadata.name}`)).status).toBe(200);
      await h.advance(10_000);
    }
  });

  it('does not let a pool start using a network that is being deleted', async () => {
    const name = await activeNetwork(h.client, h.settle);
    expect((await h.client.delete(networkPath(name))).status).toBe(200);
    expectError(await h.client.post(POOLS, poolBody(name)), 400, 'ModelArts.50004000');
    await h.advance(2_000);
    expectError(await h.client.get(networkPath(name)), 404, 'ModelArts.50025001');
  });
});
