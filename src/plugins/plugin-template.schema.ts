import { Type, type Static } from '@sinclair/typebox';
import { ProjectIdParam } from '../http/wire.js';
import { StringEnum } from '../shared/string-enum.js';

/** How a template is installed (config-events-flavors §7.1; the SDK's `' ccePlugin'` has a stray space, never emitted). */
export const PLUGIN_TEMPLATE_TYPES = ['helm', 'ccePlugin'] as const;
/** The accelerators a template can require: a pool needs a flavor with `spec.gpu` or `spec.npu` (src/flavors/). */
export const ACCELERATORS = ['gpu', 'npu'] as const;
export type Accelerator = (typeof ACCELERATORS)[number];

const StringMap = Type.Record(Type.String(), Type.String());
const Opaque = Type.Record(Type.String(), Type.Unknown());

/** One version of a template as a catalogue (built-in or file) gives it. */
const CatalogueVersion = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    /** RFC 3339. */
    creationTimestamp: Type.String({ minLength: 1, maxLength: 64 }),
    description: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
    inputs: Type.Optional(Opaque),
    translate: Type.Optional(Opaque),
  },
  { additionalProperties: false },
);

/**
 * One entry of the plug-in template catalogue: what ListPluginTemplates and
 * ShowPluginTemplate answer, plus what Atelier does with it — which pools may
 * install it (`accelerator`) and whether a new pool gets it (decision 29).
 */
export const PluginTemplateEntry = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
    annotations: Type.Optional(StringMap),
    type: StringEnum(PLUGIN_TEMPLATE_TYPES),
    /** false: a mandatory plug-in. */
    optional: Type.Boolean(),
    description: Type.String(),
    logoURL: Type.Optional(Type.String()),
    /** Installable only on pools with a flavor of this accelerator; ShowPluginTemplate calls it `gpuDriver` / `npuDriver`. */
    accelerator: Type.Optional(StringEnum(ACCELERATORS)),
    /** A new pool gets it (if it has the accelerator the template requires). */
    installedByDefault: Type.Optional(Type.Boolean()),
    /** Newest first: the first is what an install without a version gets. */
    versions: Type.Array(CatalogueVersion, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type PluginTemplateEntry = Static<typeof PluginTemplateEntry>;

/** ATELIER_PLUGIN_TEMPLATES_FILE: entries added to the built-in ones, or replacing those of the same name. */
export const PluginTemplatesFile = Type.Object(
  { pluginTemplates: Type.Array(PluginTemplateEntry, { minItems: 1 }) },
  { additionalProperties: false },
);

/** PluginTemplateVersionV2 (SDK), with the snake-case spelling Terraform reads (config-events-flavors P3). */
export const PluginTemplateVersion = Type.Object({
  version: Type.String(),
  creationTimestamp: Type.String(),
  creation_timestamp: Type.String(),
  inputs: Opaque,
  translate: Opaque,
  description: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});
export type PluginTemplateVersion = Static<typeof PluginTemplateVersion>;

const TemplateMetadata = Type.Object({ name: Type.String(), annotations: StringMap });

/** An item of ListPluginTemplates (PluginTemplateV2). */
export const PluginTemplateV2 = Type.Object({
  apiVersion: Type.Literal('v2'),
  kind: Type.Literal('PluginTemplate'),
  metadata: TemplateMetadata,
  spec: Type.Object({
    optional: Type.Boolean(),
    type: StringEnum(PLUGIN_TEMPLATE_TYPES),
    logoURL: Type.String(),
    logo_url: Type.String(),
    description: Type.String(),
    versions: Type.Array(PluginTemplateVersion),
  }),
});
export type PluginTemplateV2 = Static<typeof PluginTemplateV2>;

export const PluginTemplateList = Type.Object(
  {
    apiVersion: Type.Literal('v2'),
    kind: Type.Literal('PluginTemplateList'),
    items: Type.Array(PluginTemplateV2),
  },
  { $id: 'PluginTemplateList' },
);
export type PluginTemplateList = Static<typeof PluginTemplateList>;

/** ShowPluginTemplate (v1): versions keyed by version, `spec.type` `gpuDriver` / `npuDriver` for drivers (P1, P2). */
export const PluginTemplate = Type.Object(
  {
    apiVersion: Type.Literal('v1'),
    kind: Type.Literal('PluginTemplate'),
    metadata: TemplateMetadata,
    spec: Type.Object({
      type: Type.String(),
      description: Type.String(),
      versions: Type.Record(Type.String(), PluginTemplateVersion),
    }),
  },
  { $id: 'PluginTemplate' },
);
export type PluginTemplate = Static<typeof PluginTemplate>;

export const ListPluginTemplatesQuery = Type.Object({
  templateName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  poolName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
export type ListPluginTemplatesQuery = Static<typeof ListPluginTemplatesQuery>;

export const PluginTemplateParams = Type.Object({
  project_id: ProjectIdParam,
  plugintemplate_name: Type.String({ minLength: 1, maxLength: 128 }),
});
