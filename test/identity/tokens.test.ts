// Tokens (issue item 2; auth-errors.md §2): IAM-compatible POST /v3/auth/tokens with the password
// method, X-Auth-Token on the granted project only, expiry on the service clock, revocation, hashes at
// rest; and GET /v3/projects?name=, which SDK clients built with a region use to find their project.
import { beforeAll, describe, expect, it } from 'vitest';
import { revokeToken, setUserDisabled } from '../../src/identity/identity.store.js';
import { ApiClient } from '../helpers/client.js';
import { expectError } from '../helpers/fixtures.js';
import { uniqueId, useHarness } from '../helpers/harness.js';
import { expectForbidden, expectUnauthorized, HOUR, QUOTAS, sendInject, sha256Hex } from './helpers.js';

const PASSWORD = 'correct horse battery';
const TOKEN_REFUSED = /the token is invalid, expired or revoked/;

interface Scope {
  id?: string;
  name?: string;
}

function passwordBody(user: { id?: string; name?: string; domain?: Scope }, password: string, project: Scope) {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...user, password } } },
      scope: { project },
    },
  };
}

describe('tokens', () => {
  let account: { id: string; name: string };
  let named: { id: string; name: string };
  let ungranted: { id: string; name: string };
  let user: { id: string; name: string };

  const login = (body: unknown) =>
    sendInject(h.app, {
      method: 'POST',
      url: '/v3/auth/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const tokenFor = async (project: Scope = { id: h.projectId }) => {
    const res = await login(passwordBody({ name: user.name, domain: { name: account.name } }, PASSWORD, project));
    expect(res.status, res.text).toBe(201);
    return res.headers['x-subject-token'] as string;
  };
  const withToken = (token: string, projectId = h.projectId) => ApiClient.inject(h.app, projectId, { token });

  const h = useHarness();
  beforeAll(async () => {
    const identity = h.context.identity;
    account = await identity.requireAccount('default');
    named = await identity.createProject(account.id, { name: uniqueId('named') });
    ungranted = await identity.createProject(account.id, { name: uniqueId('ungranted') });
    const name = uniqueId('alice');
    user = { ...(await identity.createUser(account.id, name, PASSWORD, [h.projectId, named.id])), name };
  });

  describe('POST /v3/auth/tokens (password method)', () => {
    it('domain by name, project by id → 201, X-Subject-Token and the Keystone body', async () => {
      const issuedAt = h.clock.now();
      const res = await login(
        passwordBody({ name: user.name, domain: { name: account.name } }, PASSWORD, { id: h.projectId }),
      );
      expect(res.status, res.text).toBe(201);
      const token = res.headers['x-subject-token'];
      expect(token).toEqual(expect.any(String));
      expect((token as string).length).toBeGreaterThanOrEqual(32);
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      const domain = { id: account.id, name: account.name };
      expect(res.body).toEqual({
        token: {
          methods: ['password'],
          expires_at: new Date(issuedAt.getTime() + 24 * HOUR).toISOString(),
          issued_at: issuedAt.toISOString(),
          user: { id: user.id, name: user.name, domain },
          project: { id: h.projectId, name: h.projectId, domain },
          catalog: [],
          roles: expect.arrayContaining([expect.objectContaining({ name: expect.any(String) })]),
        },
      });
      // The token travels only in the header.
      expect(res.text).not.toContain(token);
    });

    it('project by name, user by id, domain by id', async () => {
      const byName = await login(
        passwordBody({ name: user.name, domain: { name: account.name } }, PASSWORD, { name: named.name }),
      );
      expect(byName.status, byName.text).toBe(201);
      expect(byName.body.token.project).toMatchObject({ id: named.id, name: named.name });
      const byUserId = await login(passwordBody({ id: user.id }, PASSWORD, { id: named.id }));
      expect(byUserId.status, byUserId.text).toBe(201);
      const byDomainId = await login(
        passwordBody({ name: user.name, domain: { id: account.id } }, PASSWORD, { name: named.name }),
      );
      expect(byDomainId.status, byDomainId.text).toBe(201);
    });

    it('wrong password, unknown user or domain, ungranted or unknown project, disabled user → the same 401', async () => {
      const domain = { name: account.name };
      const attempts = [
        passwordBody({ name: user.name, domain }, `${PASSWORD}!`, { id: h.projectId }),
        passwordBody({ name: uniqueId('nobody'), domain }, PASSWORD, { id: h.projectId }),
        passwordBody({ name: user.name, domain: { name: uniqueId('nodomain') } }, PASSWORD, { id: h.projectId }),
        passwordBody({ id: uniqueId('nouserid') }, PASSWORD, { id: h.projectId }),
        passwordBody({ name: user.name, domain }, PASSWORD, { id: ungranted.id }),
        passwordBody({ name: user.name, domain }, PASSWORD, { name: ungranted.name }),
        passwordBody({ name: user.name, domain }, PASSWORD, { id: uniqueId('noproject') }),
      ];
      const messages = new Set<string>();
      for (const body of attempts) {
        const res = await login(body);
        expectUnauthorized(res, undefined, [PASSWORD]);
        expect(res.headers['x-subject-token']).toBeUndefined();
        messages.add(res.body.error_msg);
      }

      const identity = h.context.identity;
      const name = uniqueId('bob');
      const bob = await identity.createUser(account.id, name, PASSWORD, [h.projectId]);
      const bobBody = passwordBody({ name, domain }, PASSWORD, { id: h.projectId });
      expect((await login(bobBody)).status).toBe(201);
      await setUserDisabled(h.context.database.db, bob.id, true);
      const disabled = await login(bobBody);
      expectUnauthorized(disabled);
      messages.add(disabled.body.error_msg);

      // Nothing tells which part was wrong.
      expect([...messages]).toHaveLength(1);
    });

    it('a method other than password → 400', async () => {
      const body = passwordBody({ name: user.name, domain: { name: account.name } }, PASSWORD, { id: h.projectId });
      body.auth.identity.methods = ['token'];
      expectError(await login(body), 400, 'ModelArts.50004000');
    });
  });

  describe('X-Auth-Token', () => {
    it('works on the project it is scoped to, and only there (403 elsewhere, by path or by header)', async () => {
      const token = await tokenFor({ id: h.projectId });
      const res = await withToken(token).get(QUOTAS);
      expect(res.status, res.text).toBe(200);
      // The user may use `named`, but this token is scoped to the bootstrap project.
      expectForbidden(await withToken(token, named.id).get(QUOTAS));
      expectForbidden(await withToken(token, ungranted.id).get(QUOTAS));
      expectForbidden(await withToken(token, uniqueId('ghost')).get(QUOTAS));
      expectForbidden(await withToken(token).get(QUOTAS, { 'x-project-id': named.id }));
    });

    it('an unknown token → 401, without echoing it', async () => {
      const bogus = `atl.${'x'.repeat(43)}`;
      expectUnauthorized(await withToken(bogus).get(QUOTAS), TOKEN_REFUSED, [bogus]);
    });

    it('expires after 24 h of the service clock', async () => {
      const token = await tokenFor();
      h.clock.advance(24 * HOUR - 1);
      expect((await withToken(token).get(QUOTAS)).status).toBe(200);
      h.clock.advance(2);
      expectUnauthorized(await withToken(token).get(QUOTAS), TOKEN_REFUSED, [token]);
    });

    it('a revoked token → 401; other tokens keep working', async () => {
      const identity = h.context.identity;
      const revoked = await identity.issueToken(account.id, h.projectId);
      const kept = await identity.issueToken(account.id, h.projectId);
      expect((await withToken(revoked.token).get(QUOTAS)).status).toBe(200);
      expect(await revokeToken(h.context.database.db, revoked.id, h.clock.now())).toBe(true);
      expectUnauthorized(await withToken(revoked.token).get(QUOTAS), TOKEN_REFUSED);
      expect((await withToken(kept.token).get(QUOTAS)).status).toBe(200);
    });

    it('a token of a user disabled after issue → 401', async () => {
      const identity = h.context.identity;
      const name = uniqueId('carol');
      const carol = await identity.createUser(account.id, name, PASSWORD, [h.projectId]);
      const res = await login(passwordBody({ name, domain: { name: account.name } }, PASSWORD, { id: h.projectId }));
      const token = res.headers['x-subject-token'] as string;
      expect((await withToken(token).get(QUOTAS)).status).toBe(200);
      await setUserDisabled(h.context.database.db, carol.id, true);
      expectUnauthorized(await withToken(token).get(QUOTAS), TOKEN_REFUSED);
    });

    it('is stored only as its SHA-256 hash', async () => {
      const token = await tokenFor();
      const rows = await h.context.database.db.selectFrom('tokens').selectAll().execute();
      const everything = JSON.stringify(rows);
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.replace(/^atl\./, ''));
      expect(rows.filter((row) => row.token_hash === sha256Hex(token))).toHaveLength(1);
    });
  });

  describe('GET /v3/projects', () => {
    it('?name= signed with AK/SK finds a granted project by name', async () => {
      const res = await h.client.get(`/v3/projects?name=${encodeURIComponent(h.projectId)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.projects).toEqual([
        expect.objectContaining({ id: h.projectId, name: h.projectId, domain_id: account.id, enabled: true }),
      ]);

      const credential = await h.context.identity.createCredential(account.id, [h.projectId, named.id]);
      const both = h.client.withCredentials(credential);
      const found = await both.get(`/v3/projects?name=${encodeURIComponent(named.name)}`);
      expect(found.status, found.text).toBe(200);
      expect(found.body.projects.map((p: { id: string }) => p.id)).toEqual([named.id]);
      const all = await both.get('/v3/projects');
      expect(all.body.projects.map((p: { id: string }) => p.id).sort()).toEqual([h.projectId, named.id].sort());
    });

    it('never shows a project the caller was not granted, and needs credentials', async () => {
      const res = await h.client.get(`/v3/projects?name=${encodeURIComponent(ungranted.name)}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.projects).toEqual([]);
      expectUnauthorized(await h.client.withCredentials(undefined).get('/v3/projects'));
    });

    it("with a token, lists the token's project", async () => {
      const token = await tokenFor({ id: named.id });
      const res = await withToken(token, named.id).get('/v3/projects');
      expect(res.status, res.text).toBe(200);
      expect(res.body.projects.map((p: { id: string }) => p.id)).toEqual([named.id]);
    });
  });
});

describe('ATELIER_TOKEN_TTL_HOURS', () => {
  const h = useHarness({ ATELIER_TOKEN_TTL_HOURS: '2' });

  it('sets the lifetime of issued tokens', async () => {
    const account = await h.context.identity.requireAccount('default');
    const issued = await h.context.identity.issueToken(account.id, h.projectId);
    expect(issued.expiresAt.getTime() - issued.issuedAt.getTime()).toBe(2 * HOUR);
    const client = ApiClient.inject(h.app, h.projectId, { token: issued.token });
    h.clock.advance(2 * HOUR - 1);
    expect((await client.get(QUOTAS)).status).toBe(200);
    h.clock.advance(1);
    expectUnauthorized(await client.get(QUOTAS), TOKEN_REFUSED);
  });
});
