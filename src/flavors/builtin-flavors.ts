import type { CatalogueEntry } from './flavor.schema.js';

const zones = { 'az-1': 'normal', 'az-2': 'normal' };

function flavor(name: string, scope: string, spec: CatalogueEntry['flavor']['spec']): CatalogueEntry {
  return {
    flavor: {
      metadata: { name, labels: { 'os.modelarts/scope': scope } },
      spec: { billingModes: [0], ...spec },
      status: { phase: { ...zones } },
    },
  };
}

const ssd = (size: string) => [{ volumeType: 'SSD', size }];

/** The catalogue an installation gets unless ATELIER_FLAVORS_FILE names its own. */
export const BUILTIN_FLAVORS: readonly CatalogueEntry[] = [
  flavor('modelarts.vm.cpu.8ud', 'Train,Infer,Notebook', {
    type: 'Dedicate',
    cpuArch: 'x86',
    cpu: '8',
    memory: '32Gi',
    dataVolumes: ssd('500Gi'),
    nodeConfigTemplate: 'modelarts-vm-default',
  }),
  flavor('modelarts.vm.cpu.16ud', 'Train,Infer,Notebook', {
    type: 'Dedicate',
    cpuArch: 'x86',
    cpu: '16',
    memory: '64Gi',
    dataVolumes: ssd('500Gi'),
    nodeConfigTemplate: 'modelarts-vm-default',
  }),
  flavor('modelarts.vm.cpu.32ud.arm', 'Train,Infer', {
    type: 'Dedicate',
    cpuArch: 'arm64',
    cpu: '32',
    memory: '128Gi',
    dataVolumes: ssd('1000Gi'),
    nodeConfigTemplate: 'modelarts-vm-default',
  }),
  flavor('modelarts.vm.gpu.t4', 'Infer,Notebook', {
    type: 'Dedicate',
    cpuArch: 'x86',
    cpu: '8',
    memory: '32Gi',
    gpu: { type: 'nvidia-t4', size: '1', memory: '16Gi' },
    dataVolumes: ssd('500Gi'),
    nodeConfigTemplate: 'modelarts-vm-default',
  }),
  flavor('modelarts.bm.gpu.8v100', 'Train,Infer', {
    type: 'Dedicate',
    cpuArch: 'x86',
    cpu: '72',
    memory: '512Gi',
    gpu: { type: 'nvidia-v100', size: '8', memory: '32Gi' },
    dataVolumes: ssd('3200Gi'),
    nodeConfigTemplate: 'modelarts-bms-gpu',
  }),
  flavor('modelarts.bm.gpu.8a100', 'Train', {
    type: 'Dedicate',
    cpuArch: 'x86',
    cpu: '96',
    memory: '1024Gi',
    gpu: { type: 'nvidia-a100', size: '8', memory: '80Gi' },
    dataVolumes: ssd('7000Gi'),
    nodeConfigTemplate: 'modelarts-bms-gpu',
  }),
  flavor('modelarts.bm.npu.arm.8snt9b3', 'Train,Infer', {
    type: 'Dedicate',
    cpuArch: 'arm64',
    cpu: '192',
    memory: '1536Gi',
    npu: { type: 'ascend-snt9b', size: '8', memory: '64Gi' },
    dataVolumes: ssd('7000Gi'),
    nodeConfigTemplate: 'modelarts-bms-npu',
  }),
];
