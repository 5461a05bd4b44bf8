import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { countNewNodes, discardNodes, moveNodes, setNodesDriver } from '../nodes/node.move.js';
import { LOCK_ANNOTATION, placeNodes, type NodeShape } from '../nodes/node.plan.js';
import { LOCK_ACTIONS } from '../nodes/node.schema.js';
import { selectNodesByIp, selectNodesByName, selectNodesInPhase, type NodeRecord } from '../nodes/node.reads.js';
import type { SeedNode } from '../seed/seed.schema.js';
import { rollUpEvent } from './pool.move.js';
import { nodePoolOf, ownerOf, poolTallies } from './pool.nodes.js';
import type { PoolRecord } from './pool.record.js';
import type { PoolResource } from './pool.schema.js';

/**
 * The nodes a seed file describes for a pool it creates (docs/emulator.md,
 * "Seeding nodes"). Each described node takes the place of one node its node
 * pool's `count` asks for, so counts, quotas and capacity are the spec's as
 * always; the nodes not described are generated. The pool's creation makes its
 * nodes as usual; placeSeededNodes then swaps generated nodes for the described
 * ones (still Creating), and settleSeededNodes gives them their phases once the
 * pool has its own — every change counted (node.move.ts) and rolled up.
 */

/**
 * The node pool of each described node, and every problem with them, named by
 * its place under the pool (`nodes/2/nodePool: ...`); no problems: the nodes fit.
 */
export function seededNodePools(
  ctx: AppContext,
  resources: readonly PoolResource[],
  nodes: readonly SeedNode[],
): { nodePools: string[]; problems: string[] } {
  const problems: string[] = [];
  const known = resources.map((r) => nodePoolOf(r));
  const nodePools = nodes.map((node, i) => {
    const resource = resourceOf(resources, node);
    if (typeof resource === 'string') {
      problems.push(`nodes/${i}/${resource}`);
      return '';
    }
    if (node.flavor !== undefined && node.flavor !== resource.flavor) {
      problems.push(`nodes/${i}/flavor: node pool ${nodePoolOf(resource)} is of flavor ${resource.flavor}`);
    }
    if (node.driverPhase !== undefined && !ctx.flavors.accelerator(resource.flavor)) {
      problems.push(`nodes/${i}/driverPhase: flavor ${resource.flavor} has no GPU or NPU, so no driver`);
    }
    const zones = ctx.flavors.zones(resource.flavor);
    if (node.az !== undefined && zones.length > 0 && !zones.includes(node.az)) {
      problems.push(`nodes/${i}/az: flavor ${resource.flavor} is offered in ${zones.join(', ')}`);
    }
    return nodePoolOf(resource);
  });
  nodes.forEach((node, i) => {
    const twin = nodes.findIndex((other) => other.name === node.name);
    if (twin < i) problems.push(`nodes/${i}/name: ${node.name} is described already (nodes/${twin})`);
    if (node.privateIp === undefined) return;
    const ipTwin = nodes.findIndex((other) => other.privateIp === node.privateIp);
    if (ipTwin < i) problems.push(`nodes/${i}/privateIp: ${node.privateIp} is given to nodes/${ipTwin} already`);
  });
  resources.forEach((resource, r) => {
    const described = nodePools.filter((p) => p === known[r]).length;
    if (described > resource.count) {
      problems.push(
        `nodes: ${described} nodes of node pool ${known[r]} are described, its count (spec.resources/${r}/count) is ${resource.count}`,
      );
    }
  });
  return { nodePools, problems };
}

/** The spec.resources entry a node joins, or what is wrong (`field: reason`). */
function resourceOf(resources: readonly PoolResource[], node: SeedNode): PoolResource | string {
  const names = resources.map((r) => nodePoolOf(r)).join(', ');
  if (node.nodePool !== undefined) {
    return (
      resources.find((r) => nodePoolOf(r) === node.nodePool) ??
      `nodePool: no node pool ${node.nodePool} in spec.resources (${names})`
    );
  }
  const candidates = node.flavor === undefined ? resources : resources.filter((r) => r.flavor === node.flavor);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) return `flavor: no node pool of flavor ${node.flavor} in spec.resources (${names})`;
  return `nodePool: the pool has several node pools (${names}); name the node's`;
}

/**
 * Swaps generated nodes of a pool just created (Creating) for the described
 * ones: per node pool, generated nodes holding a described name or IP leave
 * first, then the newest; described nodes without an IP take a freed one.
 * Throws, naming the node, when an IP is held outside the pool.
 */
export async function placeSeededNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  nodes: readonly SeedNode[],
): Promise<void> {
  const { nodePools, problems } = seededNodePools(ctx, pool.spec.resources, nodes);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const wantedIps = new Set(nodes.flatMap((n) => (n.privateIp ? [n.privateIp] : [])));
  const wantedNames = new Set(nodes.map((n) => n.name));
  const holds = (n: NodeRecord) => wantedIps.has(n.privateIp) || wantedNames.has(n.name);
  const leaving: NodeRecord[] = [];
  for (const nodePool of new Set(nodePools)) {
    const generated = await selectNodesInPhase(tx, pool.id, nodePool, ['Creating'], 100_000);
    const count = nodePools.filter((p) => p === nodePool).length;
    leaving.push(...[...generated.filter(holds), ...generated.filter((n) => !holds(n))].slice(0, count));
  }
  if (leaving.length === 0) return;
  const leavingIds = new Set(leaving.map((n) => n.id));
  const taken = (await selectNodesByIp(tx, leaving[0].networkKey, [...wantedIps])).find((n) => !leavingIds.has(n.id));
  if (taken) throw new Error(`nodes: privateIp ${taken.privateIp} is taken by node ${taken.name} of the network`);
  await discardNodes(tx, leaving);
  const freed = leaving.map((n) => n.privateIp).filter((ip) => !wantedIps.has(ip));
  const owner = await ownerOf(tx, pool);
  for (const resource of pool.spec.resources) {
    const nodePool = nodePoolOf(resource);
    const shapes: NodeShape[] = nodes
      .filter((_, i) => nodePools[i] === nodePool)
      .map((node) => shapeOf(node, node.privateIp ?? (freed.shift() as string)));
    if (shapes.length === 0) continue;
    const template = { ...resource, nodePool };
    const placed = await placeNodes(ctx, tx, owner, template, shapes, resource.count - shapes.length);
    await countNewNodes(tx, placed);
  }
}

function shapeOf(node: SeedNode, privateIp: string): NodeShape {
  const annotations = node.locked
    ? { ...node.annotations, [LOCK_ANNOTATION]: LOCK_ACTIONS.join(',') }
    : node.annotations;
  return {
    name: node.name,
    privateIp,
    ...(node.az ? { az: node.az } : {}),
    ...(node.labels ? { labels: node.labels } : {}),
    ...(annotations ? { annotations } : {}),
    ...(node.taints ? { taints: node.taints } : {}),
  };
}

/**
 * The pool has the phase the file names (its nodes followed it): the described
 * nodes take their own phase and driver phase, in one roll-up change.
 */
export async function settleSeededNodes(
  ctx: AppContext,
  tx: Executor,
  pool: PoolRecord,
  nodes: readonly SeedNode[],
): Promise<void> {
  const before = await poolTallies(tx, pool.id);
  const current = new Map(
    (
      await selectNodesByName(
        tx,
        pool.id,
        nodes.map((n) => n.name),
      )
    ).map((n) => [n.name, n]),
  );
  for (const wanted of nodes) {
    let node = current.get(wanted.name);
    if (!node) continue;
    const settled = node.phase === 'Available' || node.phase === 'Abnormal';
    if (wanted.phase !== undefined && node.phase !== wanted.phase && settled) {
      node = (await moveNodes(tx, [node], node.phase, wanted.phase))[0] ?? node;
    }
    if (wanted.driverPhase !== undefined && node.driverPhase !== null && node.driverPhase !== wanted.driverPhase) {
      await setNodesDriver(tx, [node], node.phase, { driverPhase: wanted.driverPhase });
    }
  }
  await rollUpEvent(ctx, tx, pool, before);
}
