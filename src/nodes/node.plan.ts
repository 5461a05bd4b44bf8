import { createHash, randomUUID } from 'node:crypto';
import { randomNameChars } from '../shared/random-text.js';
import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { DRIVER_FOR, NODE_ENTRY } from './node.lifecycle.js';
import type { NewNode, NodeRecord } from './node.record.js';
import type { NodeSpec, Taint } from './node.schema.js';
import { hostRange } from '../shared/cidr.js';
import { insertNodes, networkKeyOf, takeIpOffsets } from './node.store.js';

/** What a pool tells the node planner about itself (nodes import nothing from pools). */
export interface NodeOwner {
  poolId: number;
  poolName: string;
  projectId: string;
  /** The network the IPs come from: its name and CIDR; a pool without one gets a range of its own. */
  network: { name: string; cidr: string } | null;
  /** `os.modelarts/node.prefix`: names are the prefix and 5 random characters. */
  namePrefix: string | undefined;
  /** The driver version of the pool's spec, per accelerator. */
  driverVersion: { gpu?: string; npu?: string };
  /** `os.modelarts/billing.mode` of the pool: nodes of a yearly/monthly pool carry "1" (TF unsubscribes them). */
  billingMode?: string;
}

/** One entry of the pool's spec.resources: the node pool the new nodes join. */
export interface NodeTemplate {
  flavor: string;
  nodePool: string;
  azs?: readonly { az: string; count: number }[];
  labels?: Record<string, string>;
  taints?: readonly Taint[];
  os?: Record<string, unknown>;
  rootVolume?: Record<string, unknown>;
  dataVolumes?: readonly Record<string, unknown>[];
  extendParams?: Record<string, string>;
  /** The node pool's tags (spec.resources[].tags): a new node's own tags. */
  tags?: readonly { key: string; value: string }[];
}

export const NODE_POOL_LABEL = 'os.modelarts.node/nodepool';
export const NODE_POOL_NAME_LABEL = 'os.modelarts.node/nodepoolname';
export const INSTANCE_ID_LABEL = 'os.modelarts.node/underlying.instance.id';
export const RESOURCE_ID_LABEL = 'os.modelarts/resource.id';
export const LOCK_ANNOTATION = 'os.modelarts.node/lock.action';
/** A node's tags (config-events-flavors §6.2): JSON text `[{"key","value"}]`; the node pool's, to begin with. */
export const TAGS_ANNOTATION = 'os.modelarts/tms.tags';

/** Default driver versions, when the pool's spec.driver names none. */
const DEFAULT_DRIVER = { gpu: '535.54.03', npu: '23.0.6' };

/** The range a pool without a network takes its node IPs from. */
export const OWN_RANGE = '172.16.0.0/16';

/** The default node pool of a flavor (D-NP3): dots become dashes. */
export const defaultNodePool = (flavor: string): string => `${flavor.replace(/\./g, '-')}-default`;

/** A node pool's id (the `os.modelarts.node/nodepool` label): stable for the pool and the name. */
export const nodePoolId = (poolName: string, nodePool: string): string =>
  `np-${createHash('sha256').update(`${poolName}/${nodePool}`).digest('hex').slice(0, 12)}`;

const nodeName = (owner: NodeOwner) => `${owner.namePrefix ?? 'os-node-created'}-${randomNameChars(5)}`;

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** AZ of the i-th new node: the entry's azs in order, else the flavor's zones in turn. */
function azFor(ctx: AppContext, template: NodeTemplate, i: number): string {
  let left = i;
  for (const az of template.azs ?? []) {
    if (left < az.count) return az.az;
    left -= az.count;
  }
  const zones = ctx.flavors.zones(template.flavor);
  return zones.length > 0 ? zones[i % zones.length] : `${ctx.config.regions[0]}a`;
}

function specOf(template: NodeTemplate): NodeSpec {
  const spec: NodeSpec = { flavor: template.flavor };
  if (template.os) spec.os = template.os;
  if (template.rootVolume) spec.rootVolume = template.rootVolume;
  if (template.dataVolumes) spec.dataVolumes = [...template.dataVolumes];
  if (template.extendParams) spec.extendParams = template.extendParams;
  return spec;
}

/** The nodes to create, before they have an IP: names, labels, annotations and spec. */
function newNodes(
  ctx: AppContext,
  owner: NodeOwner,
  template: NodeTemplate,
  count: number,
  first: number,
  now: Date,
  after: NodeStart,
) {
  const accelerator = ctx.flavors.accelerator(template.flavor);
  const driverVersion = accelerator ? (owner.driverVersion[accelerator] ?? DEFAULT_DRIVER[accelerator]) : undefined;
  const nodes: Omit<NewNode, 'privateIp'>[] = [];
  for (let i = 0; i < count; i += 1) {
    nodes.push({
      poolId: owner.poolId,
      projectId: owner.projectId,
      name: nodeName(owner),
      nodePool: template.nodePool,
      flavor: template.flavor,
      az: azFor(ctx, template, first + i),
      networkKey: owner.network ? networkKeyOf(owner.network.name) : `pool:${owner.poolName}`,
      phase: NODE_ENTRY,
      driverPhase: accelerator ? DRIVER_FOR[NODE_ENTRY] : null,
      labels: {
        ...template.labels,
        [NODE_POOL_LABEL]: nodePoolId(owner.poolName, template.nodePool),
        [NODE_POOL_NAME_LABEL]: template.nodePool,
        [INSTANCE_ID_LABEL]: randomUUID(),
        [RESOURCE_ID_LABEL]: `maos-node-${randomNameChars(10)}`,
        'os.modelarts.node/cluster': owner.poolName,
        'os.modelarts.node/ha.redundant.enabled': 'false',
        'os.modelarts/tenant.project.id': owner.projectId,
        ...(driverVersion ? { 'os.modelarts.node/driver.version': driverVersion } : {}),
      },
      annotations: {
        'os.modelarts/billing.mode': owner.billingMode === '1' ? '1' : '0',
        ...(template.tags?.length ? { [TAGS_ANNOTATION]: JSON.stringify(template.tags) } : {}),
      },
      spec: specOf(template),
      taints: (template.taints ?? []).map((t) => ({ ...t })),
      createdAt: now,
      deletingAt: null,
      dueAt: ctx.lifecycle.dueAfter([after, 'nodeCreate'], now),
    });
  }
  return nodes;
}

/** The pool step a new node comes up after: its creation, or a scale-out. */
export type NodeStart = 'poolCreate' | 'poolScale';

/** Tries before a node that keeps colliding (a full network) is given up on. */
const ATTEMPTS = 5;

/**
 * Creates `count` nodes of a node pool in the pool's transaction and returns
 * them: unique names in the pool, unique private IPs in the network, in Creating.
 * `first` is the index of the first new node in its node pool (for the AZ spread).
 * Throws when the network has no free address left.
 */
export async function createNodes(
  ctx: AppContext,
  tx: Executor,
  owner: NodeOwner,
  template: NodeTemplate,
  count: number,
  first: number,
  after: NodeStart,
): Promise<NodeRecord[]> {
  const now = ctx.clock.now();
  const cidr = owner.network?.cidr ?? OWN_RANGE;
  const hosts = hostRange(cidr);
  let wanted = newNodes(ctx, owner, template, count, first, now, after);
  const created: NodeRecord[] = [];
  for (let attempt = 0; attempt < ATTEMPTS && wanted.length > 0; attempt += 1) {
    // Outside the transaction (Database.outside): the cursor only proposes addresses,
    // the unique index decides, so an offset a failed transaction took is a gap, and
    // no other pool's creation on the network waits for this one's commit.
    const start = await takeIpOffsets(ctx.database.outside(tx), wanted[0].networkKey, wanted.length);
    const planned = wanted.map((node, i) => ({ ...node, privateIp: ipv4(hosts.first + ((start + i) % hosts.size)) }));
    const stored = await insertNodes(tx, planned);
    created.push(...stored);
    const done = new Set(stored.map((n) => n.name));
    // A collision of a name or an IP: the same node again, with a new name and the next IP.
    wanted = planned
      .filter((n) => !done.has(n.name))
      .map(({ privateIp: _ip, ...n }) => ({ ...n, name: nodeName(owner) }));
  }
  if (wanted.length > 0) throw new NetworkFull(cidr);
  return created;
}

/** What a seed file gives of a node; what it leaves out is generated as createNodes does. */
export interface NodeShape {
  name: string;
  privateIp: string;
  az?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  taints?: readonly Taint[];
}

/**
 * Creates nodes of a node pool with the names and IPs given (and the AZ, labels,
 * annotations and taints, over the generated ones), in Creating; returns them.
 * Throws NodeTaken for the first whose name (in the pool) or IP (in the network)
 * is taken: the caller checked for that, so it is a bug or a race.
 */
export async function placeNodes(
  ctx: AppContext,
  tx: Executor,
  owner: NodeOwner,
  template: NodeTemplate,
  shapes: readonly NodeShape[],
  first: number,
): Promise<NodeRecord[]> {
  const generated = newNodes(ctx, owner, template, shapes.length, first, ctx.clock.now(), 'poolCreate');
  const planned = generated.map((node, i) => {
    const shape = shapes[i];
    return {
      ...node,
      name: shape.name,
      privateIp: shape.privateIp,
      az: shape.az ?? node.az,
      labels: { ...node.labels, ...shape.labels },
      annotations: { ...node.annotations, ...shape.annotations },
      taints: shape.taints ? shape.taints.map((t) => ({ ...t })) : node.taints,
    };
  });
  const stored = await insertNodes(tx, planned);
  const done = new Set(stored.map((n) => n.name));
  const missing = planned.find((n) => !done.has(n.name));
  if (missing) throw new NodeTaken(missing.name, missing.privateIp);
  return stored;
}

/** A node could not be placed: its name or its IP is taken. */
export class NodeTaken extends Error {
  constructor(
    readonly nodeName: string,
    readonly privateIp: string,
  ) {
    super(`node ${nodeName} (${privateIp}): its name is taken in the pool or its IP in the network`);
  }
}

/** The network has no free IP for a new node. */
export class NetworkFull extends Error {
  constructor(readonly cidr: string) {
    super(`network ${cidr} has no free IP address left`);
  }
}
