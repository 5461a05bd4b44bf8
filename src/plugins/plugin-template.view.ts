import type {
  PluginTemplate,
  PluginTemplateEntry,
  PluginTemplateV2,
  PluginTemplateVersion,
} from './plugin-template.schema.js';

function version(v: PluginTemplateEntry['versions'][number]): PluginTemplateVersion {
  return {
    version: v.version,
    creationTimestamp: v.creationTimestamp,
    creation_timestamp: v.creationTimestamp,
    inputs: v.inputs ?? {},
    translate: v.translate ?? {},
    ...(v.description !== undefined ? { description: v.description } : {}),
    ...(v.detail !== undefined ? { detail: v.detail } : {}),
  };
}

const metadata = (t: PluginTemplateEntry) => ({ name: t.name, annotations: t.annotations ?? {} });

/** An item of ListPluginTemplates: versions as an array, both spellings Terraform and the SDK read. */
export function toPluginTemplateV2(t: PluginTemplateEntry): PluginTemplateV2 {
  const logo = t.logoURL ?? '';
  return {
    apiVersion: 'v2',
    kind: 'PluginTemplate',
    metadata: metadata(t),
    spec: {
      optional: t.optional,
      type: t.type,
      logoURL: logo,
      logo_url: logo,
      description: t.description,
      versions: t.versions.map(version),
    },
  };
}

/** ShowPluginTemplate: versions keyed by version; a driver's type is `gpuDriver` / `npuDriver` (config-events-flavors P2). */
export function toPluginTemplate(t: PluginTemplateEntry): PluginTemplate {
  return {
    apiVersion: 'v1',
    kind: 'PluginTemplate',
    metadata: metadata(t),
    spec: {
      type: t.accelerator ? `${t.accelerator}Driver` : t.type,
      description: t.description,
      versions: Object.fromEntries(t.versions.map((v) => [v.version, version(v)])),
    },
  };
}
