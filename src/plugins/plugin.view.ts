import { formatRfc3339Seconds } from '../shared/go-time.js';
import type { PluginRecord } from './plugin.record.js';
import type { Plugin } from './plugin.schema.js';

/** The wire object of a plug-in. */
export function toPlugin(plugin: PluginRecord): Plugin {
  return {
    apiVersion: 'v2',
    kind: 'Plugin',
    metadata: { name: plugin.name, creationTimestamp: formatRfc3339Seconds(plugin.createdAt) },
    spec: { template: { name: plugin.name, version: plugin.templateVersion, inputs: plugin.inputs } },
    status: {
      phase: plugin.phase,
      ...(plugin.installedVersion ? { version: plugin.installedVersion } : {}),
      ...(plugin.reason ? { reason: plugin.reason } : {}),
      values: JSON.stringify(plugin.inputs),
      resources: [],
    },
  };
}
