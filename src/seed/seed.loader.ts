import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';
import type { AppContext } from '../context.js';
import type { Executor } from '../db/database.js';
import { AtelierError } from '../errors.js';
import { DEFAULT_ACCOUNT } from '../identity/bootstrap.js';
import { findNetwork, findNetworkByDisplayName } from '../networks/network.reads.js';
import type { CreateNetworkBody } from '../networks/network.schema.js';
import { createNetwork } from '../networks/network.service.js';
import { advanceNetwork } from '../networks/network.steps.js';
import { movePool } from '../pools/pool.move.js';
import { findPool, findPoolByDisplayName } from '../pools/pool.reads.js';
import type { CreatePoolBody } from '../pools/pool.schema.js';
import { createPool } from '../pools/pool.service.js';
import { placeSeededNodes, settleSeededNodes } from '../pools/pool.seed-nodes.js';
import { failCreation, finishCreatingNow } from '../pools/pool.steps.js';
import { listProjects, setProjectQuotas } from '../projects/project.service.js';
import { DEFAULT_WORKSPACE, NAME_LABEL, WORKSPACE_LABEL } from '../shared/conventions.js';
import { submitWorkload } from '../workloads/workload.service.js';
import { checkSeed } from './seed.check.js';
import { SeedFile, type SeedNetwork, type SeedPool, type SeedProject } from './seed.schema.js';

/** Reads and checks a seed file; every problem is named with its path in the file. */
export function readSeedFile(file: string): SeedFile {
  let parsed: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    parsed = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read seed file ${file}: ${(error as Error).message}`);
  }
  const withDefaults = Value.Default(SeedFile, Value.Clone(parsed ?? {}));
  if (!Value.Check(SeedFile, withDefaults)) {
    const problems = [...Value.Errors(SeedFile, withDefaults)].slice(0, 10).map((e) => `${e.path || '/'} ${e.message}`);
    throw new Error(`Seed file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return withDefaults;
}

/** Loads ATELIER_SEED_FILE: see loadSeed. */
export async function loadSeedFile(ctx: AppContext, file: string): Promise<SeedSummary> {
  try {
    return await loadSeed(ctx, readSeedFile(file));
  } catch (error) {
    const detail = error instanceof AtelierError || error instanceof Error ? error.message : String(error);
    throw new Error(`Seed file ${file}: ${detail}`);
  }
}

export interface SeedSummary {
  projects: number;
  credentials: number;
  networks: number;
  pools: number;
}

/**
 * Creates what the seed names and is not there yet, through the same services an
 * API call uses (so quotas, counters, held nodes and events are right), then moves
 * each new resource to the phase the file asks for. Idempotent by display name:
 * a restart with the same file creates nothing twice and changes nothing existing.
 */
export async function loadSeed(ctx: AppContext, seed: SeedFile): Promise<SeedSummary> {
  // Every problem a file can have is found before anything is written.
  await checkSeed(ctx, seed);
  const summary: SeedSummary = { projects: 0, credentials: 0, networks: 0, pools: 0 };
  for (const project of seed.projects ?? []) {
    const projectId = await ensureProject(ctx, project, summary);
    if (project.quotas) await setProjectQuotas(ctx.database.db, projectId, project.quotas);
    for (const network of project.networks ?? []) await ensureNetwork(ctx, projectId, network, summary);
    for (const pool of project.pools ?? []) {
      const created = await ensurePool(ctx, projectId, pool, summary);
      // Workloads come with a pool the seed creates (a pool already there keeps its own).
      if (created === undefined) continue;
      for (const workload of pool.workloads ?? []) {
        await submitWorkload(ctx, { ...workload, project: projectId, pool: created });
      }
    }
  }
  for (const credential of seed.credentials ?? []) {
    const account = await ensureAccount(ctx, credential.account);
    const projects = await listProjects(ctx.database.db);
    const projectIds = credential.projects.map((ref) => {
      const found = projects.find((p) => p.id === ref) ?? projects.find((p) => p.name === ref);
      if (!found) throw new Error(`credential ${credential.accessKey}: no project ${ref}`);
      return found.id;
    });
    const matches =
      credential.secretKey === undefined
        ? undefined
        : await ctx.identity.credentialSecretMatches(credential.accessKey, credential.secretKey);
    const owner = await ctx.identity.credentialOwner(credential.accessKey);
    if (owner === undefined) {
      if (!credential.secretKey)
        throw new Error(`credential ${credential.accessKey} does not exist and has no secretKey`);
      await ctx.identity.createCredential(account, projectIds, {
        accessKey: credential.accessKey,
        secretKey: credential.secretKey,
        description: credential.description ?? 'seed data',
      });
      summary.credentials += 1;
    } else {
      if (matches === false && credential.secretKey)
        await ctx.identity.setCredentialSecret(credential.accessKey, credential.secretKey);
      await ctx.identity.grant('credential', credential.accessKey, owner, projectIds);
    }
  }
  ctx.projects.forget();
  ctx.wakeEngine();
  return summary;
}

async function ensureAccount(ctx: AppContext, name = DEFAULT_ACCOUNT): Promise<string> {
  return (await ctx.identity.ensureAccount(name)).id;
}

async function ensureProject(ctx: AppContext, project: SeedProject, summary: SeedSummary): Promise<string> {
  const accountId = await ensureAccount(ctx, project.account);
  const projects = await listProjects(ctx.database.db);
  const existing = project.id
    ? projects.find((p) => p.id === project.id)
    : projects.find((p) => p.name === project.name);
  if (existing && existing.account_id !== null) return existing.id;
  if (!project.id && !project.name) throw new Error('a project needs an id or a name');
  const created = await ctx.identity.createProject(accountId, { id: project.id, name: project.name });
  if (!existing) summary.projects += 1;
  return created.id;
}

async function ensureNetwork(
  ctx: AppContext,
  projectId: string,
  network: SeedNetwork,
  summary: SeedSummary,
): Promise<void> {
  const workspaceId = network.workspaceId ?? DEFAULT_WORKSPACE;
  if (await findNetworkByDisplayName(ctx.database.db, projectId, workspaceId, network.name)) return;
  const body: CreateNetworkBody = {
    apiVersion: 'v1',
    kind: 'Network',
    metadata: {
      labels: { ...network.labels, [NAME_LABEL]: network.name, [WORKSPACE_LABEL]: workspaceId },
      ...(network.annotations ? { annotations: network.annotations } : {}),
    },
    spec: {
      cidr: network.cidr,
      ...(network.ipv6enable !== undefined ? { ipv6enable: network.ipv6enable } : {}),
      ...(network.connection ? { connection: network.connection } : {}),
    },
  };
  const created = await createNetwork(ctx, projectId, body);
  summary.networks += 1;
  if (network.phase !== 'Active') return;
  await ctx.database.transaction(async (tx) => {
    await ctx.database.lockProject(tx, projectId);
    const row = await findNetwork(tx, projectId, created.metadata.name);
    if (row && !(await advanceNetwork(ctx, tx, row)))
      throw new Error(`network ${network.name} could not be made Active`);
  });
}

/** Creates the pool unless it is there; returns the metadata.name of a pool it created. */
async function ensurePool(
  ctx: AppContext,
  projectId: string,
  pool: SeedPool,
  summary: SeedSummary,
): Promise<string | undefined> {
  if (await findPoolByDisplayName(ctx.database.db, projectId, pool.name)) return undefined;
  let networkName: string | undefined;
  if (pool.network) {
    const workspaceId = pool.workspaceId ?? DEFAULT_WORKSPACE;
    const network =
      (await findNetworkByDisplayName(ctx.database.db, projectId, workspaceId, pool.network)) ??
      (await findNetworkByDisplayName(ctx.database.db, projectId, DEFAULT_WORKSPACE, pool.network)) ??
      (await findNetwork(ctx.database.db, projectId, pool.network));
    if (!network) throw new Error(`pool ${pool.name}: no network ${pool.network} in project ${projectId}`);
    networkName = network.name;
  }
  const body: CreatePoolBody = {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: {
      labels: {
        ...pool.labels,
        [NAME_LABEL]: pool.name,
        ...(pool.workspaceId ? { [WORKSPACE_LABEL]: pool.workspaceId } : {}),
      },
      ...(pool.annotations ? { annotations: pool.annotations } : {}),
    },
    spec: { ...pool.spec, ...(networkName ? { network: { name: networkName } } : {}) },
  };
  const created = await createPool(ctx, projectId, body);
  summary.pools += 1;
  if (pool.phase === 'Creating') return created.metadata.name;
  if (created.status.phase !== 'Creating') {
    throw new Error(
      `pool ${pool.name}: its nodes are not free (${created.status.message ?? created.status.phase}), so it cannot start ${pool.phase}`,
    );
  }
  await ctx.database.transaction((tx) => seedPoolPhase(ctx, tx, projectId, created.metadata.name, pool));
  return created.metadata.name;
}

/** A seeded pool just created (Creating) takes the phase the file names, its described nodes theirs. */
async function seedPoolPhase(ctx: AppContext, tx: Executor, projectId: string, name: string, pool: SeedPool) {
  await ctx.database.lockProject(tx, projectId);
  const row = await findPool(tx, projectId, name);
  if (!row) throw new Error(`pool ${pool.name} vanished while seeding`);
  if (pool.phase === 'CreationFailed') {
    const message = pool.message ?? 'Creation failed: seed data.';
    await failCreation(ctx, tx, row, { message, details: 'seed data', faultId: null, recoverAfterSeconds: null });
    return;
  }
  const described = pool.nodes ?? [];
  if (described.length > 0) await placeSeededNodes(ctx, tx, row, described);
  let settled = await finishCreatingNow(ctx, tx, row);
  if (!settled) throw new Error(`pool ${pool.name} could not be made Running`);
  if (pool.phase !== 'Running') {
    const message = pool.message ?? `${pool.phase}: seed data.`;
    settled = await movePool(ctx, tx, settled, pool.phase, { message }, 'seed data');
  }
  if (settled && described.length > 0) await settleSeededNodes(ctx, tx, settled, described);
}
