import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_MIGRATION } from '../../src/db/migrate.js';
import { expectError } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** Probes carry no credentials: an orchestrator has none. */
const probe = (h: Harness, url: string) => h.app.inject({ method: 'GET', url });
const json = (res: { body: string }) => JSON.parse(res.body);

describe('health checks', () => {
  let h: Harness;
  afterEach(async () => {
    await h.engine.stop();
    await h.close();
  });

  it('answers /healthz while the process lives, without credentials', async () => {
    h = await startHarness();
    const res = await probe(h, '/healthz');
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('is ready only while the engine runs', async () => {
    h = await startHarness();
    const before = await probe(h, '/readyz');
    expectError(
      { status: before.statusCode, body: json(before), headers: before.headers, text: before.body },
      503,
      'ModelArts.50005030',
    );
    expect(json(before).error_msg).toBe('Not ready: lifecycle engine not running.');

    h.engine.start();
    const ready = await probe(h, '/readyz');
    expect(ready.statusCode, ready.body).toBe(200);
    expect(json(ready)).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'ok', engine: 'ok' } });

    await h.engine.stop();
    expect((await probe(h, '/readyz')).statusCode).toBe(503);
  });

  it('is not ready when the newest migration is missing', async () => {
    h = await startHarness();
    h.engine.start();
    const db = h.context.database.db;
    await sql`delete from kysely_migration where name = ${LATEST_MIGRATION}`.execute(db);
    const res = await probe(h, '/readyz');
    expect(res.statusCode).toBe(503);
    expect(json(res).error_msg).toBe(`Not ready: migration ${LATEST_MIGRATION} not applied.`);
  });

  it('is not ready once the database is closed, and says which check failed', async () => {
    h = await startHarness();
    h.engine.start();
    expect((await probe(h, '/readyz')).statusCode).toBe(200);
    await h.engine.stop();
    h.engine.start();
    await h.context.database.close();
    const res = await probe(h, '/readyz');
    expect(res.statusCode).toBe(503);
    expect(json(res)).toEqual({
      error_code: 'ModelArts.50005030',
      error_msg: 'Not ready: database unreachable; migrations not checked.',
    });
    // Liveness is about the process, not its dependencies.
    expect((await probe(h, '/healthz')).statusCode).toBe(200);
    // The metrics still answer, without the series read from the database.
    const metrics = await probe(h, '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^atelier_http_requests_total\{[^}]*route="\/readyz"[^}]*status_code="503"\} 1$/m);
    expect(metrics.body).not.toMatch(/^atelier_pools\{/m);
    expect(metrics.body).not.toMatch(/^atelier_engine_queue_depth\{/m);
  });
});
