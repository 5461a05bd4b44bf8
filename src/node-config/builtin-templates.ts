import type { NodeConfigTemplateSpec } from './node-config.schema.js';

const os = (name: string, preferred = false) => ({ name, preferred, eos: false, offline: false });

/**
 * The node configuration templates a flavor's `spec.nodeConfigTemplate` may name
 * (config-events-flavors-tags-plugins.md §5): how a node of the flavor lays out its
 * data disk and which operating systems it may run. A flavors file names one of these.
 */
export const BUILTIN_NODE_CONFIG_TEMPLATES: Readonly<Record<string, NodeConfigTemplateSpec>> = Object.freeze({
  'modelarts-vm-default': {
    dockerBaseSize: 50,
    dockerLvmConfig: { dockerThinPool: 90, kubernetesLV: 10, dockerDiskType: 'evs', lvType: 'linear' },
    osList: [os('EulerOS 2.10', true), os('Ubuntu 22.04')],
  },
  'modelarts-bms-gpu': {
    dockerBaseSize: 100,
    dockerLvmConfig: { dockerThinPool: 80, kubernetesLV: 20, dockerDiskType: 'local', lvType: 'striped' },
    osList: [os('EulerOS 2.10', true), os('Ubuntu 20.04')],
  },
  'modelarts-bms-npu': {
    dockerBaseSize: 100,
    dockerLvmConfig: { dockerThinPool: 80, kubernetesLV: 20, dockerDiskType: 'local', lvType: 'striped' },
    osList: [os('EulerOS 2.10', true), os('HCE 2.0')],
  },
});

/** The template of a flavor that names none. */
export const DEFAULT_NODE_CONFIG_TEMPLATE = 'modelarts-vm-default';
