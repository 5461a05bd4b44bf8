import type { AppContext } from '../context.js';
import { findNetwork, findNetworkByDisplayName } from '../networks/network.reads.js';
import { OWN_RANGE } from '../nodes/node.plan.js';
import { networkKeyOf, selectNodesByIp } from '../nodes/node.reads.js';
import { findPoolByDisplayName } from '../pools/pool.reads.js';
import { seededNodePools } from '../pools/pool.seed-nodes.js';
import { listProjects } from '../projects/project.service.js';
import { DEFAULT_WORKSPACE } from '../shared/conventions.js';
import { validateHostAddress } from '../shared/cidr.js';
import type { SeedFile, SeedPool, SeedProject } from './seed.schema.js';

/** Pools in these phases hold no nodes a file could describe: they are made as the phase makes them. */
const NO_NODES: ReadonlySet<SeedPool['phase']> = new Set<SeedPool['phase']>(['Creating', 'CreationFailed']);

/**
 * What the schema cannot see in a seed file, checked before anything is written:
 * the described nodes of each pool the file creates fit its spec, and their IPs
 * are node addresses of the pool's network, given once in that network, and not
 * held by a node already there. Throws one Error listing every problem by place
 * (`projects/0/pools/1/nodes/2/privateIp: ...`).
 */
export async function checkSeed(ctx: AppContext, seed: SeedFile): Promise<void> {
  const problems: string[] = [];
  const existing = await listProjects(ctx.database.db);
  for (const [p, project] of (seed.projects ?? []).entries()) {
    const projectId = (
      project.id ? existing.find((e) => e.id === project.id) : existing.find((e) => e.name === project.name)
    )?.id;
    /** IPs given in each network of this project: network name → IP → place. */
    const given = new Map<string, Map<string, string>>();
    for (const [i, pool] of (project.pools ?? []).entries()) {
      const place = `projects/${p}/pools/${i}`;
      if (!pool.nodes || pool.nodes.length === 0) continue;
      if (projectId && (await findPoolByDisplayName(ctx.database.db, projectId, pool.name))) continue;
      if (NO_NODES.has(pool.phase)) {
        problems.push(`${place}/nodes: a ${pool.phase} pool has no nodes to describe; leave them out`);
        continue;
      }
      const { problems: found } = seededNodePools(ctx, pool.spec.resources, pool.nodes);
      problems.push(...found.map((problem) => `${place}/${problem}`));
      problems.push(...(await checkAddresses(ctx, project, projectId, pool, place, given)));
    }
  }
  if (problems.length > 0) throw new Error(`invalid nodes:\n  - ${problems.slice(0, 20).join('\n  - ')}`);
}

/** The described IPs of one pool against its network's CIDR, the file's other pools and the nodes there. */
async function checkAddresses(
  ctx: AppContext,
  project: SeedProject,
  projectId: string | undefined,
  pool: SeedPool,
  place: string,
  given: Map<string, Map<string, string>>,
): Promise<string[]> {
  const problems: string[] = [];
  const network = await networkOf(ctx, project, projectId, pool);
  if (network === undefined) return problems;
  const inNetwork = given.get(network.key) ?? new Map<string, string>();
  given.set(network.key, inNetwork);
  const ips: string[] = [];
  for (const [j, node] of (pool.nodes ?? []).entries()) {
    if (node.privateIp === undefined) continue;
    const at = `${place}/nodes/${j}/privateIp`;
    const bad = validateHostAddress(node.privateIp, network.cidr);
    const twin = inNetwork.get(node.privateIp);
    if (bad) problems.push(`${at}: ${bad}`);
    else if (twin && !twin.startsWith(`${place}/`)) problems.push(`${at}: ${node.privateIp} is given at ${twin} too`);
    else {
      inNetwork.set(node.privateIp, at);
      ips.push(node.privateIp);
    }
  }
  if (network.stored) {
    for (const holder of await selectNodesByIp(ctx.database.db, network.key, ips)) {
      problems.push(`${place}/nodes: privateIp ${holder.privateIp} is held by node ${holder.name} already`);
    }
  }
  return problems;
}

/** The network a seeded pool's nodes take their IPs from: its CIDR, its node key, whether it is stored already. */
async function networkOf(ctx: AppContext, project: SeedProject, projectId: string | undefined, pool: SeedPool) {
  if (!pool.network) return { cidr: OWN_RANGE, key: `pool:${pool.name}`, stored: false };
  const workspaceId = pool.workspaceId ?? DEFAULT_WORKSPACE;
  const stored =
    projectId === undefined
      ? undefined
      : ((await findNetworkByDisplayName(ctx.database.db, projectId, workspaceId, pool.network)) ??
        (await findNetworkByDisplayName(ctx.database.db, projectId, DEFAULT_WORKSPACE, pool.network)) ??
        (await findNetwork(ctx.database.db, projectId, pool.network)));
  if (stored) return { cidr: stored.spec.cidr, key: networkKeyOf(stored.name), stored: true };
  const inFile = (project.networks ?? []).find((n) => n.name === pool.network);
  return inFile ? { cidr: inFile.cidr, key: `file:${inFile.name}`, stored: false } : undefined;
}
