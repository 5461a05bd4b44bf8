import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import { WORKLOAD_OUTCOMES, WORKLOAD_PAGE_MAX, WORKLOAD_STATUSES, WORKLOAD_TYPES } from './workload.lifecycle.js';

export const WorkloadPoolParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
});
export type WorkloadPoolParams = Static<typeof WorkloadPoolParams>;

/** A query value given once, repeated, or as a comma list (§2.1: OTC sends arrays, the SDK one string). */
const Listed = Type.Union([
  Type.String({ maxLength: 4096 }),
  Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 500 }),
]);

/** ListWorkloads query (nodes-workloads-metrics.md §2.1); values are checked by the service, naming the bad one. */
export const ListWorkloadsQuery = Type.Object({
  type: Type.Optional(Listed),
  status: Type.Optional(Listed),
  hostip: Type.Optional(Listed),
  sort: Type.Optional(Type.String({ maxLength: 64 })),
  ascend: Type.Optional(Type.Boolean()),
  offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: WORKLOAD_PAGE_MAX })),
});
export type ListWorkloadsQuery = Static<typeof ListWorkloadsQuery>;

const Quantities = Type.Record(Type.String(), Type.String());

const WorkloadNode = Type.Object({
  hostIp: Type.String(),
  npuTopologyPlacement: Type.Optional(Type.String()),
  resourceRequirement: Quantities,
});

/** The Workload object (§2.1). */
export const Workload = Type.Object({
  apiVersion: Type.Literal('v1'),
  kind: Type.Literal('Workload'),
  type: StringEnum(WORKLOAD_TYPES),
  namespace: Type.String(),
  name: Type.String(),
  jobName: Type.String(),
  uid: Type.String(),
  jobUUID: Type.String(),
  flavor: Type.Optional(Type.String()),
  status: StringEnum(WORKLOAD_STATUSES),
  userName: Type.Optional(Type.String()),
  resourceRequirement: Quantities,
  priority: Type.String(),
  runningDuration: Type.Integer(),
  pendingDuration: Type.Integer(),
  pendingPosition: Type.Integer(),
  createTime: Type.Integer(),
  gvk: Type.String(),
  hostIps: Type.String(),
  nodes: Type.Array(WorkloadNode),
  isDeleted: Type.String(),
});
export type Workload = Static<typeof Workload>;

export const WorkloadList = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('WorkloadList'),
    metadata: Type.Object({}),
    total: Type.Integer(),
    items: Type.Array(Workload),
  },
  { $id: 'WorkloadList' },
);
export type WorkloadList = Static<typeof WorkloadList>;

const StatusCounts = Type.Object(Object.fromEntries(WORKLOAD_STATUSES.map((s) => [s, Type.Integer()])));

/** ShowWorkloadStatistics (§2.2): one item per type present, all nine statuses in each. */
export const WorkloadStatistics = Type.Object(
  {
    statistics: Type.Object({
      total: Type.Integer(),
      items: Type.Array(Type.Object({ type: StringEnum(WORKLOAD_TYPES), total: Type.Integer(), status: StatusCounts })),
    }),
  },
  { $id: 'WorkloadStatistics' },
);
export type WorkloadStatistics = Static<typeof WorkloadStatistics>;

/** The emulator control that submits a workload to a pool (docs/emulator.md, "Workloads"). */
export const SubmitWorkloadBody = Type.Object(
  {
    project: ProjectIdParam,
    /** The pool's metadata.name or display name. */
    pool: Type.String({ minLength: 1, maxLength: 128 }),
    type: StringEnum(WORKLOAD_TYPES),
    name: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
    /** Kubernetes quantities per resource: `cpu`, `memory`, `nvidia.com/gpu` … (at least one). */
    resources: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9./-]{0,62}$' }), Type.String({ maxLength: 32 }), {
      minProperties: 1,
      maxProperties: 8,
    }),
    /** How long each run lasts; absent: until it is interrupted (node gone, pool deleted). */
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 * 86_400 })),
    outcome: Type.Optional(StringEnum(WORKLOAD_OUTCOMES, { default: 'Completed' })),
    /** Only nodes of this flavor run it. */
    flavor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    priority: Type.Optional(Type.String({ pattern: '^-?[0-9]{1,9}$' })),
    userName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type SubmitWorkloadBody = Static<typeof SubmitWorkloadBody>;
