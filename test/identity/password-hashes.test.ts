// Stored password hashes (issue 15, item 5) carry their scrypt parameters and are raised at the next login.
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findUser } from '../../src/identity/identity.store.js';
import { hashPassword, verifyPassword } from '../../src/identity/password.js';
import { startHarness, uniqueId } from '../helpers/harness.js';
import { loginBody } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('password hashes', () => {
  it('are made with the OWASP scrypt parameters (N = 2^17, r = 8, p = 1), which the stored text carries', async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: true, current: true });
    expect(await verifyPassword(`${PASSWORD}!`, stored)).toEqual({ ok: false, current: true });
  });

  it('made with older parameters still verify, and are replaced at the next successful login', async () => {
    const h = await startHarness();
    try {
      const account = await h.context.identity.requireAccount('default');
      const name = uniqueId('dave');
      const { id } = await h.context.identity.createUser(account.id, name, PASSWORD, [h.projectId]);
      const salt = randomBytes(16);
      const old = `scrypt$16384$8$1$${salt.toString('base64url')}$${scryptSync(PASSWORD, salt, 32, { N: 16_384, r: 8, p: 1 }).toString('base64url')}`;
      await h.context.database.db.updateTable('users').set({ password_hash: old }).where('id', '=', id).execute();
      expect(await verifyPassword(PASSWORD, old)).toEqual({ ok: true, current: false });

      const login = () =>
        h.app.inject({
          method: 'POST',
          url: '/v3/auth/tokens',
          payload: loginBody(name, account.name, PASSWORD, h.projectId),
        });
      expect((await login()).statusCode).toBe(201);
      const upgraded = (await findUser(h.context.database.db, id))!.password_hash;
      expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect(await verifyPassword(PASSWORD, upgraded)).toEqual({ ok: true, current: true });
      expect((await login()).statusCode).toBe(201);
    } finally {
      await h.close();
    }
  });

  it('with parameters out of bounds are refused without being computed', async () => {
    expect(await verifyPassword(PASSWORD, `scrypt$${2 ** 30}$8$1$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`)).toEqual({
      ok: false,
      current: false,
    });
  });
});
