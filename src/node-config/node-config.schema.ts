import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import { NODE_CONFIG_PHASES } from './node-config.lifecycle.js';

/** An operating system a template's nodes may run (SDK AffinityOS). */
const TemplateOs = Type.Object(
  {
    name: Type.String(),
    imageId: Type.Optional(Type.String()),
    preferred: Type.Optional(Type.Boolean()),
    eos: Type.Optional(Type.Boolean({ description: 'End of service reached' })),
    offline: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** What a node configuration template fixes for the nodes built from it (nodepools-nodes-jobs.md §5). */
export const NodeConfigTemplateSpec = Type.Object(
  {
    dockerBaseSize: Type.Integer({ description: 'Container base size of a node, GiB' }),
    dockerLvmConfig: Type.Optional(
      Type.Object(
        {
          dockerThinPool: Type.Integer({ description: 'Share of the data disk for the container thin pool, %' }),
          kubernetesLV: Type.Integer({ description: 'Share of the data disk for the kubelet volume, %' }),
          dockerDiskType: Type.String(),
          lvType: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    osList: Type.Optional(Type.Array(TemplateOs)),
  },
  { additionalProperties: false },
);
export type NodeConfigTemplateSpec = Static<typeof NodeConfigTemplateSpec>;

/** GET /v1/{project_id}/nodeconfigtemplates/{nodeconfigtemplate_name} (ShowNodeConfigTemplate). */
export const NodeConfigTemplate = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('NodeConfigTemplate'),
    metadata: Type.Object({ name: Type.String() }),
    spec: NodeConfigTemplateSpec,
  },
  { $id: 'NodeConfigTemplate' },
);
export type NodeConfigTemplate = Static<typeof NodeConfigTemplate>;

/** GET /v2/{project_id}/pools/{pool_name}/node-config (ShowPoolNodeConfig). */
export const PoolNodeConfig = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('NodeConfig'),
    metadata: Type.Object({ name: Type.String({ description: 'The pool' }) }),
    spec: Type.Object({
      configs: Type.Record(Type.String(), Type.Unknown(), {
        description:
          'Settings changed on the pool’s nodes beyond their template: none until a configuration API exists',
      }),
    }),
    status: Type.Object({ phase: StringEnum(NODE_CONFIG_PHASES) }),
  },
  { $id: 'PoolNodeConfig' },
);
export type PoolNodeConfig = Static<typeof PoolNodeConfig>;

/** The template one or more of a pool's flavors are built from, with those flavors. */
const PoolTemplateConfigs = Type.Object({
  name: Type.String({ description: 'The node configuration template' }),
  flavors: Type.Array(Type.String(), { description: 'The pool’s flavors built from it' }),
  ...NodeConfigTemplateSpec.properties,
});

/** GET /v2/{project_id}/pools/{pool_name}/node-config-template (ShowPoolNodeConfigTemplate). */
export const PoolNodeConfigTemplate = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('NodeConfigTemplate'),
    metadata: Type.Object({ name: Type.String({ description: 'The pool' }) }),
    spec: Type.Object({ templates: Type.Array(Type.Object({ configs: PoolTemplateConfigs })) }),
  },
  { $id: 'PoolNodeConfigTemplate' },
);
export type PoolNodeConfigTemplate = Static<typeof PoolNodeConfigTemplate>;

export const NodeConfigTemplateParams = Type.Object({
  project_id: ProjectIdParam,
  nodeconfigtemplate_name: Type.String({ minLength: 1, maxLength: 128 }),
});
