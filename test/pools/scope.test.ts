// status.scope as the Terraform provider waits for it (orders-billing-terraform.md §3.2 wait-scope;
// pools.md §0, §8): each job type goes Enabling → Enabled, a removed one Disabling → Disabled, a
// `scope` fault leaves it EnableFailed until RetryPoolScope; the states live in the pool's row, so
// another process on the same database finishes what the first left due.
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { LifecycleEngine } from '../../src/engine/engine.js';
import { openContext } from '../../src/server.js';
import { activeNetwork, displayName, expectError } from '../helpers/fixtures.js';
import { adminOk, useAdminHarness } from '../admin/helpers.js';
import { createBody, createPool, mergePatch, pool, show } from './helpers.js';

/** The scope's states, without the plug-ins each lists (status.scope[].plugins, tested with the plug-ins). */
const states = (scope: Array<Record<string, unknown>>) => scope.map(({ plugins: _plugins, ...state }) => state);
describe('pool scopes', () => {
  let net: string;
  const h = useAdminHarness();
  beforeAll(async () => {
    net = await activeNetwork(h.client, h.settle);
  });

  async function runningPool(scope: string[], name = displayName('scope')): Promise<string> {
    const created = await createPool(
      h.client,
      createBody(net, { name, scope, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 1 }] }),
    );
    expect(states(created.status.scope)).toEqual(scope.map((scopeType) => ({ scopeType, state: 'Enabling' })));
    await h.settle();
    return created.metadata.name as string;
  }
  const retry = (name: string, body: unknown) => h.client.post(`${pool(name)}/retry-scope`, body);

  it('enable on creation; the same job types in another order change nothing', async () => {
    const name = await runningPool(['Train', 'Infer']);
    const shown = await show(h.client, name);
    expect(states(shown.status.scope)).toEqual([
      { scopeType: 'Train', state: 'Enabled' },
      { scopeType: 'Infer', state: 'Enabled' },
    ]);
    const res = await mergePatch(h.client, name, { spec: { scope: ['Infer', 'Train'] } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.spec.scope).toEqual(['Train', 'Infer']);
    expect(res.body.status.scope).toEqual(shown.status.scope);
  });

  it('a removed job type goes Disabling → Disabled, settled by another process after a restart', async () => {
    const name = await runningPool(['Train', 'Infer']);
    await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolScale: { mode: 'auto', seconds: 30 } });
    try {
      const removed = await mergePatch(h.client, name, { spec: { scope: ['Infer'] } });
      expect(removed.status, removed.text).toBe(200);
      expect(states(removed.body.status.scope)).toEqual([
        { scopeType: 'Infer', state: 'Enabled' },
        { scopeType: 'Train', state: 'Disabling' },
      ]);
      // This process stops here; a new one on the same database finds the step due and runs it.
      const restarted = await openContext(h.config, new ManualClock(new Date(h.clock.now().getTime() + 30_000)));
      try {
        const engine = new LifecycleEngine(restarted.context, { error: console.error, debug: () => {} } as never);
        while ((await engine.runOnce()) > 0);
      } finally {
        await restarted.database.close();
      }
      expect(states((await show(h.client, name)).status.scope)).toEqual([
        { scopeType: 'Infer', state: 'Enabled' },
        { scopeType: 'Train', state: 'Disabled' },
      ]);
    } finally {
      await adminOk(h, 'PUT', '/_atelier/lifecycle', { poolScale: { mode: 'auto', seconds: 0 } });
    }
    // The next change of spec.scope drops the Disabled entry; a type asked for again enables.
    const next = await mergePatch(h.client, name, { spec: { scope: ['Infer', 'Notebook'] } });
    expect(states(next.body.status.scope)).toEqual([
      { scopeType: 'Infer', state: 'Enabled' },
      { scopeType: 'Notebook', state: 'Enabling' },
    ]);
    await h.settle();
    const back = await mergePatch(h.client, name, { spec: { scope: ['Train'] } });
    expect(states(back.body.status.scope)).toEqual([
      { scopeType: 'Train', state: 'Enabling' },
      { scopeType: 'Infer', state: 'Disabling' },
      { scopeType: 'Notebook', state: 'Disabling' },
    ]);
  });

  it('a scope fault leaves a job type EnableFailed; RetryPoolScope enables it again', async () => {
    const reason = 'Scheduler for Infer unavailable (test fault).';
    const fault = { operation: 'scope', project: h.projectId, name: 'scopefail-*', reason };
    await adminOk(h, 'POST', '/_atelier/faults', fault, 201);
    const name = await runningPool(['Infer'], displayName('scopefail'));
    const failed = await show(h.client, name);
    expect(failed.status.phase).toBe('Running');
    expect(states(failed.status.scope)).toEqual([{ scopeType: 'Infer', state: 'EnableFailed', message: reason }]);

    const res = await retry(name, { scope: 'Infer' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({});
    expect(states((await show(h.client, name)).status.scope)).toEqual([{ scopeType: 'Infer', state: 'Enabling' }]);
    await h.settle();
    expect(states((await show(h.client, name)).status.scope)).toEqual([{ scopeType: 'Infer', state: 'Enabled' }]);
  });

  it('RetryPoolScope refuses what cannot be retried, changing nothing', async () => {
    const name = await runningPool(['Train']);
    const before = await show(h.client, name);
    for (const [body, message] of [
      [{ scope: 'Train' }, /scope Train cannot be enabled: its state is Enabled/],
      [{ scope: 'Infer' }, /not in spec.scope/],
      [{ scope: ['Train'] }, /scope/],
      [{ scope: 'Serving' }, /scope/],
      [{}, /scope/],
    ] as const) {
      const res = await retry(name, body);
      expectError(res, 400, 'ModelArts.50004000');
      expect(res.body.error_msg).toMatch(message);
    }
    expect(await show(h.client, name)).toEqual(before);
    expectError(await retry(`${name.slice(0, -4)}0000`, { scope: 'Train' }), 404, 'ModelArts.50015001');
  });
});
