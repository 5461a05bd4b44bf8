import { readCheckedFile } from '../shared/checked-file.js';
import { BUILTIN_PLUGIN_TEMPLATES } from './builtin-plugin-templates.js';
import { PluginTemplatesFile, type Accelerator, type PluginTemplateEntry } from './plugin-template.schema.js';

/** The plug-in templates this installation offers (config-events-flavors §7), in catalogue order. */
export class PluginTemplateCatalogue {
  private readonly byName = new Map<string, PluginTemplateEntry>();

  constructor(entries: readonly PluginTemplateEntry[]) {
    for (const entry of entries) this.byName.set(entry.name, entry);
  }

  get templates(): readonly PluginTemplateEntry[] {
    return [...this.byName.values()];
  }

  find(name: string): PluginTemplateEntry | undefined {
    return this.byName.get(name);
  }

  /** Whether a pool with these accelerators may install the template. */
  static fits(template: PluginTemplateEntry, accelerators: ReadonlySet<Accelerator>): boolean {
    return template.accelerator === undefined || accelerators.has(template.accelerator);
  }

  /** What a new pool with these accelerators gets (decision 29). */
  defaultsFor(accelerators: ReadonlySet<Accelerator>): PluginTemplateEntry[] {
    return this.templates.filter((t) => t.installedByDefault && PluginTemplateCatalogue.fits(t, accelerators));
  }
}

/**
 * The built-in catalogue, extended by ATELIER_PLUGIN_TEMPLATES_FILE (JSON or
 * YAML, `{pluginTemplates: [...]}`): a file entry of a built-in's name replaces it.
 */
export function loadPluginTemplateCatalogue(file: string | undefined): PluginTemplateCatalogue {
  if (!file) return new PluginTemplateCatalogue(BUILTIN_PLUGIN_TEMPLATES);
  const parsed = readCheckedFile(file, PluginTemplatesFile, 'plug-in templates file');
  const names = parsed.pluginTemplates.map((t) => t.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new Error(`Plug-in templates file ${file} lists ${twice} twice`);
  return new PluginTemplateCatalogue([...BUILTIN_PLUGIN_TEMPLATES, ...parsed.pluginTemplates]);
}
