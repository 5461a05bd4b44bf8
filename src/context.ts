import type { Clock, OffsetClock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { LifecyclePolicy } from './engine/lifecycle-policy.js';
import type { FlavorCatalogue } from './flavors/flavor.catalogue.js';
import type { PluginTemplateCatalogue } from './plugins/plugin-template.catalogue.js';
import type { IdentityService } from './identity/identity.service.js';
import type { ProjectCache } from './projects/project.cache.js';
import type { Signals } from './shared/signals.js';

/** What services need from the running installation; built once by server.ts or a test. */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly flavors: FlavorCatalogue;
  /** The plug-in templates pools may install (ATELIER_PLUGIN_TEMPLATES_FILE extends the built-in ones). */
  readonly pluginTemplates: PluginTemplateCatalogue;
  readonly identity: IdentityService;
  readonly projects: ProjectCache;
  /** Lifecycle timing per step, changeable at run time by the emulator controls. */
  readonly lifecycle: LifecyclePolicy;
  /** The offset that `clock` reads through; only the emulator controls move it. */
  readonly clockOffset: OffsetClock;
  /** Asks the lifecycle engine to run a pass soon (after a write made work due). */
  readonly wakeEngine: () => void;
  /** What services and the engine report for counting (the metrics endpoint listens). */
  readonly signals: Signals;
}
