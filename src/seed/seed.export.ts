import YAML from 'yaml';
import type { Executor } from '../db/database.js';
import { grantedProjects, listAccounts, listCredentials } from '../identity/identity.store.js';
import type { SecretBox } from '../identity/secret-box.js';
import type { NetworkConnection } from '../networks/network.schema.js';
import { NAME_LABEL, WORKSPACE_LABEL } from '../networks/network.service.js';
import type { PoolSpec } from '../pools/pool.schema.js';
import { listProjects } from '../projects/project.store.js';
import { DEFAULT_WORKSPACE } from '../statistics/statistics.service.js';
import type { SeedCredential, SeedFile, SeedNetwork, SeedPool, SeedProject } from './seed.schema.js';

/** Labels the server writes on a pool; a seed must not carry them (createPool would drop them anyway). */
const SERVER_POOL_LABELS = [
  'os.modelarts/resource.id',
  'os.modelarts/tenant.project.id',
  'os.modelarts/tenant.domain.id',
  'os.modelarts.pool/biz',
  'os.modelarts/create-from',
];
/** Failure phases whose status.message is part of the world. */
const MESSAGE_PHASES = new Set(['Abnormal', 'ScalingFailed', 'Error', 'CreationFailed']);

const withoutKeys = (map: Record<string, string>, keys: readonly string[]) =>
  Object.fromEntries(Object.entries(map).filter(([key]) => !keys.includes(key)));

const nonEmpty = (map: Record<string, string>) => (Object.keys(map).length > 0 ? map : undefined);

/**
 * The current state in the seed format (docs/emulator.md). Things in passing are
 * written as where they are headed or came from: a Waiting pool as Creating, a
 * network or pool being deleted not at all. Secret keys only with `secrets`.
 */
export async function exportSeed(db: Executor, options: { secrets?: SecretBox } = {}): Promise<SeedFile> {
  const accounts = new Map((await listAccounts(db)).map((a) => [a.id, a.name]));
  const projects: SeedProject[] = [];
  for (const project of await listProjects(db)) {
    const networks = await db
      .selectFrom('networks')
      .selectAll()
      .where('project_id', '=', project.id)
      .where('deleting_at', 'is', null)
      .orderBy('id')
      .execute();
    const displayOf = new Map(networks.map((n) => [n.name, n.display_name]));
    const pools = await db
      .selectFrom('pools')
      .selectAll()
      .where('project_id', '=', project.id)
      .where('phase', '!=', 'Deleting')
      .orderBy('id')
      .execute();
    const entry: SeedProject = { id: project.id, name: project.name };
    const account = project.account_id ? accounts.get(project.account_id) : undefined;
    if (account) entry.account = account;
    if (project.pool_quota !== null || project.network_quota !== null) {
      entry.quotas = {
        ...(project.pool_quota !== null ? { pool: project.pool_quota } : {}),
        ...(project.network_quota !== null ? { network: project.network_quota } : {}),
      };
    }
    if (networks.length > 0) {
      entry.networks = networks.map((row): SeedNetwork => {
        const spec = JSON.parse(row.spec) as { cidr: string; ipv6enable?: boolean; connection?: NetworkConnection };
        const labels = nonEmpty(
          withoutKeys(JSON.parse(row.labels) as Record<string, string>, [NAME_LABEL, WORKSPACE_LABEL]),
        );
        const annotations = nonEmpty(JSON.parse(row.annotations) as Record<string, string>);
        const connection = spec.connection && Object.keys(spec.connection).length > 0 ? spec.connection : undefined;
        return {
          name: row.display_name,
          ...(row.workspace_id !== DEFAULT_WORKSPACE ? { workspaceId: row.workspace_id } : {}),
          cidr: spec.cidr,
          ...(spec.ipv6enable ? { ipv6enable: true } : {}),
          ...(connection ? { connection } : {}),
          ...(labels ? { labels } : {}),
          ...(annotations ? { annotations } : {}),
          phase: row.phase === 'Creating' ? 'Creating' : 'Active',
        };
      });
    }
    if (pools.length > 0) {
      entry.pools = pools.map((row): SeedPool => {
        const { network: _network, ...spec } = JSON.parse(row.spec) as PoolSpec;
        const labels = nonEmpty(
          withoutKeys(JSON.parse(row.labels) as Record<string, string>, [
            ...SERVER_POOL_LABELS,
            NAME_LABEL,
            WORKSPACE_LABEL,
          ]),
        );
        const annotations = nonEmpty(JSON.parse(row.annotations) as Record<string, string>);
        const network = row.network_name ? (displayOf.get(row.network_name) ?? row.network_name) : undefined;
        const phase = (row.phase === 'Waiting' ? 'Creating' : row.phase) as SeedPool['phase'];
        return {
          name: row.display_name,
          ...(network ? { network } : {}),
          ...(row.workspace_id !== DEFAULT_WORKSPACE ? { workspaceId: row.workspace_id } : {}),
          ...(labels ? { labels } : {}),
          ...(annotations ? { annotations } : {}),
          spec,
          phase,
          ...(MESSAGE_PHASES.has(row.phase) && row.message ? { message: row.message } : {}),
        };
      });
    }
    projects.push(entry);
  }
  const credentials: SeedCredential[] = [];
  for (const row of await listCredentials(db)) {
    credentials.push({
      accessKey: row.access_key,
      ...(options.secrets ? { secretKey: options.secrets.open(row.secret_sealed) } : {}),
      ...(accounts.get(row.account_id) ? { account: accounts.get(row.account_id) } : {}),
      ...(row.description ? { description: row.description } : {}),
      projects: await grantedProjects(db, 'credential', row.access_key),
    });
  }
  return { projects, credentials };
}

/** The seed as text: YAML for a .yaml/.yml file name, JSON otherwise. */
export function formatSeed(seed: SeedFile, file?: string): string {
  return file && /\.ya?ml$/i.test(file) ? YAML.stringify(seed) : `${JSON.stringify(seed, null, 2)}\n`;
}
