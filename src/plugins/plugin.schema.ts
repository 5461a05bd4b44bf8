import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';
import { PLUGIN_PHASES } from './plugin.lifecycle.js';

const Inputs = Type.Record(Type.String(), Type.Unknown());

/** CreatePluginRequestBody (plugins-scheduled-events-misc.md §1.1). */
export const CreatePluginBody = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('Plugin'),
    spec: Type.Object(
      {
        template: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 128 }),
            version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            inputs: Type.Optional(Inputs),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'CreatePluginBody', additionalProperties: false },
);
export type CreatePluginBody = Static<typeof CreatePluginBody>;

const PluginResource = Type.Object({
  involvedObject: Type.Object({
    kind: Type.String(),
    apiVersion: Type.String(),
    namespace: Type.String(),
    name: Type.String(),
    uid: Type.String(),
    resourceVersion: Type.String(),
  }),
  replicas: Type.Integer(),
  limits: Type.Record(Type.String(), Type.String()),
  requests: Type.Record(Type.String(), Type.String()),
});

/** The Plugin object (§1.2): `status.values` is JSON text, as the SDK and Terraform read it. */
export const Plugin = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('Plugin'),
    metadata: Type.Object({ name: Type.String(), creationTimestamp: Type.String() }),
    spec: Type.Object({
      template: Type.Object({ name: Type.String(), version: Type.String(), inputs: Inputs }),
    }),
    status: Type.Object({
      phase: StringEnum(PLUGIN_PHASES),
      version: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
      values: Type.String(),
      resources: Type.Array(PluginResource),
    }),
  },
  { $id: 'Plugin' },
);
export type Plugin = Static<typeof Plugin>;

export const PluginList = Type.Object(
  { apiVersion: Type.Literal('v2'), kind: Type.Literal('PluginList'), items: Type.Array(Plugin) },
  { $id: 'PluginList' },
);
export type PluginList = Static<typeof PluginList>;

export const PoolPluginParams = Type.Object({
  project_id: ProjectIdParam,
  pool_name: Type.String({ minLength: 1, maxLength: 128 }),
});
