import type { AppContext } from '../context.js';
import { WriteConflict } from '../db/database.js';
import { badRequest } from '../errors.js';
import { billingOf, orderNameFor, ORDER_NAME_LABEL, placeOrder } from '../orders/order.reads.js';
import { admitWaitingPools, capacityShortfall, queuedFlavors } from '../pools/pool.capacity.js';
import { POOL_SCALABLE } from '../pools/pool.lifecycle.js';
import { movePool, rollUpEvent } from '../pools/pool.move.js';
import { heldNodes, nodePoolOf, poolTallies } from '../pools/pool.nodes.js';
import type { PoolRecord } from '../pools/pool.record.js';
import type { PoolResource, PoolSpec } from '../pools/pool.schema.js';
import { checkUnique, inPool, isLocked, requireNodes, specWithout } from './node.actions.js';
import { DRIVER_FOR } from './node.lifecycle.js';
import { resizeNodes } from './node.move.js';
import { defaultNodePool, NODE_POOL_LABEL, NODE_POOL_NAME_LABEL, nodePoolId } from './node.plan.js';
import type { NodeRecord } from './node.record.js';
import type { BatchResizeAnswer, BatchResizeBody } from './node.schema.js';

/**
 * batch-resize (nodepools-nodes-jobs.md §2.2–2.3): the Available nodes named in
 * `nodes[].deleteNodeNames`, all of `source.flavor` and one node pool, change to
 * `target.flavor` under the target's node pool, in one transaction with a
 * `resizeNodes` order (decision 16): the nodes move Checking with their new
 * flavor, both flavors' counts and capacity follow at once, the pool's spec
 * entry of the old flavor shrinks and the one of the new flavor grows, and the
 * roll-up event follows. The engine brings the nodes back Available; the order's
 * `resizeNode` items then succeed (src/orders/order.steps.ts). Super-node
 * batches named only by `batchUID` are not modelled: a 400.
 */

/** The names the request resizes, checked for shape; throws the refusal. */
function namesOf(body: BatchResizeBody): string[] {
  const bare = body.nodes.filter((n) => !n.deleteNodeNames || n.deleteNodeNames.length === 0);
  if (bare.length > 0) {
    throw badRequest('nodes: each entry must name its nodes in deleteNodeNames; super-node batches are not modelled');
  }
  const names = body.nodes.flatMap((n) => n.deleteNodeNames ?? []);
  checkUnique(names, 'nodes[].deleteNodeNames');
  return names;
}

/** The checks of the flavors and the nodes; returns the target flavor. */
function checkResize(ctx: AppContext, pool: PoolRecord, nodes: readonly NodeRecord[], body: BatchResizeBody): string {
  const flavor = body.target.flavor;
  if (flavor === undefined) throw badRequest('target.flavor: the flavor the nodes change to is required');
  if (!ctx.flavors.has(flavor)) throw badRequest(`target.flavor: unknown flavor ${flavor}`);
  const wrong = nodes.filter((n) => n.phase !== 'Available').map((n) => `${n.name} (${n.phase})`);
  if (wrong.length > 0) throw badRequest(`nodes: only Available nodes are resized: ${wrong.join(', ')}`);
  const locked = nodes.filter(isLocked).map((n) => n.name);
  if (locked.length > 0) throw badRequest(`nodes: locked nodes are not resized: ${locked.join(', ')}`);
  const from = new Set(nodes.map((n) => `${n.flavor}|${n.nodePool}`));
  if (from.size > 1) throw badRequest('nodes: the nodes of one resize share one flavor and node pool');
  const [first] = nodes;
  if (body.source.flavor !== undefined && body.source.flavor !== first.flavor) {
    throw badRequest(`source.flavor: ${first.name} is ${first.flavor}, not ${body.source.flavor}`);
  }
  if (body.source.nodePool !== undefined && body.source.nodePool !== first.nodePool) {
    throw badRequest(`source.nodePool: ${first.name} is in node pool ${first.nodePool}, not ${body.source.nodePool}`);
  }
  if (flavor === first.flavor) throw badRequest(`target.flavor: the nodes are ${flavor} already`);
  if (ctx.flavors.accelerator(flavor) !== ctx.flavors.accelerator(first.flavor)) {
    throw badRequest(`target.flavor: ${flavor} has another kind of accelerator than ${first.flavor}`);
  }
  if (!pool.spec.resources.some((r) => r.flavor === first.flavor && nodePoolOf(r) === first.nodePool)) {
    throw badRequest(`nodes: pool ${pool.name} has no spec entry for node pool ${first.nodePool}`);
  }
  return flavor;
}

/** The spec with the nodes out of their entry and into the target's (made from the old entry if new). */
function specResized(spec: PoolSpec, nodes: readonly NodeRecord[], flavor: string, nodePool: string): PoolSpec {
  const source = spec.resources.find((r) => r.flavor === nodes[0].flavor && nodePoolOf(r) === nodes[0].nodePool);
  const without = specWithout(spec, nodes);
  const resources = without.resources.map((r) => ({ ...r }));
  const entry = resources.find((r) => r.flavor === flavor && nodePoolOf(r) === nodePool);
  if (entry) {
    entry.count += nodes.length;
    entry.maxCount = Math.max(entry.maxCount ?? 0, entry.count);
    delete entry.azs;
    return { ...without, resources };
  }
  const { azs: _azs, maxCount: _max, nodePool: _np, ...template } = source as PoolResource;
  const fresh: PoolResource = { ...template, flavor, count: nodes.length };
  if (nodePool !== defaultNodePool(flavor)) fresh.nodePool = nodePool;
  return { ...without, resources: [...resources, fresh] };
}

export async function batchResizeNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: BatchResizeBody,
): Promise<BatchResizeAnswer> {
  const names = namesOf(body);
  return inPool(ctx, projectId, poolName, async (tx, pool) => {
    if (!POOL_SCALABLE.has(pool.phase)) throw badRequest(`pool ${poolName} is ${pool.phase}, not Running`);
    const nodes = await requireNodes(tx, pool, names, 'nodes[].deleteNodeNames');
    const flavor = checkResize(ctx, pool, nodes, body);
    const nodePool = body.target.nodePool || defaultNodePool(flavor);
    // A node pool has one flavor (D-NP3).
    const taken = pool.spec.resources.find((r) => nodePoolOf(r) === nodePool && r.flavor !== flavor);
    if (taken) throw badRequest(`target.nodePool: node pool ${nodePool} is of flavor ${taken.flavor}`);
    const before = await poolTallies(tx, pool.id);
    const held = heldNodes(before);
    const shortfall = await capacityShortfall(
      ctx,
      tx,
      new Map([[flavor, (held.get(flavor) ?? 0) + nodes.length]]),
      held,
      // A resize may not overtake pools and scale-outs queued for the flavor.
      ctx.flavors.capacity(flavor) === undefined ? new Set() : await queuedFlavors(ctx, tx),
    );
    if (shortfall) throw badRequest(`target.flavor: ${shortfall}`);
    const orderName = orderNameFor(pool.name, 'resizeNodes');
    const moved = await resizeNodes(tx, nodes, {
      flavor,
      nodePool,
      changes: (n) => ({
        labels: { ...n.labels, [NODE_POOL_LABEL]: nodePoolId(pool.name, nodePool), [NODE_POOL_NAME_LABEL]: nodePool },
        spec: { ...n.spec, flavor },
        driverPhase: n.driverPhase === null ? null : DRIVER_FOR.Checking,
        dueAt: ctx.lifecycle.dueAfter(['nodeReset'], ctx.clock.now()),
      }),
    });
    if (moved.length !== nodes.length) throw new WriteConflict(poolName);
    const updated = await movePool(ctx, tx, pool, pool.phase, {
      spec: specResized(pool.spec, nodes, flavor, nodePool),
      labels: { ...pool.labels, [ORDER_NAME_LABEL]: orderName },
    });
    if (!updated) throw new WriteConflict(poolName);
    await placeOrder(ctx, tx, {
      orderName,
      kind: 'resizeNodes',
      pool: updated,
      billing: billingOf(pool.annotations),
      paid: true,
      items: nodes.map((n) => ({ resourceName: n.name, action: 'resizeNode' as const, flavor })),
    });
    await rollUpEvent(ctx, tx, updated, before);
    // The nodes left their old flavor at once: who queued for it may start.
    await admitWaitingPools(ctx, tx);
    return { orderName };
  });
}
