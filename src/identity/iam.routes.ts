import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { AtelierError, badRequest } from '../errors.js';
import { errorResponses } from '../http/wire.js';
import { CreateTokenBody, ListProjectsQuery, ProjectList, TokenResponse } from './iam.schema.js';
import { regionRoutes } from './region.routes.js';

/**
 * The two IAM calls clients make before they reach ModelArts: issuing a token
 * with a password, and finding a project by name (the SDK does that when it is
 * configured with a region instead of a project id).
 */
export const iamRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(regionRoutes(ctx));

    app.post(
      '/v3/auth/tokens',
      {
        config: { public: true },
        schema: {
          operationId: 'KeystoneCreateUserTokenByPassword',
          tags: ['iam'],
          body: CreateTokenBody,
          response: { 201: TokenResponse, ...errorResponses(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const { identity, scope } = request.body.auth;
        if (!identity.methods.includes('password'))
          throw badRequest('auth.identity.methods: only "password" is supported');
        const user = identity.password.user;
        if (!user.id && !user.name) throw badRequest('auth.identity.password.user: give id or name');
        if (!scope.project.id && !scope.project.name) throw badRequest('auth.scope.project: give id or name');
        const issued = await ctx.identity.passwordLogin({
          userId: user.id,
          userName: user.name,
          accountId: user.domain?.id,
          accountName: user.domain?.name,
          password: user.password,
          project: scope.project,
          address: request.ip,
        });
        const domain = { id: issued.account.id, name: issued.account.name };
        reply.code(201).header('X-Subject-Token', issued.token);
        return {
          token: {
            methods: ['password'],
            expires_at: issued.expiresAt.toISOString(),
            issued_at: issued.issuedAt.toISOString(),
            user: { ...issued.user, domain },
            project: { ...issued.project, domain },
            catalog: [],
            roles: [{ id: 'modelarts', name: 'ModelArts FullAccess' }],
          },
        };
      },
    );

    app.get(
      '/v3/projects',
      {
        schema: {
          operationId: 'KeystoneListProjects',
          tags: ['iam'],
          querystring: ListProjectsQuery,
          response: { 200: ProjectList, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const principal = request.principal;
        if (!principal) throw new AtelierError('unauthorized', { reason: 'listing projects needs credentials' });
        const header = request.headers['x-project-id'];
        if (typeof header === 'string' && !principal.projectIds.has(header)) {
          throw new AtelierError('projectForbidden', { reason: `the caller may not use project ${header}` });
        }
        const projects = (await ctx.identity.visibleProjects(principal)).filter(
          (p) => request.query.name === undefined || p.name === request.query.name,
        );
        return {
          projects: projects.map((p) => ({
            id: p.id,
            name: p.name,
            domain_id: p.accountId ?? principal.accountId,
            enabled: true,
            is_domain: false,
            parent_id: p.accountId ?? principal.accountId,
            description: '',
          })),
          links: { self: request.url, next: null, previous: null },
        };
      },
    );
  };
