import type { AppContext } from '../context.js';
import { after, isForeignKeyViolation, isUniqueViolation, type Executor } from '../db/database.js';
import { MANUAL_DUE } from '../engine/lifecycle-policy.js';
import { AtelierError, badRequest } from '../errors.js';
import { findPool } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import { requireProject } from '../projects/project.service.js';
import { PluginTemplateCatalogue } from './plugin-template.catalogue.js';
import type {
  Accelerator,
  ListPluginTemplatesQuery,
  PluginTemplate,
  PluginTemplateEntry,
  PluginTemplateList,
} from './plugin-template.schema.js';
import { toPluginTemplate, toPluginTemplateV2 } from './plugin-template.view.js';
import { PLUGIN_ENTRY, POOL_PHASE_FOR_INSTALL } from './plugin.lifecycle.js';
import type { PluginRecord } from './plugin.record.js';
import type { CreatePluginBody, Plugin, PluginList } from './plugin.schema.js';
import { nextLook } from './plugin.steps.js';
import { insertPlugin, selectPoolPlugins } from './plugin.store.js';
import { toPlugin } from './plugin.view.js';

/**
 * Plug-in templates and the plug-ins of a pool (plugins-scheduled-events-misc.md
 * §1, §2; config-events-flavors §7). A create records intent; the engine
 * installs (plugin.steps.ts).
 */

function requireTemplate(ctx: AppContext, name: string): PluginTemplateEntry {
  const template = ctx.pluginTemplates.find(name);
  if (!template) throw new AtelierError('pluginTemplateNotFound', { name });
  return template;
}

async function requirePool(ctx: AppContext, projectId: string, name: string, tx?: Executor): Promise<PoolRecord> {
  const pool = await findPool(tx ?? ctx.database.db, projectId, name);
  if (!pool) throw new AtelierError('poolNotFound', { name });
  return pool;
}

/** The accelerators a pool's flavors have (src/flavors/: `spec.gpu`, `spec.npu`). */
function acceleratorsOf(ctx: AppContext, pool: Pick<PoolRecord, 'spec'>): Set<Accelerator> {
  const found = new Set<Accelerator>();
  for (const resource of pool.spec.resources) {
    const accelerator = ctx.flavors.accelerator(resource.flavor);
    if (accelerator) found.add(accelerator);
  }
  return found;
}

/** `templateName` unknown → 404; `poolName` keeps the templates that pool may install. */
export async function listPluginTemplates(
  ctx: AppContext,
  projectId: string,
  query: ListPluginTemplatesQuery,
): Promise<PluginTemplateList> {
  await requireProject(ctx, projectId);
  let templates = query.templateName ? [requireTemplate(ctx, query.templateName)] : ctx.pluginTemplates.templates;
  if (query.poolName) {
    const accelerators = acceleratorsOf(ctx, await requirePool(ctx, projectId, query.poolName));
    templates = templates.filter((t) => PluginTemplateCatalogue.fits(t, accelerators));
  }
  return { apiVersion: 'v2', kind: 'PluginTemplateList', items: templates.map(toPluginTemplateV2) };
}

export async function showPluginTemplate(ctx: AppContext, projectId: string, name: string): Promise<PluginTemplate> {
  await requireProject(ctx, projectId);
  return toPluginTemplate(requireTemplate(ctx, name));
}

export async function listPoolPlugins(ctx: AppContext, projectId: string, poolName: string): Promise<PluginList> {
  await requireProject(ctx, projectId);
  const pool = await requirePool(ctx, projectId, poolName);
  const plugins = await selectPoolPlugins(ctx.database.db, pool.id);
  return { apiVersion: 'v2', kind: 'PluginList', items: plugins.map(toPlugin) };
}

/** The version an install gets: the one asked for, which the template must have, or its newest. */
function versionOf(template: PluginTemplateEntry, asked: string | undefined): string {
  if (asked === undefined) return template.versions[0].version;
  if (!template.versions.some((v) => v.version === asked)) {
    const known = template.versions.map((v) => v.version).join(', ');
    throw badRequest(`spec.template.version: ${template.name} has no version ${asked}; it has ${known}`);
  }
  return asked;
}

async function install(
  ctx: AppContext,
  tx: Executor,
  pool: Pick<PoolRecord, 'id' | 'projectId' | 'name'>,
  plugin: { name: string; version: string; inputs: Record<string, unknown>; dueAt: Date },
): Promise<PluginRecord> {
  return insertPlugin(tx, {
    projectId: pool.projectId,
    poolId: pool.id,
    poolName: pool.name,
    name: plugin.name,
    templateVersion: plugin.version,
    inputs: plugin.inputs,
    phase: PLUGIN_ENTRY,
    reason: null,
    installedVersion: null,
    createdAt: ctx.clock.now(),
    dueAt: plugin.dueAt,
  }).catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new AtelierError('pluginExists', { name: plugin.name, pool: pool.name });
    if (isForeignKeyViolation(error)) throw new AtelierError('poolNotFound', { name: pool.name });
    throw error;
  });
}

/**
 * Installs a plug-in on a Running pool. The instance is named after its template
 * (D-P2), so a second install of one template on a pool is a 409 (decision 29).
 */
export async function createPoolPlugin(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  body: CreatePluginBody,
): Promise<Plugin> {
  await requireProject(ctx, projectId);
  const template = requireTemplate(ctx, body.spec.template.name);
  const version = versionOf(template, body.spec.template.version);
  const plugin = await ctx.database.transaction(async (tx) => {
    const pool = await requirePool(ctx, projectId, poolName, tx);
    if (pool.phase !== POOL_PHASE_FOR_INSTALL) {
      throw badRequest(`pool ${poolName} is ${pool.phase}; plug-ins are installed on a Running pool`);
    }
    if (!PluginTemplateCatalogue.fits(template, acceleratorsOf(ctx, pool))) {
      throw badRequest(`spec.template.name: ${template.name} needs a pool with ${template.accelerator} nodes`);
    }
    if ((await selectPoolPlugins(tx, pool.id)).some((p) => p.name === template.name)) {
      throw new AtelierError('pluginExists', { name: template.name, pool: pool.name });
    }
    const dueAt = after(ctx.clock.now(), ctx.config.pluginInstallSeconds);
    return install(ctx, tx, pool, { name: template.name, version, inputs: body.spec.template.inputs ?? {}, dueAt });
  });
  ctx.wakeEngine();
  return toPlugin(plugin);
}

/** A driver's version from the pool's `spec.driver`, if the template has it; else the newest. */
function defaultVersion(template: PluginTemplateEntry, pool: Pick<PoolRecord, 'spec'>): string {
  const driver = pool.spec.driver;
  const asked =
    template.accelerator === 'gpu'
      ? driver?.gpuVersion
      : template.accelerator === 'npu'
        ? driver?.npuVersion
        : undefined;
  const known = asked !== undefined && template.versions.some((v) => v.version === asked);
  return known ? asked : template.versions[0].version;
}

/**
 * What createPool calls in its transaction: the plug-ins a new pool gets
 * (decision 29 — volcano always, the GPU or NPU driver by its flavors). They stay
 * Pending until the pool has nodes, then the engine installs them.
 */
export async function installDefaultPlugins(
  ctx: AppContext,
  tx: Executor,
  pool: Pick<PoolRecord, 'id' | 'projectId' | 'name' | 'spec' | 'dueAt'>,
): Promise<PluginRecord[]> {
  // First look when the pool's creation is due; a pool without a due time (waiting) or one
  // that only an emulator advance moves (manual timing) is looked at again and again.
  const now = ctx.clock.now();
  const poolDue = pool.dueAt && pool.dueAt < MANUAL_DUE ? pool.dueAt : undefined;
  const dueAt = poolDue ? after(poolDue, ctx.config.pluginInstallSeconds) : nextLook(ctx, now);
  const installed: PluginRecord[] = [];
  for (const template of ctx.pluginTemplates.defaultsFor(acceleratorsOf(ctx, pool))) {
    installed.push(
      await install(ctx, tx, pool, { name: template.name, version: defaultVersion(template, pool), inputs: {}, dueAt }),
    );
  }
  return installed;
}
