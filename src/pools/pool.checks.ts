import type { AppContext } from '../context.js';
import { badRequest } from '../errors.js';
import {
  checkDescription,
  DEFAULT_WORKSPACE,
  DESCRIPTION_ANNOTATION,
  NAME_LABEL,
  WORKSPACE_LABEL,
} from '../shared/conventions.js';
import { flattenPatchPaths } from '../shared/merge-patch.js';
import { NODE_POOL_NAME, POOL_DISPLAY_NAME } from '../shared/names.js';
import { SIMULATE_LABEL, SIMULATIONS } from './pool.faults.js';
import type { CreatePoolBody, PatchPoolBody, PoolResource, PoolSpec } from './pool.schema.js';
import { nodePoolOf } from './pool.nodes.js';
import { defaultNodePool } from '../nodes/node.plan.js';

// The console's rules on what a client sends (pools.md §3 and §6), checked before anything is read or written.

/** Labels only the server writes (pools.md §3.6); a client's values are replaced. */
export const SERVER_LABELS = [
  'os.modelarts/resource.id',
  'os.modelarts/tenant.project.id',
  'os.modelarts/tenant.domain.id',
  'os.modelarts.pool/biz',
  'os.modelarts/create-from',
  // The pool's latest order (src/orders/): set by the server on every asynchronous change.
  'os.modelarts/order.name',
];

const MAX_TAGS = 20;
const PERIOD_TYPES = ['2', '3', 'month', 'year'];

export function checkDisplayName(displayName: string): void {
  if (!POOL_DISPLAY_NAME.test(displayName)) {
    throw badRequest(
      `metadata.labels.${NAME_LABEL}: 4 to 30 characters, lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit`,
    );
  }
}

/** A default node pool's suffix (D-NP3): only the server names a node pool so. */
const DEFAULT_SUFFIX = '-default';

/**
 * HW's rule for node-pool names (nodepools-nodes-jobs.md §4): 2–50 characters of
 * [a-z0-9-], starting with a letter, not ending with `-`; a name ending in
 * `-default` is only the flavor's own default (`flavor` absent: a user-created
 * node pool, which may never end so).
 */
export function checkNodePoolName(name: string, where: string, flavor?: string): void {
  if (!NODE_POOL_NAME.test(name)) {
    throw badRequest(
      `${where}: 2 to 50 characters, lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    );
  }
  if (name.endsWith(DEFAULT_SUFFIX) && (flavor === undefined || name !== defaultNodePool(flavor))) {
    throw badRequest(`${where}: a name ending in ${DEFAULT_SUFFIX} is reserved for a flavor's default node pool`);
  }
}

/** Console rules on spec.resources (pools.md §3.3 and §6.1), returning the list with defaults filled. */
export function checkResources(
  ctx: AppContext,
  type: PoolSpec['type'],
  resources: readonly PoolResource[],
): PoolResource[] {
  if (resources.length === 0) throw badRequest('spec.resources: a pool needs at least one flavor');
  const seen = new Set<string>();
  const arches = new Set<string>();
  let tags = 0;
  const checked = resources.map((resource, i) => {
    const where = `spec.resources[${i}]`;
    if (!ctx.flavors.has(resource.flavor)) {
      throw badRequest(
        `${where}.flavor: unknown flavor ${resource.flavor}; GET /v1/{project_id}/resourceflavors lists them`,
      );
    }
    // A flavor may form several node pools; a node pool is one entry (nodepools-nodes-jobs.md §4).
    const nodePool = nodePoolOf(resource);
    checkNodePoolName(nodePool, `${where}.nodePool`, resource.flavor);
    if (seen.has(nodePool)) throw badRequest(`${where}.nodePool: node pool ${nodePool} is listed twice`);
    seen.add(nodePool);
    arches.add(ctx.flavors.cpuArch(resource.flavor) ?? '');
    // Decision 10: a pool larger than the installation's whole capacity would wait
    // forever and, first come first served, hold up every later pool of the flavor.
    const capacity = ctx.flavors.capacity(resource.flavor);
    if (capacity !== undefined && resource.count > capacity) {
      throw badRequest(
        `${where}.count: flavor ${resource.flavor} has a capacity of ${capacity} nodes in this installation`,
      );
    }
    const maxCount = resource.maxCount ?? resource.count;
    if (maxCount < resource.count) throw badRequest(`${where}.maxCount: must not be below count (${resource.count})`);
    if (type === 'Dedicate' && maxCount > resource.count) {
      throw badRequest(`${where}.maxCount: must equal count for a Dedicate pool`);
    }
    if (resource.azs) {
      const sum = resource.azs.reduce((n, az) => n + az.count, 0);
      if (sum !== resource.count)
        throw badRequest(`${where}.azs: counts add up to ${sum}, not to count ${resource.count}`);
    }
    for (const tag of resource.tags ?? []) {
      if (tag.key.startsWith('CCE-') || tag.key.startsWith('__type_baremetal')) {
        throw badRequest(`${where}.tags: key ${tag.key} is reserved`);
      }
    }
    tags += resource.tags?.length ?? 0;
    return { ...resource, maxCount };
  });
  if (arches.size > 1) throw badRequest('spec.resources: all flavors of a pool must have the same CPU architecture');
  // The same for the node pools of one flavor together: their nodes could never all exist.
  const perFlavor = new Map<string, number>();
  for (const r of checked) perFlavor.set(r.flavor, (perFlavor.get(r.flavor) ?? 0) + r.count);
  for (const [flavor, count] of perFlavor) {
    const capacity = ctx.flavors.capacity(flavor);
    if (capacity !== undefined && count > capacity) {
      throw badRequest(
        `spec.resources: the node pools of flavor ${flavor} ask for ${count} nodes; it has a capacity of ${capacity} nodes in this installation`,
      );
    }
  }
  if (tags > MAX_TAGS) throw badRequest(`spec.resources: at most ${MAX_TAGS} tags per pool`);
  return checked;
}

export function checkAnnotations(annotations: Record<string, string>): void {
  checkDescription(annotations[DESCRIPTION_ANNOTATION]);
  if (annotations['os.modelarts/billing.mode'] === '1') {
    if (!annotations['os.modelarts/period.num'] || !annotations['os.modelarts/period.type']) {
      throw badRequest(
        'metadata.annotations: billing.mode 1 needs os.modelarts/period.num and os.modelarts/period.type',
      );
    }
  }
  const periodType = annotations['os.modelarts/period.type'];
  if (periodType !== undefined && !PERIOD_TYPES.includes(periodType)) {
    throw badRequest(`metadata.annotations.os.modelarts/period.type: one of ${PERIOD_TYPES.join(', ')}`);
  }
}

export function checkSimulation(labels: Record<string, string>): void {
  const value = labels[SIMULATE_LABEL];
  if (value !== undefined && !(SIMULATIONS as readonly string[]).includes(value)) {
    throw badRequest(`metadata.labels.${SIMULATE_LABEL}: one of ${SIMULATIONS.join(', ')}`);
  }
}

const sameSplit = (a: readonly { az: string; count: number }[], b: readonly { az: string; count: number }[]) =>
  a.length === b.length && a.every((x) => b.some((y) => y.az === x.az && y.count === x.count));

/**
 * An AZ split spread again over the same zones to add up to `count`: nodes added go one at a time to
 * the zone with the fewest, nodes removed come one at a time from the zone with the most; a zone
 * left with none is dropped.
 */
function respread(azs: readonly { az: string; count: number }[], count: number): { az: string; count: number }[] {
  const split = azs.map((z) => ({ ...z }));
  let sum = split.reduce((n, z) => n + z.count, 0);
  while (sum < count) {
    split.reduce((min, z) => (z.count < min.count ? z : min)).count += 1;
    sum += 1;
  }
  while (sum > count) {
    split.reduce((max, z) => (z.count > max.count ? z : max)).count -= 1;
    sum -= 1;
  }
  return split.filter((z) => z.count > 0);
}

/**
 * Decision 20 (orders-billing-terraform.md §3.2): the Terraform provider rebuilds every resource of a
 * PATCH from its configuration and, for what is not configured, from its last read, so a new `count`
 * arrives next to the old `maxCount` and the old `azs`. Where an entry's count changed and its
 * maxCount or azs are exactly what the pool had, they are taken as echoes and brought in line — a
 * Dedicate pool's maxCount becomes the count, a Logical pool's is raised to it, the split is spread
 * again — instead of being refused. Values that differ from the pool's are the client's own and meet
 * the usual checks. Counts are left as sent.
 */
export function normaliseEchoes(
  type: PoolSpec['type'],
  before: readonly PoolResource[],
  after: readonly PoolResource[],
): PoolResource[] {
  return after.map((resource) => {
    // One entry per node pool (nodepools-nodes-jobs.md §4): a flavor may have several.
    const was = before.find((r) => r.flavor === resource.flavor && nodePoolOf(r) === nodePoolOf(resource));
    if (!was || was.count === resource.count) return resource;
    const normalised = { ...resource };
    if (resource.maxCount !== undefined && resource.maxCount === was.maxCount) {
      normalised.maxCount = type === 'Dedicate' ? resource.count : Math.max(resource.maxCount, resource.count);
    }
    if (resource.azs && was.azs && sameSplit(resource.azs, was.azs)) {
      normalised.azs = respread(resource.azs, resource.count);
    }
    return normalised;
  });
}

/** The patch path that moves a pool to another workspace: it must come alone. */
export const WORKSPACE_PATH = `metadata.labels.${WORKSPACE_LABEL}`;

const PATCHABLE_PATHS = [
  WORKSPACE_PATH,
  'metadata.labels.os.modelarts/sharing',
  `metadata.annotations.${DESCRIPTION_ANNOTATION}`,
  'metadata.annotations.os.modelarts/scheduler.extension',
  'metadata.annotations.os.modelarts/order.id',
  // Billing terms (orders-billing-terraform.md §2, §3.2): checked by pool.orders.ts checkBillingChange.
  'metadata.annotations.os.modelarts/billing.mode',
  'metadata.annotations.os.modelarts/period.type',
  'metadata.annotations.os.modelarts/period.num',
  'metadata.annotations.os.modelarts/auto.renew',
  'metadata.annotations.os.modelarts/auto.pay',
  'spec.scope',
  'spec.resources',
  'spec.driver',
  'spec.jobFlavors',
];

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

export function checkPatchPaths(patch: PatchPoolBody): string[] {
  const touched: string[] = [];
  for (const raw of flattenPatchPaths(patch)) {
    const path = raw.length > 2 ? [raw[0], raw[1], raw.slice(2).join('.')] : raw;
    const dotted = path.join('.');
    // `{"metadata": {}}` (what the Terraform provider sends when it has no annotation to set) merges
    // nothing into an object that is always there: it touches nothing.
    const value = raw.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], patch);
    if (isEmptyObject(value) && PATCHABLE_PATHS.some((p) => p.startsWith(`${dotted}.`))) continue;
    const allowed = PATCHABLE_PATHS.find((p) => dotted === p || dotted.startsWith(`${p}.`));
    if (!allowed) throw badRequest(`${dotted || 'body'}: this field cannot be changed by PATCH`);
    touched.push(allowed);
  }
  return touched;
}

/** Pools.md §6.4: console rule — one request scales out or in, never both. */
export function checkScaleDirection(before: PoolSpec, after: PoolSpec): void {
  // Per node pool: each spec.resources entry is one (nodepools-nodes-jobs.md §4).
  const old = new Map(before.resources.map((r) => [nodePoolOf(r), r.count]));
  let up = false;
  let down = false;
  for (const r of after.resources) {
    const was = old.get(nodePoolOf(r)) ?? 0;
    if (r.count > was) up = true;
    if (r.count < was) down = true;
  }
  for (const [nodePool] of old) if (!after.resources.some((r) => nodePoolOf(r) === nodePool)) down = true;
  if (up && down) throw badRequest('spec.resources: scale out and scale in in separate requests');
}

/** What a create asks for, checked, with the server's labels and defaults filled in. */
export function plannedPool(ctx: AppContext, body: CreatePoolBody) {
  const labels: Record<string, string> = { ...body.metadata.labels };
  const displayName = labels[NAME_LABEL];
  checkDisplayName(displayName);
  checkSimulation(labels);
  const annotations = { ...(body.metadata.annotations ?? {}) };
  checkAnnotations(annotations);
  const spec: PoolSpec = { ...body.spec, resources: checkResources(ctx, body.spec.type, body.spec.resources) };
  if (spec.clusters === null) delete spec.clusters;
  if (spec.userLogin) {
    const { password: _secret, ...kept } = spec.userLogin;
    if (Object.keys(kept).length > 0) spec.userLogin = kept;
    else delete spec.userLogin;
  }
  if (spec.containerNetwork || spec.containernetwork) {
    // pools.md D6: clients read either spelling, so both are kept in step.
    spec.containerNetwork = spec.containernetwork = spec.containerNetwork ?? spec.containernetwork;
  }
  const workspaceId = labels[WORKSPACE_LABEL] ?? DEFAULT_WORKSPACE;
  labels[WORKSPACE_LABEL] = workspaceId;
  for (const key of SERVER_LABELS) delete labels[key];
  return { labels, displayName, annotations, spec, workspaceId };
}
