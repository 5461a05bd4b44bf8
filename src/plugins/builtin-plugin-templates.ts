import type { PluginTemplateEntry } from './plugin-template.schema.js';

const RELEASE = 'os.modelarts.plugin/release.name';

/**
 * The catalogue an installation gets; ATELIER_PLUGIN_TEMPLATES_FILE adds to it.
 * Decision 29: volcano on every pool, the GPU or NPU driver on pools whose
 * flavors have that accelerator. The driver versions are what
 * `spec.driver.gpuVersion` / `npuVersion` name.
 */
export const BUILTIN_PLUGIN_TEMPLATES: readonly PluginTemplateEntry[] = [
  {
    name: 'volcano',
    annotations: { [RELEASE]: 'volcano' },
    type: 'helm',
    optional: false,
    description: 'Batch scheduler for training and inference jobs.',
    installedByDefault: true,
    versions: [
      { version: '1.12.9', creationTimestamp: '2025-03-10T08:00:00Z', description: 'Gang scheduling, queues.' },
      { version: '1.11.5', creationTimestamp: '2024-09-02T08:00:00Z', description: 'Gang scheduling.' },
    ],
  },
  {
    name: 'gpu-driver',
    annotations: { [RELEASE]: 'gpu-driver' },
    type: 'ccePlugin',
    optional: false,
    description: 'GPU driver',
    accelerator: 'gpu',
    installedByDefault: true,
    versions: [
      { version: '535.54.03', creationTimestamp: '2024-06-01T08:00:00Z', detail: 'CUDA 12.2 driver' },
      { version: '470.57.02', creationTimestamp: '2022-03-01T08:00:00Z', detail: 'CUDA 11.4 driver' },
    ],
  },
  {
    name: 'npu-driver',
    annotations: { [RELEASE]: 'npu-driver' },
    type: 'ccePlugin',
    optional: false,
    description: 'NPU driver',
    accelerator: 'npu',
    installedByDefault: true,
    versions: [
      { version: '24.1.0', creationTimestamp: '2025-01-15T08:00:00Z', detail: 'Ascend HDK 24.1.0' },
      { version: '23.0.6', creationTimestamp: '2024-04-20T08:00:00Z', detail: 'Ascend HDK 23.0.6' },
    ],
  },
  {
    name: 'node-local-dns',
    annotations: { [RELEASE]: 'node-local-dns' },
    type: 'helm',
    optional: true,
    description: 'DNS cache on every node.',
    versions: [{ version: '1.6.63', creationTimestamp: '2024-11-05T08:00:00Z' }],
  },
];
