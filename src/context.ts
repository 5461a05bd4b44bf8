import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { FlavorCatalogue } from './flavors/flavor.catalogue.js';
import type { IdentityService } from './identity/identity.service.js';

/** What services need from the running installation; built once by server.ts or a test. */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly flavors: FlavorCatalogue;
  readonly identity: IdentityService;
  /** Asks the lifecycle engine to run a pass soon (after a write made work due). */
  readonly wakeEngine: () => void;
}
