import { Type, type Static } from '@sinclair/typebox';

/** ShowOsConfig (config-events-flavors-tags-plugins.md §3), superset of the sources. */
export const OsConfig = Type.Object(
  {
    networkCidrs: Type.Array(Type.String()),
    networkQuota: Type.Integer(),
    poolQuota: Type.Integer(),
    poolHighAvailable: Type.Boolean(),
    pooHighAvailable: Type.Boolean({ description: 'Alias with the spelling of the OTC documents' }),
    networkSubnetTypes: Type.Array(Type.String()),
    maxPoolFlavors: Type.Integer(),
    clusterFlavorSpecs: Type.Array(Type.String()),
    licenseScopeType: Type.String(),
    nodeOSVersionSupport: Type.Array(Type.Object({ name: Type.String(), endOfService: Type.String() })),
    volumeTypes: Type.Array(Type.String()),
    poolScopePlugins: Type.Array(
      Type.Object({
        scope: Type.String(),
        plugins: Type.Array(Type.String()),
        externalDependency: Type.Boolean(),
        reservedNetworkCidr: Type.Array(Type.String()),
        supportRetry: Type.Boolean(),
      }),
    ),
  },
  { $id: 'OsConfig' },
);
export type OsConfig = Static<typeof OsConfig>;
