import { Type, type Static } from '@sinclair/typebox';

const Ok = Type.Literal('ok');

export const Liveness = Type.Object({ status: Ok }, { $id: 'Liveness' });

export const Readiness = Type.Object(
  {
    status: Ok,
    checks: Type.Object({
      database: Ok,
      migrations: Ok,
      /** `skipped` in a process that runs no engine (an HTTP-only worker, src/cluster.ts). */
      engine: Type.Union([Ok, Type.Literal('skipped')]),
    }),
  },
  { $id: 'Readiness' },
);
export type Readiness = Static<typeof Readiness>;
