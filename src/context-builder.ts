import { OffsetClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Database } from './db/database.js';
import { LifecyclePolicy } from './engine/lifecycle-policy.js';
import { applyEmulatorSettings, loadEmulatorSettings } from './admin/emulator-settings.store.js';
import type { FlavorCatalogue } from './flavors/flavor.catalogue.js';
import { IdentityService } from './identity/identity.service.js';
import { secretBoxFor } from './identity/secret-box-for.js';
import { loadPluginTemplateCatalogue } from './plugins/plugin-template.catalogue.js';
import { ProjectCache } from './projects/project.cache.js';
import { Signals } from './shared/signals.js';

/**
 * A context over a migrated database, without seeding or bootstrapping: what the server builds on,
 * and what the command line uses to call services directly.
 */
export async function contextOver(
  config: Config,
  clock: Clock,
  flavors: FlavorCatalogue,
  database: Database,
  wakeEngine: () => void = () => {},
): Promise<AppContext> {
  // The emulator controls may have moved the clock and changed timings before a restart.
  const clockOffset = new OffsetClock(clock);
  const lifecycle = new LifecyclePolicy(config.timings);
  applyEmulatorSettings({ lifecycle, clockOffset }, await loadEmulatorSettings(database.db));
  const identity = new IdentityService({
    database,
    clock: clockOffset,
    secrets: secretBoxFor(config),
    tokenTtlMs: config.tokenTtlMs,
    cacheMs: config.authCacheMs,
    login: config.login,
  });
  const projects = new ProjectCache(config.authCacheMs);
  return {
    config,
    database,
    clock: clockOffset,
    flavors,
    pluginTemplates: loadPluginTemplateCatalogue(config.pluginTemplatesFile),
    identity,
    projects,
    lifecycle,
    clockOffset,
    wakeEngine,
    signals: new Signals(),
  };
}
