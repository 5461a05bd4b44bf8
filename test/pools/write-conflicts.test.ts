// Requests and the engine changing one pool at once (issue 15, "the tests must pin the guarantees"):
// a request's conditional update that loses to an engine step is run again (src/db/database.ts,
// retryingConflicts), so the client sees its change applied, never a spurious 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeNetwork, poolBody } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CPU_8, mergePatch } from './helpers.js';

const ROUNDS = 12;
const DESCRIPTION = 'os.modelarts/description';
const PATCHES = 8;

describe('a PATCH racing the engine on the same pool', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      ATELIER_NETWORK_CREATE_SECONDS: '0',
      ATELIER_POOL_CREATE_SECONDS: '0',
      ATELIER_POOL_SCALE_SECONDS: '0',
      ATELIER_ENGINE_INTERVAL_MS: '10',
    });
  });
  afterAll(async () => {
    await h.engine.stop();
    await h.close();
  });

  it('is applied every time: no 409 for a race the server can run again', async () => {
    const network = await activeNetwork(h.client, h.settle);
    const created = await h.client.post('/v2/{project_id}/pools', poolBody(network));
    expect(created.status, created.text).toBe(200);
    const name = created.body.metadata.name as string;
    await h.settle();
    // The engine runs on its own from here, woken by every write.
    h.engine.start();
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const count = 2 + (round % 2);
      const results = await Promise.all([
        // A scaling, which the engine finishes at once: a step on the same row.
        mergePatch(h.client, name, { spec: { resources: [{ flavor: CPU_8, count }] } }),
        ...Array.from({ length: PATCHES }, (_, i) =>
          mergePatch(h.client, name, { metadata: { annotations: { [DESCRIPTION]: `round ${round}, patch ${i}` } } }),
        ),
      ]);
      statuses.push(...results.slice(1).map((r) => r.status));
      // Each answer shows its own change applied.
      results
        .slice(1)
        .forEach((r, i) =>
          expect(r.body.metadata?.annotations?.[DESCRIPTION], r.text).toBe(`round ${round}, patch ${i}`),
        );
      // A scaling refused because the last one is still settling is fine; a lost race is not.
      for (const r of results) expect(r.status, r.text).not.toBe(409);
    }
    expect(
      statuses.filter((s) => s !== 200),
      JSON.stringify(statuses),
    ).toEqual([]);
    await h.engine.stop();
    await h.settle();
    const pool = await h.client.get(`/v2/{project_id}/pools/${name}`);
    expect(pool.body.status.phase).toBe('Running');
    expect(pool.body.metadata.annotations[DESCRIPTION]).toMatch(new RegExp(`^round ${ROUNDS - 1}, patch \\d+$`));
  });
});
