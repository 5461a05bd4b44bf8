import YAML from 'yaml';
import type { Executor } from '../db/database.js';
import type { ProjectRow } from '../db/schema.js';
import { accountNames, listCredentialGrants } from '../identity/identity.service.js';
import type { SecretBox } from '../identity/secret-box.js';
import { listLiveNetworks } from '../networks/network.reads.js';
import { DRIVER_FOR } from '../nodes/node.lifecycle.js';
import { LOCK_ANNOTATION, NODE_POOL_LABEL, NODE_POOL_NAME_LABEL } from '../nodes/node.plan.js';
import { selectPoolNodesInPhases, type NodeRecord } from '../nodes/node.reads.js';
import { SERVER_LABELS } from '../pools/pool.checks.js';
import { FAULT_ANNOTATION } from '../pools/pool.node-faults.js';
import { listProjectPools } from '../pools/pool.reads.js';
import { listProjects } from '../projects/project.service.js';
import { DEFAULT_WORKSPACE, NAME_LABEL, WORKSPACE_LABEL } from '../shared/conventions.js';
import type { SeedCredential, SeedFile, SeedNetwork, SeedNode, SeedPool, SeedProject } from './seed.schema.js';

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
  const accounts = await accountNames(db);
  const projects: SeedProject[] = [];
  for (const project of await listProjects(db)) {
    projects.push({ ...projectEntry(project, accounts), ...(await exportResources(db, project.id)) });
  }
  return { projects, credentials: await exportCredentials(db, accounts, options.secrets) };
}

/** A project as the seed writes it: its id, name, account and quota overrides. */
function projectEntry(project: ProjectRow, accounts: ReadonlyMap<string, string>): SeedProject {
  const entry: SeedProject = { id: project.id, name: project.name };
  const account = project.account_id ? accounts.get(project.account_id) : undefined;
  if (account) entry.account = account;
  if (project.pool_quota !== null || project.network_quota !== null) {
    entry.quotas = {
      ...(project.pool_quota !== null ? { pool: project.pool_quota } : {}),
      ...(project.network_quota !== null ? { network: project.network_quota } : {}),
    };
  }
  return entry;
}

/** The networks and pools of a project as the seed writes them. */
async function exportResources(db: Executor, projectId: string): Promise<Pick<SeedProject, 'networks' | 'pools'>> {
  const entry: Pick<SeedProject, 'networks' | 'pools'> = {};
  const networks = await listLiveNetworks(db, projectId);
  const displayOf = new Map(networks.map((n) => [n.name, n.displayName]));
  const pools = await listProjectPools(db, projectId, ['Deleting']);
  if (networks.length > 0) {
    entry.networks = networks.map((row): SeedNetwork => {
      const { spec } = row;
      const labels = nonEmpty(withoutKeys(row.labels, [NAME_LABEL, WORKSPACE_LABEL]));
      const annotations = nonEmpty(row.annotations);
      const connection = spec.connection && Object.keys(spec.connection).length > 0 ? spec.connection : undefined;
      return {
        name: row.displayName,
        ...(row.workspaceId !== DEFAULT_WORKSPACE ? { workspaceId: row.workspaceId } : {}),
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
    const nodesOf = new Map<number, SeedNode[]>();
    for (const row of pools) if (!NO_NODES.has(row.phase)) nodesOf.set(row.id, await exportNodes(db, row.id));
    entry.pools = pools.map((row): SeedPool => {
      const { network: _network, ...spec } = row.spec;
      const labels = nonEmpty(withoutKeys(row.labels, [...SERVER_LABELS, NAME_LABEL, WORKSPACE_LABEL]));
      const annotations = nonEmpty(row.annotations);
      const network = row.networkName ? (displayOf.get(row.networkName) ?? row.networkName) : undefined;
      const phase = (row.phase === 'Waiting' ? 'Creating' : row.phase) as SeedPool['phase'];
      return {
        name: row.displayName,
        ...(network ? { network } : {}),
        ...(row.workspaceId !== DEFAULT_WORKSPACE ? { workspaceId: row.workspaceId } : {}),
        ...(labels ? { labels } : {}),
        ...(annotations ? { annotations } : {}),
        spec,
        phase,
        ...(MESSAGE_PHASES.has(row.phase) && row.message ? { message: row.message } : {}),
        ...(nodesOf.get(row.id)?.length ? { nodes: nodesOf.get(row.id) } : {}),
      };
    });
  }
  return entry;
}

/** Pools whose nodes a seed cannot describe: they are made again as the pool's creation makes them. */
const NO_NODES = new Set(['Creating', 'Waiting', 'CreationFailed']);

/** Labels a seeded node is given from its pool and node pool, so not written. */
const DERIVED_NODE_LABELS = [
  NODE_POOL_LABEL,
  NODE_POOL_NAME_LABEL,
  'os.modelarts.node/cluster',
  'os.modelarts/tenant.project.id',
];

/**
 * A pool's nodes as the seed writes them, in name order. Nodes in passing are
 * written as where they head: Creating or Checking as Available, Deleting not at
 * all. A driver phase only where it is not the one of the node's phase; a fault's
 * mark never (faults are not part of the seed).
 */
async function exportNodes(db: Executor, poolId: number): Promise<SeedNode[]> {
  const nodes = await selectPoolNodesInPhases(db, poolId, ['Creating', 'Available', 'Abnormal', 'Checking']);
  return nodes.map((node: NodeRecord): SeedNode => {
    const labels = nonEmpty(withoutKeys(node.labels, DERIVED_NODE_LABELS));
    const locked = (node.annotations[LOCK_ANNOTATION] ?? '').split(',').includes('delete');
    const annotations = nonEmpty(withoutKeys(node.annotations, [FAULT_ANNOTATION, LOCK_ANNOTATION]));
    const driverPhase =
      node.driverPhase !== null && node.driverPhase !== DRIVER_FOR[node.phase] ? node.driverPhase : undefined;
    return {
      name: node.name,
      nodePool: node.nodePool,
      flavor: node.flavor,
      phase: node.phase === 'Abnormal' ? 'Abnormal' : 'Available',
      ...(locked ? { locked } : {}),
      az: node.az,
      privateIp: node.privateIp,
      ...(driverPhase ? { driverPhase } : {}),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(node.taints.length > 0 ? { taints: node.taints } : {}),
    };
  });
}

/** Every credential with its account and projects; its secret key only with `secrets`. */
async function exportCredentials(
  db: Executor,
  accounts: ReadonlyMap<string, string>,
  secrets: SecretBox | undefined,
): Promise<SeedCredential[]> {
  return (await listCredentialGrants(db, secrets)).map((c) => ({
    accessKey: c.accessKey,
    ...(c.secretKey !== undefined ? { secretKey: c.secretKey } : {}),
    ...(accounts.get(c.accountId) ? { account: accounts.get(c.accountId) } : {}),
    ...(c.description ? { description: c.description } : {}),
    projects: c.projectIds,
  }));
}

/** The seed as text: YAML for a .yaml/.yml file name, JSON otherwise. */
export function formatSeed(seed: SeedFile, file?: string): string {
  return file && /\.ya?ml$/i.test(file) ? YAML.stringify(seed) : `${JSON.stringify(seed, null, 2)}\n`;
}
