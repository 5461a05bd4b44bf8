// The wire of the IAM-compatible operations, pinned: password tokens (with X-Subject-Token), the
// project lookup SDK clients built with a region make, and a ModelArts call with a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/client.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { sendInject } from '../identity/helpers.js';
import { pinner, WireNormaliser } from './normalise.js';

const PASSWORD = 'correct horse battery';

describe('wire: IAM tokens and projects', () => {
  let h: Harness;
  let n: WireNormaliser;
  let account: { id: string; name: string };
  let user: { id: string; name: string };
  let named: { id: string; name: string };
  const pin = pinner(() => n);
  const login = (password: string, project: { id?: string; name?: string }) =>
    sendInject(h.app, {
      method: 'POST',
      url: '/v3/auth/tokens',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: user.name, password, domain: { name: account.name } } },
          },
          scope: { project },
        },
      }),
    });

  beforeAll(async () => {
    h = await startHarness();
    const identity = h.context.identity;
    account = await identity.requireAccount('default');
    named = await identity.createProject(account.id, { name: 'wire-region' });
    user = {
      ...(await identity.createUser(account.id, 'wire-user', PASSWORD, [h.projectId, named.id])),
      name: 'wire-user',
    };
    n = new WireNormaliser({
      t0: h.clock.now(),
      known: {
        project: h.projectId,
        ak: h.credentials.accessKey,
        account: account.id,
        user: user.id,
        'named-project': named.id,
      },
    });
  });
  afterAll(() => h.close());

  it('KeystoneCreateUserTokenByPassword: 201 with X-Subject-Token; a wrong password; a bad body', async () => {
    const issued = await login(PASSWORD, { id: h.projectId });
    expect(issued.headers['x-subject-token']).toEqual(expect.any(String));
    pin(issued, 'token by project id');
    pin(await login(PASSWORD, { name: 'wire-region' }), 'token by project name');
    pin(await login('wrong password', { id: h.projectId }), 'wrong password');
    pin(
      await sendInject(h.app, {
        method: 'POST',
        url: '/v3/auth/tokens',
        headers: { 'content-type': 'application/json' },
        body: '{"auth":{}}',
      }),
      'body invalid',
    );
  });

  it('a ModelArts call with X-Auth-Token', async () => {
    const issued = await login(PASSWORD, { id: h.projectId });
    const token = issued.headers['x-subject-token'] as string;
    pin(
      await ApiClient.inject(h.app, h.projectId, { token }).get('/v1/{project_id}/quotas'),
      'ShowOsQuota with a token',
    );
  });

  it('KeystoneListProjects: by name, all, with a token', async () => {
    pin(await h.client.get('/v3/projects?name=wire-region'), 'by name, not granted to the key');
    const credential = await h.context.identity.createCredential(account.id, [h.projectId, named.id]);
    n.know('ak2', credential.accessKey);
    const both = h.client.withCredentials(credential);
    pin(await both.get('/v3/projects?name=wire-region'), 'by name');
    const all = await both.get('/v3/projects');
    all.body.projects.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
    pin(all, 'all granted');
    const issued = await login(PASSWORD, { id: named.id });
    const token = issued.headers['x-subject-token'] as string;
    pin(await ApiClient.inject(h.app, named.id, { token }).get('/v3/projects'), 'with a token');
  });
});
