import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETWORK_PHASES } from '../../src/networks/network.lifecycle.js';
import { findNetwork } from '../../src/networks/network.reads.js';
import { moveNetwork } from '../../src/networks/network.move.js';
import { POOL_PHASES, POOL_TRANSITIONS, STATISTICS_BUCKETS } from '../../src/pools/pool.lifecycle.js';
import { movePool } from '../../src/pools/pool.move.js';
import { findPool } from '../../src/pools/pool.reads.js';
import { activeNetwork } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { createBody, createPool, show } from './helpers.js';

/** The lifecycle tables are the one source of the moves and of the wire's enums. */
describe('lifecycle tables', () => {
  let h: Harness;
  let net: string;
  beforeAll(async () => {
    h = await startHarness({ ATELIER_NETWORK_CREATE_SECONDS: '0' });
    net = await activeNetwork(h.client, h.settle);
  });
  afterAll(() => h.close());

  it('refuses a pool move the transition table does not list, and changes nothing', async () => {
    const created = await createPool(h.client, createBody(net));
    expect(created.status.phase).toBe('Creating');
    expect(POOL_TRANSITIONS.Creating).not.toContain('Waiting');
    const attempt = h.context.database.transaction(async (tx) => {
      const pool = await findPool(tx, h.projectId, created.metadata.name);
      return movePool(h.context, tx, pool!, 'Waiting');
    });
    await expect(attempt).rejects.toThrow(/cannot move from Creating to Waiting/);
    expect((await show(h.client, created.metadata.name)).status.phase).toBe('Creating');
  });

  it('refuses a network move the transition table does not list', async () => {
    const attempt = h.context.database.transaction(async (tx) => {
      const network = await findNetwork(tx, h.projectId, net);
      expect(network?.phase).toBe('Active');
      return moveNetwork(h.context, tx, network!, 'Creating', {});
    });
    await expect(attempt).rejects.toThrow(/cannot move from Active to Creating/);
  });

  it('publishes the phases and buckets as plain enums in the OpenAPI document', () => {
    const doc = h.app.swagger() as { paths: Record<string, any> };
    const shown = (path: string) => doc.paths[path].get.responses['200'].content['application/json'].schema;
    const pool = shown('/v2/{project_id}/pools/{pool_name}');
    const network = shown('/v1/{project_id}/networks/{network_name}');
    expect(pool.properties.status.properties.phase).toEqual({ type: 'string', enum: [...POOL_PHASES] });
    expect(network.properties.status.properties.phase).toEqual({ type: 'string', enum: [...NETWORK_PHASES] });
    const list = doc.paths['/v2/{project_id}/pools'].get.parameters.find((p: any) => p.name === 'status');
    expect(list.schema.enum).toEqual([...STATISTICS_BUCKETS]);
  });
});
