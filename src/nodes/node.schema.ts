import { Type, type Static } from '@sinclair/typebox';
import { ListMetadata, ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import { DRIVER_PHASES, NODE_PAGE_MAX, NODE_PHASES } from './node.lifecycle.js';

const StringMap = Type.Record(Type.String(), Type.String());

/** Allocatable capacity as Kubernetes quantities (`cpu`, `memory`, accelerators): an open map. */
export const NodeResource = Type.Record(Type.String(), Type.String());
export type NodeResource = Static<typeof NodeResource>;

export const Taint = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 63 }),
  value: Type.Optional(Type.String({ maxLength: 63 })),
  effect: Type.Union([Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')]),
  timeAdded: Type.Optional(Type.String()),
});
export type Taint = Static<typeof Taint>;

/** A node's spec: what it was built from (nodepools-nodes-jobs.md §1.2); the template's fields pass through. */
export const NodeSpec = Type.Object({
  flavor: Type.String(),
  os: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  hostNetwork: Type.Optional(
    Type.Object({
      vpc: Type.Optional(Type.String()),
      subnet: Type.Optional(Type.String()),
      securityGroups: Type.Optional(Type.Array(Type.String())),
    }),
  ),
  rootVolume: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  dataVolumes: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  extendParams: Type.Optional(StringMap),
});
export type NodeSpec = Static<typeof NodeSpec>;

/** The Node object (nodepools-nodes-jobs.md §1). */
export const Node = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('Node'),
    metadata: Type.Object({
      name: Type.String(),
      creationTimestamp: Type.String(),
      deletionTimestamp: Type.Optional(Type.String()),
      labels: StringMap,
      annotations: StringMap,
    }),
    spec: NodeSpec,
    status: Type.Object({
      phase: StringEnum(NODE_PHASES),
      az: Type.String(),
      privateIp: Type.String(),
      resources: NodeResource,
      availableResources: NodeResource,
      driver: Type.Optional(Type.Object({ phase: StringEnum(DRIVER_PHASES), version: Type.String() })),
      plugins: Type.Array(Type.Object({ name: Type.String(), phase: Type.String(), version: Type.String() })),
      taints: Type.Optional(Type.Array(Taint)),
    }),
  },
  { $id: 'Node' },
);
export type Node = Static<typeof Node>;

export const NodeList = Type.Object(
  { apiVersion: Type.Literal('v2'), kind: Type.Literal('NodeList'), metadata: ListMetadata, items: Type.Array(Node) },
  { $id: 'NodeList' },
);
export type NodeList = Static<typeof NodeList>;

export const NodeParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
  node_name: Type.String({ minLength: 1, maxLength: 128 }),
});

/** ListPoolNodes paging (decision 27): no limit, every node; the SDK sends numbers as strings. */
export const NodeListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: NODE_PAGE_MAX })),
  continue: Type.Optional(Type.String({ maxLength: 512 })),
});
export type NodeListQuery = Static<typeof NodeListQuery>;

// --- batch actions (nodepools-nodes-jobs.md §2.2, nodes-workloads-metrics.md §1.5–1.7) -------------------

/** Nodes one request may name: far more than a pool page, well under the body limit. */
export const NODE_BATCH_MAX = 2000;
/** Decision 28: a drain names at most this many nodes. */
export const DRAIN_MAX = 10;

const NodeName = Type.String({ minLength: 1, maxLength: 128 });
const NodeNames = (maxItems = NODE_BATCH_MAX) => Type.Array(NodeName, { minItems: 1, maxItems });

export const BatchDeleteBody = Type.Object({ deleteNodeNames: NodeNames() });
export type BatchDeleteBody = Static<typeof BatchDeleteBody>;

/** The one action a lock knows (TF: exactly `delete`). */
export const LOCK_ACTIONS = ['delete'] as const;

export const BatchLockBody = Type.Object({
  nodeNames: NodeNames(),
  actions: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 8 }),
});
export type BatchLockBody = Static<typeof BatchLockBody>;

export const NODE_RESULTS = ['success', 'failed'] as const;
export const NodeResult = Type.Object({ name: Type.String(), status: StringEnum(NODE_RESULTS) });
export type NodeResult = Static<typeof NodeResult>;

export const NodeResults = Type.Object({ nodes: Type.Array(NodeResult) }, { $id: 'NodeResults' });
export type NodeResults = Static<typeof NodeResults>;

/** §1.7: the SDK's `true`/`false` enum is a generator bug; the live API takes these four. */
export const UPDATE_ACTIONS = ['openHaRedundant', 'closeHaRedundant', 'createTags', 'deleteTags'] as const;
export type UpdateAction = (typeof UPDATE_ACTIONS)[number];

export const NodeTag = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 128 }),
  value: Type.Optional(Type.String({ maxLength: 255 })),
});
export type NodeTag = Static<typeof NodeTag>;

export const BatchUpdateBody = Type.Object({
  nodeNames: NodeNames(),
  action: StringEnum(UPDATE_ACTIONS),
  haRedundantEffect: Type.Optional(Type.Union([Type.Literal('NoSchedule'), Type.Literal('NoExecute')])),
  tags: Type.Optional(Type.Array(NodeTag, { maxItems: 20 })),
  // Accepted and not acted on: no documented action upgrades a driver (§1.7).
  driver: Type.Optional(
    Type.Object({ version: Type.Optional(Type.String()), updateStrategy: Type.Optional(Type.String()) }),
  ),
});
export type BatchUpdateBody = Static<typeof BatchUpdateBody>;

export const BatchUpdateResult = Type.Object(
  {
    successNodeNames: Type.Array(Type.String()),
    failNodeNames: Type.Array(Type.String()),
    nodes: Type.Array(NodeResult),
  },
  { $id: 'BatchUpdateResult' },
);
export type BatchUpdateResult = Static<typeof BatchUpdateResult>;

/** HW spells the field `quotaname` in one table, the SDK `quotaName`: both are taken. */
export const BatchBindBody = Type.Object({
  nodes: Type.Array(
    Type.Object({
      name: NodeName,
      quotaName: Type.Optional(Type.String({ maxLength: 128 })),
      quotaname: Type.Optional(Type.String({ maxLength: 128 })),
    }),
    { minItems: 1, maxItems: NODE_BATCH_MAX },
  ),
  drain: Type.Optional(Type.Boolean()),
});
export type BatchBindBody = Static<typeof BatchBindBody>;

export const BatchDrainBody = Type.Object({ nodeNames: NodeNames(DRAIN_MAX) });
export type BatchDrainBody = Static<typeof BatchDrainBody>;

/** Decision 24: delete, drain and bind answer an empty object. */
export const EmptyAnswer = Type.Object({}, { $id: 'EmptyAnswer' });
export type EmptyAnswer = Static<typeof EmptyAnswer>;

// --- the asynchronous batch actions (§2.2; decision 24): each starts a job -------------------------------

export const BatchRebootBody = Type.Object({ nodeNames: NodeNames() });
export type BatchRebootBody = Static<typeof BatchRebootBody>;

/** Decision 24: the SDK models `nodeNames`, the Terraform provider reads `job_id`: both. */
export const BatchRebootAnswer = Type.Object(
  { job_id: Type.String(), nodeNames: Type.Array(Type.String()) },
  { $id: 'BatchRebootAnswer' },
);
export type BatchRebootAnswer = Static<typeof BatchRebootAnswer>;

/** The container runtimes a reset may install (SDK ResetNodesRequestNodeConfig). */
export const NODE_RUNTIMES = ['docker', 'containerd'] as const;

export const BatchResetBody = Type.Object({
  nodeNames: NodeNames(),
  rollingConfig: Type.Object({
    strategy: Type.String({ minLength: 1, maxLength: 64 }),
    maxUnavailable: Type.Integer({ minimum: 1, maximum: NODE_BATCH_MAX }),
  }),
  nodeConfig: Type.Optional(
    Type.Object({
      os: Type.Optional(Type.String({ maxLength: 128 })),
      name: Type.Optional(Type.String({ maxLength: 128 })),
      imageId: Type.Optional(Type.String({ maxLength: 128 })),
      imageType: Type.Optional(Type.String({ maxLength: 64 })),
      runtime: Type.Optional(StringEnum(NODE_RUNTIMES)),
    }),
  ),
});
export type BatchResetBody = Static<typeof BatchResetBody>;

const ClusterName = Type.String({ minLength: 1, maxLength: 128 });

/** SDK NodeBatchMigrationRequest; only `flavor` and `nodePool` of resourceSpec are acted on. */
export const BatchMigrateBody = Type.Object({
  migrateNodeNames: NodeNames(),
  fromClusterName: ClusterName,
  toClusterName: ClusterName,
  toPoolName: Type.Optional(ClusterName),
  resourceSpec: Type.Optional(
    Type.Object(
      {
        flavor: Type.String({ minLength: 1, maxLength: 128 }),
        nodePool: Type.Optional(Type.String({ maxLength: 64 })),
      },
      { additionalProperties: true },
    ),
  ),
});
export type BatchMigrateBody = Static<typeof BatchMigrateBody>;

/** Decision 24: reset and migrate answer the job's id. */
export const JobAnswer = Type.Object({ job_id: Type.String() }, { $id: 'JobAnswer' });
export type JobAnswer = Static<typeof JobAnswer>;

/** The side of a resize (SDK NodeResizeParams): only `flavor` and `nodePool` are acted on. */
const ResizeSide = Type.Object(
  {
    nodePool: Type.Optional(Type.String({ maxLength: 64 })),
    flavor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    creatingStep: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);

/** The most entries one resize names (nodepools-nodes-jobs.md §2.2). */
export const RESIZE_MAX = 50;

/** SDK BatchResizeRequestBody: the nodes named in `nodes[].deleteNodeNames` change to `target.flavor`. */
export const BatchResizeBody = Type.Object({
  nodes: Type.Array(
    Type.Object({
      batchUID: Type.Optional(Type.String({ maxLength: 128 })),
      deleteNodeNames: Type.Optional(Type.Array(NodeName, { maxItems: NODE_BATCH_MAX })),
    }),
    { minItems: 1, maxItems: RESIZE_MAX },
  ),
  source: ResizeSide,
  target: ResizeSide,
  billing: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type BatchResizeBody = Static<typeof BatchResizeBody>;

/** The resize's order (the Terraform provider reads `orderName`). */
export const BatchResizeAnswer = Type.Object({ orderName: Type.String() }, { $id: 'BatchResizeAnswer' });
export type BatchResizeAnswer = Static<typeof BatchResizeAnswer>;
