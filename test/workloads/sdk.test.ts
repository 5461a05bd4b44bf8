// The workload and monitoring operations through the official SDK core's own HTTP client (HcClient →
// axios, AK/SK signing), each request in the shape the SDK's ModelArtsClient request builders give
// it: listWorkloads, showWorkloadStatistics, showPoolRuntimeMetrics, showPoolMonitor.
import { beforeAll, describe, expect, it } from 'vitest';
import { displayName, networkBody, poolBody } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { useSdkServer } from '../identity/helpers.js';
import { CPU_8 } from './helpers.js';

const ADMIN_TOKEN = 'workload-sdk-admin-token-0123456789';

describe('workloads and monitoring through the SDK client', () => {
  const sdk = useSdkServer({
    ATELIER_ADMIN_TOKEN: ADMIN_TOKEN,
    ATELIER_NETWORK_CREATE_SECONDS: '0',
    ATELIER_POOL_CREATE_SECONDS: '0',
  });
  const until = async (url: string, done: (body: any) => boolean) =>
    waitFor(async () => (await sdk.client().call({ method: 'GET', url })).body, { until: done, interval: 20 });
  let pool: string;

  beforeAll(async () => {
    const network = await sdk.client().call({ method: 'POST', url: '/v1/{project_id}/networks', body: networkBody() });
    expect(network.status, network.errorMsg).toBe(200);
    await until(`/v1/{project_id}/networks/${network.body.metadata.name}`, (b) => b?.status?.phase === 'Active');
    const created = await sdk.client().call({
      method: 'POST',
      url: '/v2/{project_id}/pools',
      body: poolBody(network.body.metadata.name, {
        name: displayName('sdk'),
        resources: [{ flavor: CPU_8, count: 1 }],
      }),
    });
    expect(created.status, created.errorMsg).toBe(200);
    pool = created.body.metadata.name;
    await until(`/v2/{project_id}/pools/${pool}`, (b) => b?.status?.phase === 'Running');
    const submitted = await fetch(`${sdk.server().address}/_atelier/workloads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        project: sdk.projectId,
        pool,
        type: 'train',
        name: 'sdk-job',
        resources: { cpu: '2', memory: '4Gi' },
      }),
    });
    expect(submitted.status, await submitted.clone().text()).toBe(201);
  });

  it('listWorkloads with every query parameter the SDK sends', async () => {
    const res = await sdk.client().call({
      method: 'GET',
      url: `/v2/{project_id}/pools/${pool}/workloads`,
      query: { type: 'train', status: 'Running', sort: 'create_time', ascend: 'true', offset: '0', limit: '10' },
    });
    expect(res.status, res.errorMsg).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'WorkloadList',
      total: 1,
      items: [{ jobName: 'sdk-job', status: 'Running' }],
    });
  });

  it('showWorkloadStatistics', async () => {
    const res = await sdk.client().call({ method: 'GET', url: `/v2/{project_id}/statistics/pools/${pool}/workloads` });
    expect(res.status, res.errorMsg).toBe(200);
    expect(res.body.statistics).toMatchObject({ total: 1, items: [{ type: 'train', total: 1 }] });
  });

  it('showPoolRuntimeMetrics', async () => {
    const res = await sdk.client().call({ method: 'GET', url: '/v2/{project_id}/metrics/runtime/pools' });
    expect(res.status, res.errorMsg).toBe(200);
    const item = res.body.items.find((i: any) => i.metadata.name === pool);
    expect(item.table.allocated.value).toEqual({ cpu: '2', memory: '4Gi' });
    expect(item.table.capacity.value).toEqual({ cpu: '7800m', memory: '31130Mi' });
  });

  it('showPoolMonitor, and its 400 for a bad period', async () => {
    const res = await sdk.client().call({
      method: 'GET',
      url: `/v2/{project_id}/pools/${pool}/monitor`,
      query: { time_range: '-1.-1.10', statistics: 'average', period: '60' },
    });
    expect(res.status, res.errorMsg).toBe(200);
    expect(res.body.metrics[0].metric.metricName).toBe('cpuUsage');
    expect(res.body.metrics[0].dataPoints.length).toBeGreaterThan(0);
    const bad = await sdk.client().call({
      method: 'GET',
      url: `/v2/{project_id}/pools/${pool}/monitor`,
      query: { period: '61' },
    });
    expect(bad.status).toBe(400);
    expect(bad.errorCode).toBe('ModelArts.50004000');
  });
});
