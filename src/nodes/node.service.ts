import type { AppContext } from '../context.js';
import { AtelierError, badRequest } from '../errors.js';
import { requireProject } from '../projects/project.service.js';
import { findPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import type { Executor } from '../db/database.js';
import { NODE_PAGE_MAX } from './node.lifecycle.js';
import type { Node, NodeList, NodeListQuery } from './node.schema.js';
import { findNode, selectNodePage, selectTallies } from './node.store.js';
import { toNode } from './node.view.js';
import { usedOnNodes } from '../workloads/workload.nodes.js';

/** The node reads of the API (nodepools-nodes-jobs.md §2.1); the batch actions are in node.actions.ts. */

/** The pool of the project, or the pool's 404: a pool of another project is not found either. */
export async function requireNodePool(
  ctx: AppContext,
  projectId: string,
  name: string,
  tx: Executor = ctx.database.db,
): Promise<PoolRecord> {
  const pool = await findPool(tx, projectId, name);
  if (!pool) throw new AtelierError('poolNotFound', { name });
  return pool;
}

/**
 * A `continue` token: the name of the last node handed out, and how many nodes
 * the pages so far held (for remainingItemCount). Paging is by name over the
 * (pool_id, name) index, so a node added or removed meanwhile neither repeats
 * nor hides another; the token stays good after the node it names is gone.
 */
interface PageToken {
  after: string;
  seen: number;
}

const encodeToken = (token: PageToken): string => Buffer.from(JSON.stringify(token)).toString('base64url');

function decodeToken(text: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<PageToken>;
    if (typeof token.after === 'string' && token.after.length > 0 && Number.isSafeInteger(token.seen)) {
      return { after: token.after, seen: Math.max(0, token.seen as number) };
    }
  } catch {
    // Falls through to the refusal.
  }
  throw badRequest('continue: not a token from a previous page of this list');
}

/**
 * ListPoolNodes (decision 27): without `limit` every node in one page (what the
 * Terraform provider reads); with one, at most `limit` nodes (0 means the
 * default, 500) and a `continue` token while more follow. remainingItemCount
 * is the pool's node count (node_counts) less the nodes handed out so far: an
 * estimate while nodes come and go, as in Kubernetes, never a count of rows.
 */
export async function listPoolNodes(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  query: NodeListQuery,
): Promise<NodeList> {
  await requireProject(ctx, projectId);
  const token = query.continue ? decodeToken(query.continue) : undefined;
  return pageOfNodes(ctx, await requireNodePool(ctx, projectId, poolName), query, undefined, token);
}

/**
 * A page of the pool's nodes, or of one node pool's (ListNodePoolNodes pages the
 * same way, with the same tokens), after the node the token names.
 */
export async function pageOfNodes(
  ctx: AppContext,
  pool: PoolRecord,
  query: NodeListQuery,
  nodePool?: string,
  token: PageToken | undefined = query.continue ? decodeToken(query.continue) : undefined,
): Promise<NodeList> {
  const db = ctx.database.db;
  const used = await usedOnNodes(db, pool.id);
  if (query.limit === undefined) {
    const nodes = await selectNodePage(db, pool.id, { afterName: token?.after, nodePool });
    return {
      apiVersion: 'v2',
      kind: 'NodeList',
      metadata: {},
      items: nodes.map((n) => toNode(ctx, n, used.get(n.name))),
    };
  }
  const limit = query.limit === 0 ? NODE_PAGE_MAX : query.limit;
  const rows = await selectNodePage(db, pool.id, { afterName: token?.after, limit: limit + 1, nodePool });
  const page = rows.slice(0, limit);
  const items = page.map((n) => toNode(ctx, n, used.get(n.name)));
  if (rows.length <= limit) return { apiVersion: 'v2', kind: 'NodeList', metadata: {}, items };
  const seen = (token?.seen ?? 0) + page.length;
  const total = (await selectTallies(db, [pool.id]))
    .filter((t) => nodePool === undefined || t.nodePool === nodePool)
    .reduce((n, t) => n + t.count, 0);
  return {
    apiVersion: 'v2',
    kind: 'NodeList',
    metadata: {
      continue: encodeToken({ after: page[page.length - 1].name, seen }),
      // At least the one row read beyond the page remains.
      remainingItemCount: Math.max(1, total - seen),
    },
    items,
  };
}

export async function showPoolNode(ctx: AppContext, projectId: string, poolName: string, name: string): Promise<Node> {
  await requireProject(ctx, projectId);
  const pool = await requireNodePool(ctx, projectId, poolName);
  const node = await findNode(ctx.database.db, pool.id, name);
  if (!node) throw new AtelierError('nodeNotFound', { name });
  return toNode(ctx, node, (await usedOnNodes(ctx.database.db, pool.id)).get(node.name));
}
