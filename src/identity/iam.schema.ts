import { Type, type Static } from '@sinclair/typebox';

const Named = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 64 })),
  name: Type.Optional(Type.String({ maxLength: 255 })),
});

/** Keystone v3 / IAM `POST /v3/auth/tokens`, password method, project scope. */
export const CreateTokenBody = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String(), { minItems: 1 }),
      password: Type.Object({
        user: Type.Object({
          id: Type.Optional(Type.String({ maxLength: 64 })),
          name: Type.Optional(Type.String({ maxLength: 255 })),
          password: Type.String({ maxLength: 1024 }),
          domain: Type.Optional(Named),
        }),
      }),
    }),
    scope: Type.Object({ project: Named }),
  }),
});
export type CreateTokenBody = Static<typeof CreateTokenBody>;

const Ref = Type.Object({ id: Type.String(), name: Type.String() });

export const TokenResponse = Type.Object({
  token: Type.Object({
    methods: Type.Array(Type.String()),
    expires_at: Type.String(),
    issued_at: Type.String(),
    user: Type.Object({ id: Type.String(), name: Type.String(), domain: Ref }),
    project: Type.Object({ id: Type.String(), name: Type.String(), domain: Ref }),
    catalog: Type.Array(Type.Object({})),
    roles: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  }),
});

export const ListProjectsQuery = Type.Object({ name: Type.Optional(Type.String({ maxLength: 255 })) });

export const ProjectList = Type.Object({
  projects: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      domain_id: Type.String(),
      enabled: Type.Boolean(),
      is_domain: Type.Boolean(),
      parent_id: Type.String(),
      description: Type.String(),
    }),
  ),
  links: Type.Object({ self: Type.String(), next: Type.Null(), previous: Type.Null() }),
});
