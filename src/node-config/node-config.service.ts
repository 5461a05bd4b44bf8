import type { AppContext } from '../context.js';
import { AtelierError } from '../errors.js';
import { findPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import { requireProject } from '../projects/project.service.js';
import { BUILTIN_NODE_CONFIG_TEMPLATES } from './builtin-templates.js';
import { NODE_CONFIG_PHASE_OF_POOL } from './node-config.lifecycle.js';
import type {
  NodeConfigTemplate,
  NodeConfigTemplateSpec,
  PoolNodeConfig,
  PoolNodeConfigTemplate,
} from './node-config.schema.js';

/**
 * Node configuration (nodepools-nodes-jobs.md §5), read from what the pool and the
 * flavor catalogue already hold: nothing here is stored.
 */

function templateSpec(name: string): NodeConfigTemplateSpec | undefined {
  return Object.hasOwn(BUILTIN_NODE_CONFIG_TEMPLATES, name) ? BUILTIN_NODE_CONFIG_TEMPLATES[name] : undefined;
}

async function requirePool(ctx: AppContext, projectId: string, name: string): Promise<PoolRecord> {
  await requireProject(ctx, projectId);
  const pool = await findPool(ctx.database.db, projectId, name);
  if (!pool) throw new AtelierError('poolNotFound', { name });
  return pool;
}

export async function showNodeConfigTemplate(
  ctx: AppContext,
  projectId: string,
  name: string,
): Promise<NodeConfigTemplate> {
  await requireProject(ctx, projectId);
  const spec = templateSpec(name);
  if (!spec) throw new AtelierError('nodeConfigTemplateNotFound', { name });
  return { apiVersion: 'v1', kind: 'NodeConfigTemplate', metadata: { name }, spec };
}

/** The pool's node configuration: no setting beyond the templates yet, in a phase that follows the pool's. */
export async function showPoolNodeConfig(
  ctx: AppContext,
  projectId: string,
  poolName: string,
): Promise<PoolNodeConfig> {
  const pool = await requirePool(ctx, projectId, poolName);
  return {
    apiVersion: 'v2',
    kind: 'NodeConfig',
    metadata: { name: pool.name },
    spec: { configs: {} },
    status: { phase: NODE_CONFIG_PHASE_OF_POOL[pool.phase] },
  };
}

/** The templates the pool's flavors are built from, one entry per template, in the order of spec.resources. */
export async function showPoolNodeConfigTemplate(
  ctx: AppContext,
  projectId: string,
  poolName: string,
): Promise<PoolNodeConfigTemplate> {
  const pool = await requirePool(ctx, projectId, poolName);
  const flavorsOf = new Map<string, string[]>();
  for (const { flavor } of pool.spec.resources) {
    // A flavor since removed from the catalogue keeps no template to report.
    const template = ctx.flavors.nodeConfigTemplate(flavor);
    if (template === undefined) continue;
    const flavors = flavorsOf.get(template) ?? [];
    if (!flavors.includes(flavor)) flavors.push(flavor);
    flavorsOf.set(template, flavors);
  }
  const templates = [...flavorsOf].flatMap(([name, flavors]) => {
    const spec = templateSpec(name);
    return spec ? [{ configs: { name, flavors, ...spec } }] : [];
  });
  return { apiVersion: 'v2', kind: 'NodeConfigTemplate', metadata: { name: pool.name }, spec: { templates } };
}
