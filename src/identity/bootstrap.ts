import type { Config } from '../config.js';
import { findProject, listProjects } from '../projects/project.service.js';
import type { IdentityService } from './identity.service.js';
import type { Database } from '../db/database.js';

export const DEFAULT_ACCOUNT = 'default';

export interface FirstStart {
  projectId: string;
  projectName: string;
  accessKey: string;
  secretKey: string;
}

/**
 * Makes the configured bootstrap project and credential exist (idempotent: a
 * restart with the same settings changes nothing). With no settings at all, a
 * first start on an empty database creates a project and a credential and
 * returns them so the server can print them once.
 */
export async function bootstrapIdentity(
  config: Config,
  database: Database,
  identity: IdentityService,
): Promise<FirstStart | undefined> {
  const { projectId, accessKey, secretKey } = config.bootstrap;
  const db = database.db;
  const account = await identity.ensureAccount(DEFAULT_ACCOUNT);
  if (projectId) {
    const existing = await findProject(db, projectId);
    if (!existing || existing.account_id === null) await identity.createProject(account.id, { id: projectId });
    const owner = existing?.account_id ?? account.id;
    if (accessKey && secretKey) {
      const matches = await identity.credentialSecretMatches(accessKey, secretKey);
      if (matches === undefined)
        await identity.createCredential(owner, [projectId], { accessKey, secretKey, description: 'bootstrap' });
      else {
        if (!matches) await identity.setCredentialSecret(accessKey, secretKey);
        await identity.grant('credential', accessKey, owner, [projectId]);
      }
    }
    return undefined;
  }
  if ((await listProjects(db)).length > 0) return undefined;
  // Named after the installation's region, so an SDK client built withRegion(...) finds it by name.
  const project = await identity.createProject(account.id, { name: config.regions[0] });
  const credential = await identity.createCredential(account.id, [project.id], {
    description: 'created at first start',
  });
  return { projectId: project.id, projectName: project.name, ...credential };
}
