import { readCheckedFile } from '../shared/checked-file.js';
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

  /** Which accelerator a node of this flavor has (`spec.gpu` or `spec.npu`), if any. */
  accelerator(name: string): 'gpu' | 'npu' | undefined {
    const spec = this.byName.get(name)?.flavor.spec;
    return spec?.gpu ? 'gpu' : spec?.npu ? 'npu' : undefined;
  }

  /** Nodes of this flavor in the whole installation; undefined = unlimited. */
  capacity(name: string): number | undefined {
    return this.byName.get(name)?.capacity;
  }
}

/** Builds the catalogue from ATELIER_FLAVORS_FILE (JSON or YAML) or the built-in list. */
export function loadFlavorCatalogue(file: string | undefined): FlavorCatalogue {
  if (!file) return new FlavorCatalogue(BUILTIN_FLAVORS);
  const parsed = readCheckedFile(file, FlavorsFile, 'flavors file');
  return new FlavorCatalogue(parsed.flavors);
}
