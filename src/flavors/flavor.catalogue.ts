import { readCheckedFile } from '../shared/checked-file.js';
import { BUILTIN_NODE_CONFIG_TEMPLATES, DEFAULT_NODE_CONFIG_TEMPLATE } from '../node-config/builtin-templates.js';
import { BUILTIN_FLAVORS } from './builtin-flavors.js';
import { FlavorsFile, type CatalogueEntry, type ResourceFlavor } from './flavor.schema.js';

/** The flavors this installation offers, and how many nodes of each it has. */
export class FlavorCatalogue {
  private readonly byName: Map<string, CatalogueEntry>;
  readonly flavors: readonly ResourceFlavor[];
  /** Whether any flavor has a finite capacity, so pools may wait and the capacity lock is ever taken. */
  readonly anyFinite: boolean;

  constructor(entries: readonly CatalogueEntry[]) {
    this.byName = new Map();
    for (const entry of entries) {
      const name = entry.flavor.metadata.name;
      if (this.byName.has(name)) throw new Error(`Flavor ${name} is listed twice`);
      const template = entry.flavor.spec.nodeConfigTemplate;
      if (template !== undefined && !Object.hasOwn(BUILTIN_NODE_CONFIG_TEMPLATES, template)) {
        const known = Object.keys(BUILTIN_NODE_CONFIG_TEMPLATES).join(', ');
        throw new Error(`Flavor ${name} names node config template ${template}, which is not one of ${known}`);
      }
      this.byName.set(name, entry);
    }
    this.flavors = entries.map((e) => ({ apiVersion: 'v1' as const, kind: 'ResourceFlavor' as const, ...e.flavor }));
    this.anyFinite = entries.some((entry) => entry.capacity !== undefined);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  cpuArch(name: string): string | undefined {
    return this.byName.get(name)?.flavor.spec.cpuArch;
  }

  /** The accelerator a node of this flavor carries, which decides its driver (decision 22). */
  accelerator(name: string): 'gpu' | 'npu' | undefined {
    const spec = this.byName.get(name)?.flavor.spec;
    if (spec?.gpu) return 'gpu';
    if (spec?.npu) return 'npu';
    return undefined;
  }

  /**
   * A node's allocatable capacity as Kubernetes quantities (nodes-workloads-metrics.md
   * §1.1): the flavor's CPUs in millicores and memory in Mi, less what the node's
   * own agents reserve, and its accelerator cards.
   */
  nodeResources(name: string): Record<string, string> {
    const spec = this.byName.get(name)?.flavor.spec;
    if (!spec) return {};
    const cpus = Number.parseFloat(spec.cpu) || 0;
    const memoryMi = quantityToMi(spec.memory);
    const resources: Record<string, string> = {
      cpu: `${Math.max(0, Math.round(cpus * 1000) - 200)}m`,
      memory: `${Math.max(0, Math.round(memoryMi * 0.95))}Mi`,
    };
    if (spec.gpu) resources['nvidia.com/gpu'] = spec.gpu.size;
    if (spec.npu)
      resources[spec.npu.type.includes('snt3') ? 'huawei.com/ascend-snt3' : 'huawei.com/ascend-snt9'] = spec.npu.size;
    return resources;
  }

  /** The availability zones the flavor is offered in (status.phase of the flavor), in order. */
  zones(name: string): string[] {
    return Object.keys(this.byName.get(name)?.flavor.status.phase ?? {});
  }

  /** The node configuration template the flavor's nodes are built from; undefined for an unknown flavor. */
  nodeConfigTemplate(name: string): string | undefined {
    const entry = this.byName.get(name);
    return entry && (entry.flavor.spec.nodeConfigTemplate ?? DEFAULT_NODE_CONFIG_TEMPLATE);
  }

  /** Nodes of this flavor in the whole installation; undefined = unlimited. */
  capacity(name: string): number | undefined {
    return this.byName.get(name)?.capacity;
  }
}

/** `32Gi`, `512Mi`, `1Ti` as MiB; a bare number is GiB, as flavors write memory. */
function quantityToMi(quantity: string): number {
  const match = /^([0-9.]+)\s*([KMGT]i?)?$/.exec(quantity.trim());
  if (!match) return 0;
  const n = Number.parseFloat(match[1]);
  const unit = match[2] ?? 'Gi';
  const factor: Record<string, number> = {
    K: 1 / 1024,
    Ki: 1 / 1024,
    M: 1,
    Mi: 1,
    G: 1024,
    Gi: 1024,
    T: 1 << 20,
    Ti: 1 << 20,
  };
  return n * (factor[unit] ?? 1024);
}

/** Builds the catalogue from ATELIER_FLAVORS_FILE (JSON or YAML) or the built-in list. */
export function loadFlavorCatalogue(file: string | undefined): FlavorCatalogue {
  if (!file) return new FlavorCatalogue(BUILTIN_FLAVORS);
  const parsed = readCheckedFile(file, FlavorsFile, 'flavors file');
  return new FlavorCatalogue(parsed.flavors);
}
