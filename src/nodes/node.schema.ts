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
