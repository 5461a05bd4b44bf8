// ShowNetworkAvailableIp (plugins-scheduled-events-misc.md §4, D-I1): the subnet's usable addresses and
// the ones the network's nodes hold, as nodes come and go.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, networkBody } from '../helpers/fixtures.js';
import { useHarness } from '../helpers/harness.js';
import { runningPool } from '../nodes/helpers.js';
import { CPU_8, mergePatch, pool } from '../pools/helpers.js';
import { createNetwork, networkPath, showNetwork } from './helpers.js';

describe('ShowNetworkAvailableIp', () => {
  const h = useHarness({
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
  });
  let net: string;
  let subnet: string;
  const availability = (query: string, name = net) =>
    h.client.get(`${networkPath(name)}/network-ip-availabilities${query}`);
  const used = async () => {
    const res = await availability(`?network_id=${subnet}`);
    expect(res.status, res.text).toBe(200);
    return res.body.subnetIpAvailability[0].usedIps as number;
  };

  beforeAll(async () => {
    net = (await createNetwork(h.client, networkBody(undefined, { cidr: '10.20.0.0/24' }))).metadata.name;
    await h.settle();
    subnet = (await showNetwork(h.client, net)).status.subnets[0].networkId;
  });

  it('counts the usable addresses of the CIDR (all but network, gateway, broadcast) and none used', async () => {
    const res = await availability(`?network_id=${subnet}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      name: expect.any(String),
      networkId: subnet,
      subnetIpAvailability: [{ cidr: '10.20.0.0/24', ipVersion: 4, usedIps: 0, totalIps: 253 }],
    });
  });

  it("counts one address per node of the network's pools, through a scale-out and the pool's deletion", async () => {
    const name = await runningPool(h, net, [{ flavor: CPU_8, count: 2 }]);
    expect(await used()).toBe(2);
    const patched = await mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count: 5 }] } });
    expect(patched.status, patched.text).toBe(200);
    expect(await used()).toBe(5);
    await h.settle();
    expect(await used()).toBe(5);
    const deleted = await h.client.delete(pool(name));
    expect(deleted.status, deleted.text).toBe(200);
    expect(await used()).toBe(5);
    await h.advance(3_000);
    expect(await used()).toBe(0);
  });

  it('refuses a missing or malformed network_id (400), another subnet or an unknown network (404)', async () => {
    expectError(await availability(''), 400, 'ModelArts.50004000');
    expectError(await availability('?network_id=bad_id!'), 400, 'ModelArts.50004000');
    expectError(await availability('?network_id=00000000-0000-4000-a000-000000000000'), 404, 'ModelArts.50025001');
    expectError(await availability(`?network_id=${subnet}`, 'no-such-network'), 404, 'ModelArts.50025001');
  });

  it('a network not Active yet has no subnet to show (404)', async () => {
    const h2 = h.client;
    const pending = await h2.post('/v1/{project_id}/networks', networkBody());
    expect(pending.status, pending.text).toBe(200);
    expectError(await availability(`?network_id=${subnet}`, pending.body.metadata.name), 404, 'ModelArts.50025001');
  });
});
