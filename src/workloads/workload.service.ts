import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AtelierError, badRequest } from '../errors.js';
import { requireProject } from '../projects/project.service.js';
import { findPool, findPoolByDisplayName } from '../pools/pool.reads.js';
import type { PoolRecord } from '../pools/pool.record.js';
import {
  WORKLOAD_ENTRY,
  WORKLOAD_PAGE_MAX,
  WORKLOAD_STATUSES,
  WORKLOAD_TYPE_FILTERS,
  WORKLOAD_TYPES,
  type WorkloadStatus,
} from './workload.lifecycle.js';
import { parseQuantity } from './workload.quantities.js';
import type { Amounts } from './workload.record.js';
import type {
  ListWorkloadsQuery,
  SubmitWorkloadBody,
  Workload,
  WorkloadList,
  WorkloadStatistics,
} from './workload.schema.js';
import { settlePoolWorkloads } from './workload.schedule.js';
import { insertWorkload, selectPoolWorkloads } from './workload.store.js';
import { toWorkload } from './workload.view.js';

/** The pool of the project, or the pool's 404 (nodes-workloads-metrics.md: always 50015001). */
export async function requireWorkloadPool(ctx: AppContext, projectId: string, name: string): Promise<PoolRecord> {
  await requireProject(ctx, projectId);
  const pool = await findPool(ctx.database.db, projectId, name);
  if (!pool) throw new AtelierError('poolNotFound', { name });
  return pool;
}

/** A query value given once, repeated or comma-separated, as its parts. */
function parts(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim());
  return list.filter((v) => v.length > 0);
}

function checkedValues<T extends string>(name: string, value: string | string[] | undefined, allowed: readonly T[]) {
  const given = parts(value);
  if (given === undefined) return undefined;
  const unknown = given.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length > 0) throw badRequest(`${name}: unknown value ${unknown[0]}; one of ${allowed.join(', ')}`);
  return new Set(given as T[]);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * ListWorkloads (§2.1): filters by type, status and node IP; newest first, or by
 * create time ascending with `sort=create_time&ascend=true`; `offset`/`limit`
 * page the result except when `hostip` is given (HW: then they are ignored).
 * `total` counts the matches before paging.
 */
export async function listWorkloads(
  ctx: AppContext,
  projectId: string,
  poolName: string,
  query: ListWorkloadsQuery,
): Promise<WorkloadList> {
  const types = checkedValues('type', query.type, WORKLOAD_TYPE_FILTERS);
  const statuses = checkedValues('status', query.status, WORKLOAD_STATUSES);
  const hostIps = parts(query.hostip);
  const badIp = hostIps?.find((ip) => !IPV4.test(ip));
  if (badIp !== undefined) throw badRequest(`hostip: ${badIp} is not an IPv4 address`);
  if (query.sort !== undefined && query.sort !== 'create_time') {
    throw badRequest(`sort: unknown value ${query.sort}; only create_time`);
  }
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (offset > 2_147_483_647) throw badRequest('offset: at most 2147483647');
  const pool = await requireWorkloadPool(ctx, projectId, poolName);
  const all = await selectPoolWorkloads(ctx.database.db, pool.id);
  const queue = all.filter((w) => w.status === 'Pending').map((w) => w.id);
  const matching = all.filter(
    (w) =>
      (!types || types.has(w.type)) &&
      (!statuses || statuses.has(w.status)) &&
      (!hostIps || (w.hostIp !== null && w.status === 'Running' && hostIps.includes(w.hostIp))),
  );
  const ascending = query.sort === 'create_time' && query.ascend === true;
  const ordered = ascending ? matching : [...matching].reverse();
  const limit = query.limit === undefined || query.limit === 0 ? WORKLOAD_PAGE_MAX : query.limit;
  const page = hostIps ? ordered : ordered.slice(offset, offset + limit);
  const now = ctx.clock.now();
  const items: Workload[] = page.map((w) => toWorkload(w, now, w.status === 'Pending' ? queue.indexOf(w.id) + 1 : -1));
  return { apiVersion: 'v1', kind: 'WorkloadList', metadata: {}, total: matching.length, items };
}

/** ShowWorkloadStatistics (§2.2): per type present, the count in each of the nine statuses. */
export async function showWorkloadStatistics(
  ctx: AppContext,
  projectId: string,
  poolName: string,
): Promise<WorkloadStatistics> {
  const pool = await requireWorkloadPool(ctx, projectId, poolName);
  const all = await selectPoolWorkloads(ctx.database.db, pool.id);
  const items = WORKLOAD_TYPES.filter((type) => all.some((w) => w.type === type)).map((type) => {
    const ofType = all.filter((w) => w.type === type);
    const status = Object.fromEntries(WORKLOAD_STATUSES.map((s) => [s, 0])) as Record<WorkloadStatus, number>;
    for (const w of ofType) status[w.status] += 1;
    return { type, total: ofType.length, status };
  });
  return { statistics: { total: all.length, items } };
}

/** The requests of a submitted workload as amounts; a quantity that does not parse is a 400 naming it. */
function requestsOf(resources: Record<string, string>): Amounts {
  const amounts: Amounts = {};
  for (const [key, text] of Object.entries(resources)) {
    const value = parseQuantity(key, text);
    if (value === undefined) throw badRequest(`resources.${key}: ${text} is not a quantity of ${key}`);
    amounts[key] = value;
  }
  if (Object.values(amounts).every((v) => v <= 0)) throw badRequest('resources: ask for something');
  return amounts;
}

/**
 * The emulator control that submits a workload (docs/emulator.md, "Workloads"):
 * it enters the pool's queue Pending and is placed at once if a node has room.
 * Returns it as ListWorkloads shows it.
 */
export async function submitWorkload(ctx: AppContext, body: SubmitWorkloadBody): Promise<Workload> {
  await requireProject(ctx, body.project);
  if (body.flavor !== undefined && !ctx.flavors.has(body.flavor)) {
    throw badRequest(`flavor: unknown flavor ${body.flavor}; GET /v1/{project_id}/resourceflavors lists them`);
  }
  const requests = requestsOf(body.resources);
  const jobUuid = randomUUID();
  const created = await ctx.database.transaction(async (tx) => {
    const pool =
      (await findPool(tx, body.project, body.pool)) ?? (await findPoolByDisplayName(tx, body.project, body.pool));
    if (!pool) throw new AtelierError('poolNotFound', { name: body.pool });
    const now = ctx.clock.now();
    const inserted = await insertWorkload(tx, {
      projectId: body.project,
      poolId: pool.id,
      poolName: pool.name,
      type: body.type,
      jobName: body.name,
      jobUuid,
      uid: randomUUID(),
      flavor: body.flavor ?? null,
      priority: body.priority ?? '0',
      userName: body.userName ?? null,
      requests,
      durationSeconds: body.durationSeconds ?? null,
      outcome: body.outcome ?? 'Completed',
      status: WORKLOAD_ENTRY,
      nodeName: null,
      hostIp: null,
      createdAt: now,
      startedAt: null,
      endedAt: null,
      dueAt: now,
    });
    await settlePoolWorkloads(ctx, tx, pool.id);
    const after = await selectPoolWorkloads(tx, pool.id);
    const queue = after.filter((w) => w.status === 'Pending').map((w) => w.id);
    const mine = after.find((w) => w.id === inserted.id) ?? inserted;
    return toWorkload(mine, now, mine.status === 'Pending' ? queue.indexOf(mine.id) + 1 : -1);
  });
  ctx.wakeEngine();
  return created;
}
