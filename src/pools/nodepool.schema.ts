import { Type, type Static } from '@sinclair/typebox';
import { ListMetadata, ProjectIdParam } from '../http/wire.js';
import { NodeListQuery } from '../nodes/node.schema.js';
import { PoolResource } from './pool.schema.js';

/**
 * Node pools (nodepools-nodes-jobs.md §4): each is one entry of its pool's
 * spec.resources, so the schemas reuse PoolResource. A body's spec.resources is
 * one object as the SDK sends it, or an array of one (D-NP1).
 */

const StringMap = Type.Record(Type.String({ minLength: 1, maxLength: 253 }), Type.String({ maxLength: 4096 }));

const ResourcesIn = Type.Union([PoolResource, Type.Array(PoolResource, { minItems: 1, maxItems: 1 })]);

/** The billing annotations of a node pool (SDK CreateNodePoolAnnotations), kept as an open map. */
const NodePoolAnnotations = Type.Optional(StringMap);

export const CreateNodePoolBody = Type.Object(
  {
    apiVersion: Type.Optional(Type.Literal('v2')),
    kind: Type.Optional(Type.Literal('NodePool')),
    metadata: Type.Object(
      { name: Type.String({ minLength: 1, maxLength: 64 }), annotations: NodePoolAnnotations },
      { additionalProperties: false },
    ),
    spec: Type.Object({ resources: ResourcesIn }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type CreateNodePoolBody = Static<typeof CreateNodePoolBody>;

/** A merge patch of the node pool's entry (SDK PatchNodePoolRequestBody: spec.resources required). */
export const PatchNodePoolBody = Type.Object(
  {
    metadata: Type.Optional(Type.Object({ annotations: NodePoolAnnotations }, { additionalProperties: false })),
    spec: Type.Object(
      {
        resources: Type.Union([
          Type.Partial(PoolResource),
          Type.Array(Type.Partial(PoolResource), { minItems: 1, maxItems: 1 }),
        ]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PatchNodePoolBody = Static<typeof PatchNodePoolBody>;

/** One bucket of a node pool's roll-up: a single object, one flavor per node pool (D-NP2). */
const FlavorCount = Type.Object({
  flavor: Type.String(),
  nodePool: Type.String(),
  count: Type.Integer(),
  maxCount: Type.Integer(),
  azs: Type.Optional(Type.Array(Type.Object({ az: Type.String(), count: Type.Integer() }))),
});
export type FlavorCount = Static<typeof FlavorCount>;

export const NodePoolResourcesStatus = Type.Object({
  creating: Type.Optional(FlavorCount),
  available: Type.Optional(FlavorCount),
  abnormal: Type.Optional(FlavorCount),
  deleting: Type.Optional(FlavorCount),
});
export type NodePoolResourcesStatus = Static<typeof NodePoolResourcesStatus>;

/** The NodePool object (nodepools-nodes-jobs.md §4.2). */
export const NodePool = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('NodePool'),
    metadata: Type.Object({ name: Type.String(), annotations: Type.Optional(StringMap) }),
    spec: Type.Object({ resources: PoolResource }),
    status: Type.Object({ resources: NodePoolResourcesStatus }),
  },
  { $id: 'NodePool' },
);
export type NodePool = Static<typeof NodePool>;

export const NodePoolList = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('NodePoolList'),
    metadata: ListMetadata,
    items: Type.Array(NodePool),
  },
  { $id: 'NodePoolList' },
);
export type NodePoolList = Static<typeof NodePoolList>;

export const NodePoolParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
  nodepool_name: Type.String({ minLength: 1, maxLength: 128 }),
});

/** ShowNodePool: the SDK sends `continue` and `limit` though one object has no pages; accepted, ignored. */
export const ShowNodePoolQuery = Type.Object({
  limit: Type.Optional(Type.String({ maxLength: 16 })),
  continue: Type.Optional(Type.String({ maxLength: 512 })),
});

/** ListNodePoolNodes: paged like ListPoolNodes (decision 27). */
export { NodeListQuery as NodePoolNodesQuery };
