import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';
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

/** Builds the catalogue from ATELIER_FLAVORS_FILE (JSON or YAML) or the built-in list. */
export function loadFlavorCatalogue(file: string | undefined): FlavorCatalogue {
  if (!file) return new FlavorCatalogue(BUILTIN_FLAVORS);
  let parsed: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    parsed = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read flavors file ${file}: ${(error as Error).message}`);
  }
  if (!Value.Check(FlavorsFile, parsed)) {
    const problems = [...Value.Errors(FlavorsFile, parsed)].slice(0, 10).map((e) => `${e.path} ${e.message}`);
    throw new Error(`Flavors file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return new FlavorCatalogue(parsed.flavors);
}
