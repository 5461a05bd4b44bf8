// showOrder and createOrderId through the official SDK core's own HTTP client (HcClient, AK/SK
// signing), in the shape ModelArtsClient's request builders give them, against a listening server.
import { describe, expect, it } from 'vitest';
import { displayName, networkBody, poolBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { useSdkServer } from '../identity/helpers.js';
import { CPU_8 } from '../pools/helpers.js';
import { ORDER_LABEL } from './helpers.js';

describe("orders through the SDK's client", () => {
  const sdk = useSdkServer({
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
    ATELIER_POOL_SCALE_SECONDS: '0',
  });
  const until = async (url: string, done: (body: any) => boolean) =>
    waitFor(async () => (await sdk.client().call({ method: 'GET', url })).body, { until: done, interval: 20 });

  it('showOrder of a create order until every item succeeded; createOrderId of the Running pool', async () => {
    const client = sdk.client();
    const network = await client.call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    expect(network.status, network.errorMsg).toBe(200);
    await until(`/v1/{project_id}/networks/${network.body.metadata.name}`, (b) => b?.status?.phase === 'Active');
    const created = await client.call({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      body: poolBody(network.body.metadata.name, {
        name: displayName('sdk'),
        resources: [{ flavor: CPU_8, count: 1 }],
      }),
    });
    expect(created.status, created.errorMsg).toBe(200);
    const orderName = created.body.metadata.labels[ORDER_LABEL] as string;
    const shown = await until(`/v1/{project_id}/orders/${orderName}`, (b) =>
      b?.items?.every((i: any) => i.status === 'succeed'),
    );
    expect(shown.count).toBe(2);
    expect(shown.items.map((i: any) => i.action)).toEqual(['createPool', 'createNode']);
    for (const item of shown.items) expect(item.beginTimestamp).toMatch(/^[0-9]+$/);

    const pool = created.body.metadata.name as string;
    await until(`/v2/{project_id}/pools/${pool}`, (b) => b?.status?.phase === 'Running');
    // The SDK sends `{}` with application/json when the body is absent.
    const id = await client.call({
      method: 'POST',
      url: `/v2/{project_id}/pools/${pool}/orderid`,
      query: { actionType: 'toPeriod', workspaceId: '0' },
      body: {},
    });
    expect(id.status, id.errorMsg).toBe(200);
    expect(typeof id.body.id).toBe('string');

    const missing = await client.call({ method: 'GET', url: `/v1/{project_id}/orders/${pool}-createPool-00000` });
    expect([missing.status, missing.errorCode]).toEqual([404, 'ModelArts.50005101']);
  });
});
