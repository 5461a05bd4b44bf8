// listJobs through the SDK's own HTTP client (HcClient, as the generated ModelArtsClient sends it),
// against a listening server whose engine runs the jobs, and the job detail the Terraform provider polls.
import { describe, expect, it } from 'vitest';
import { startJob } from '../../src/jobs/job.service.js';
import { useSdkServer } from '../identity/helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { TEST_TYPE, useTestJobKind } from './helpers.js';

describe("jobs through the SDK's own HTTP client", () => {
  useTestJobKind();
  const sdk = useSdkServer();

  it('listJobs with every query parameter the SDK sends; the job polled until Success', async () => {
    const client = sdk.client();
    const { context } = sdk.server();
    const { projectId } = sdk;
    const job = await context.database.transaction((tx) =>
      startJob(context, tx, {
        type: TEST_TYPE,
        projectId,
        poolName: 'pool-sdk',
        nodeNames: ['os-node-created-zlncn'],
        inputs: { nodeNames: ['os-node-created-zlncn'] },
      }),
    );
    context.wakeEngine();
    const shown = await waitFor(
      async () => (await client.call({ method: 'GET', url: `/v2/{project_id}/jobs/${job.jobId}` })).body,
      { until: (b) => b?.phase === 'Success', interval: 20 },
    );
    expect(shown.endTimestamp).toBeGreaterThanOrEqual(shown.startTimestamp);

    const now = Date.now();
    const listed = await client.call({
      method: 'GET',
      url: '/v2/{project_id}/jobs',
      query: {
        type: TEST_TYPE,
        limit: '10',
        offset: '0',
        since: String(now - 3_600_000),
        until: String(now + 3_600_000),
        resource: 'pools',
        name: 'pool-sdk',
      },
    });
    expect(listed.status, listed.errorMsg).toBe(200);
    expect(listed.body.count).toBe(1);
    expect(listed.body.items).toEqual([shown]);

    const missing = await client.call({ method: 'GET', url: '/v2/{project_id}/jobs/job-00000000' });
    expect([missing.status, missing.errorCode]).toEqual([404, 'ModelArts.50005101']);
  });
});
