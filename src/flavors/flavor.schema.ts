import { ListMetadata } from '../http/wire.js';
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../shared/string-enum.js';

const Accelerator = Type.Object(
  { type: Type.String(), size: Type.String(), memory: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const Volume = Type.Object({ volumeType: Type.String(), size: Type.String() }, { additionalProperties: false });

/** A node flavor a pool can be built from (config-events-flavors §5). */
export const ResourceFlavor = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('ResourceFlavor'),
    metadata: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 128 }),
      labels: Type.Record(Type.String(), Type.String()),
      annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
    spec: Type.Object({
      type: Type.String(),
      cpuArch: StringEnum(['x86', 'arm64']),
      cpu: Type.String(),
      memory: Type.String(),
      gpu: Type.Optional(Accelerator),
      npu: Type.Optional(Accelerator),
      dataVolumes: Type.Optional(Type.Array(Volume)),
      dataVolume: Type.Optional(Type.Array(Volume)),
      rootVolume: Type.Optional(Volume),
      billingModes: Type.Optional(Type.Array(Type.Integer())),
      jobFlavors: Type.Optional(Type.Array(Type.String())),
      nodeConfigTemplate: Type.Optional(
        Type.String({
          description: 'The node configuration template its nodes are built from (ShowNodeConfigTemplate)',
        }),
      ),
    }),
    status: Type.Object({ phase: Type.Record(Type.String(), Type.String()) }),
  },
  { $id: 'ResourceFlavor' },
);
export type ResourceFlavor = Static<typeof ResourceFlavor>;

/**
 * One entry of a flavors file: the flavor as clients see it, plus the number of
 * nodes of it the whole installation has (decision 10). No capacity = unlimited.
 */
export const CatalogueEntry = Type.Object(
  {
    flavor: Type.Omit(ResourceFlavor, ['apiVersion', 'kind']),
    capacity: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type CatalogueEntry = Static<typeof CatalogueEntry>;

export const FlavorsFile = Type.Object(
  { flavors: Type.Array(CatalogueEntry, { minItems: 1 }) },
  { additionalProperties: false },
);
export type FlavorsFile = Static<typeof FlavorsFile>;

export const ListResourceFlavorsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
  continue: Type.Optional(Type.String({ maxLength: 512 })),
  labelSelector: Type.Optional(Type.String({ maxLength: 1024 })),
});

export const ResourceFlavorList = Type.Object({
  apiVersion: Type.Literal('v1'),
  kind: Type.Literal('ResourceFlavorList'),
  metadata: ListMetadata,
  items: Type.Array(ResourceFlavor),
});
export type ResourceFlavorList = Static<typeof ResourceFlavorList>;
