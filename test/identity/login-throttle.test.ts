// Password guessing (issue 15, item 5): refused logins at POST /v3/auth/tokens are answered later and
// later and then locked out for a while, per user and per client address, with the same answers for
// unknown users. (The stored hashes are test/identity/password-hashes.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../helpers/harness.js';
import { loginBody } from './helpers.js';

const PASSWORD = 'correct horse battery';
const MINUTE = 60_000;

interface Answer {
  status: number;
  body: { error_code?: string; error_msg?: string };
  ms: number;
}

describe('login throttling with the default settings', () => {
  let h: Harness;
  let domain: string;
  let alice: string;
  let counter = 0;
  /** A client address of its own for each test, so the per-address tally stays out of the way. */
  const newAddress = () => `10.0.${process.pid % 250}.${(counter += 1)}`;

  const login = async (user: string, password: string, address: string): Promise<Answer> => {
    const started = Date.now();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v3/auth/tokens',
      remoteAddress: address,
      payload: loginBody(user, domain, password, h.projectId),
    });
    return { status: res.statusCode, body: res.json(), ms: Date.now() - started };
  };

  beforeAll(async () => {
    h = await startHarness();
    const account = await h.context.identity.requireAccount('default');
    domain = account.name;
    alice = uniqueId('alice');
    await h.context.identity.createUser(account.id, alice, PASSWORD, [h.projectId]);
  });
  afterAll(() => h.close());

  it('locks a user after five refusals, known or not, with the same answers; the lockout ends after 15 minutes', async () => {
    const knownAddress = newAddress();
    const unknownAddress = newAddress();
    const nobody = uniqueId('nobody');
    const known: Answer[] = [];
    const unknown: Answer[] = [];
    for (let i = 0; i < 5; i += 1) {
      known.push(await login(alice, `wrong-${i}`, knownAddress));
      unknown.push(await login(nobody, `wrong-${i}`, unknownAddress));
    }
    // The right password no longer helps.
    known.push(await login(alice, PASSWORD, knownAddress));
    unknown.push(await login(nobody, PASSWORD, unknownAddress));
    expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(unknown.map((a) => [a.status, a.body])).toEqual(known.map((a) => [a.status, a.body]));
    expect(known[5]!.body).toEqual({
      error_code: 'APIGW.0308',
      error_msg: 'The throttling threshold has been reached: too many refused logins, try again in 900 s.',
    });
    // The lock is on the user, wherever the next attempt comes from.
    expect((await login(alice, PASSWORD, newAddress())).status).toBe(429);

    h.clock.advance(15 * MINUTE);
    expect((await login(alice, PASSWORD, knownAddress)).status).toBe(201);
  });

  it('answers each refusal after the first later than the one before', async () => {
    const address = newAddress();
    const bob = uniqueId('bob');
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i += 1) answers.push(await login(bob, 'wrong', address));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    // 200 ms, 400 ms and 800 ms held back (ATELIER_LOGIN_DELAY_MS, doubling).
    expect(answers[1]!.ms).toBeGreaterThanOrEqual(190);
    expect(answers[2]!.ms).toBeGreaterThanOrEqual(390);
    expect(answers[3]!.ms).toBeGreaterThanOrEqual(790);
  });

  it('counts guesses sent in parallel before any is answered: five are checked, the rest locked out', async () => {
    const address = newAddress();
    const carol = uniqueId('carol');
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(carol, 'wrong', address)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('locks a client address after twenty refusals, whichever names it tries; other addresses go on', async () => {
    const address = newAddress();
    for (let i = 0; i < 20; i += 1) expect((await login(uniqueId('guess'), 'wrong', address)).status).toBe(401);
    expect((await login(alice, PASSWORD, address)).status).toBe(429);
    expect((await login(alice, PASSWORD, newAddress())).status).toBe(201);
  });
});
