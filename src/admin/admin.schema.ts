import { Type, type Static } from '@sinclair/typebox';
import { FAULT_OPERATIONS } from '../faults/fault.service.js';
import { ProjectIdParam } from '../http/wire.js';

/** Wire shapes of the emulator controls under /_atelier/ (docs/emulator.md). */

const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ResetBody = Type.Object(
  {
    project: Type.Optional(ProjectIdParam),
    keepIdentities: Type.Boolean({ default: true }),
    reseed: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type ResetBody = Static<typeof ResetBody>;

export const ResetResult = Type.Object({
  scope: Literals(['all', 'project'] as const),
  project: Type.Optional(Type.String()),
  removed: Type.Object({
    pools: Type.Integer(),
    networks: Type.Integer(),
    events: Type.Integer(),
    faults: Type.Integer(),
    projects: Type.Integer(),
  }),
});
export type ResetResult = Static<typeof ResetResult>;

export const StepTiming = Type.Union([
  Type.Object(
    { mode: Type.Literal('auto'), seconds: Type.Number({ minimum: 0, maximum: 86_400 }) },
    { additionalProperties: false },
  ),
  Type.Object({ mode: Type.Literal('manual') }, { additionalProperties: false }),
]);

const StepTimings = {
  networkCreate: StepTiming,
  networkDelete: StepTiming,
  poolCreate: StepTiming,
  poolDelete: StepTiming,
  poolScale: StepTiming,
  nodeCreate: StepTiming,
  nodeDelete: StepTiming,
  nodeReboot: StepTiming,
  nodeReset: StepTiming,
};

export const Lifecycle = Type.Object({ timings: Type.Object(StepTimings) });
export type Lifecycle = Static<typeof Lifecycle>;

export const LifecycleBody = Type.Object(
  {
    /** Applies to every step; a named step in the same body wins. */
    all: Type.Optional(StepTiming),
    networkCreate: Type.Optional(StepTiming),
    networkDelete: Type.Optional(StepTiming),
    poolCreate: Type.Optional(StepTiming),
    poolDelete: Type.Optional(StepTiming),
    poolScale: Type.Optional(StepTiming),
    nodeCreate: Type.Optional(StepTiming),
    nodeDelete: Type.Optional(StepTiming),
    nodeReboot: Type.Optional(StepTiming),
    nodeReset: Type.Optional(StepTiming),
  },
  { additionalProperties: false },
);
export type LifecycleBody = Static<typeof LifecycleBody>;

export const AdvanceBody = Type.Object(
  {
    project: Type.Optional(ProjectIdParam),
    /** metadata.name or display name (`os.modelarts/name`). */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    kind: Type.Optional(Literals(['pool', 'network'] as const)),
  },
  { additionalProperties: false },
);
export type AdvanceBody = Static<typeof AdvanceBody>;

export const AdvanceResult = Type.Object({
  advanced: Type.Array(
    Type.Object({
      kind: Literals(['pool', 'network'] as const),
      project: Type.String(),
      name: Type.String(),
      /** The phase after the step; `Deleted` when the step removed the resource. */
      phase: Type.String(),
    }),
  ),
});
export type AdvanceResult = Static<typeof AdvanceResult>;

export const FaultBody = Type.Object(
  {
    operation: Literals(FAULT_OPERATIONS),
    project: Type.Optional(ProjectIdParam),
    /** A glob over the pool's display name or metadata.name: `*` any run, `?` one character. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    flavor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    count: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
    reason: Type.Optional(Type.String({ minLength: 2, maxLength: 400 })),
    /** abnormal only: back to Running after this long; without it, when the fault is cleared. */
    recoverAfterSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 8_640_000 })),
  },
  { additionalProperties: false },
);
export type FaultBody = Static<typeof FaultBody>;

export const Fault = Type.Object({
  id: Type.Integer(),
  operation: Type.String(),
  project: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  flavor: Type.Union([Type.String(), Type.Null()]),
  remaining: Type.Integer(),
  triggered: Type.Integer(),
  reason: Type.String(),
  recoverAfterSeconds: Type.Union([Type.Number(), Type.Null()]),
  createdAt: Type.String(),
  /**
   * abnormal: the running pools the fault turned Abnormal when it was registered;
   * nodeAbnormal, driverAbnormal: the nodes it hit then.
   */
  applied: Type.Optional(Type.Array(Type.String())),
});
export type Fault = Static<typeof Fault>;

export const FaultList = Type.Object({ faults: Type.Array(Fault) });
export const FaultListQuery = Type.Object({ project: Type.Optional(ProjectIdParam) });
export const FaultParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const ClearResult = Type.Object({
  cleared: Type.Array(Type.Integer()),
  /** Pools the cleared faults had made Abnormal, now Running again. */
  healed: Type.Array(Type.String()),
});
export type ClearResult = Static<typeof ClearResult>;

export const ClockBody = Type.Object(
  {
    seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3_153_600_000 })),
    hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 876_000 })),
  },
  { additionalProperties: false },
);
export type ClockBody = Static<typeof ClockBody>;

export const ClockState = Type.Object({
  now: Type.String(),
  offsetSeconds: Type.Number(),
  /** Lifecycle steps that the move made due and that ran before the answer. */
  stepsRun: Type.Optional(Type.Integer()),
});
export type ClockState = Static<typeof ClockState>;
