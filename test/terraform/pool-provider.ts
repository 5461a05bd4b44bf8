/**
 * The calls of the provider's huaweicloud_modelarts_resource_pool, replayed as an independent client:
 * written from orders-billing-terraform.md §3.2 and the provider's own source (its Create, Read,
 * Update and Delete, the body builders, the flatteners and the wait functions), not from Atelier's
 * code. Requests go through ./provider.ts (Go encoding and signing); answers are read with the type
 * assertions the provider makes.
 *
 * The state the provider keeps between calls is modelled as far as the flow needs it: the attributes
 * its Read sets (snake_case, as in the provider's schema) and `resources_order_origin`.
 */
import { NIL_SLICE, removeNil } from '../helpers/go-json.js';
import { asArray, asInt, asMap, asString, pathSearch, ProviderHttpError, type Provider } from './provider.js';
import { orderSteps } from './pool-orders.js';

type Json = unknown;
type Obj = Record<string, Json>;

export interface PoolResourceConfig {
  flavorId: string;
  count: number;
  nodePool?: string;
  maxCount?: number;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  tags?: Record<string, string>;
  azs?: Array<{ az: string; count: number }>;
  /** JSON, as the provider's extend_params. */
  extendParams?: string;
  rootVolume?: { volumeType: string; size: string };
  driver?: { version: string };
  creatingStep?: { step: number; type: string };
}

export interface PoolConfig {
  name: string;
  description?: string;
  scope: string[];
  networkId: string;
  workspaceId?: string;
  resources: PoolResourceConfig[];
}

/** One entry of the state's `resources`, as flattenGetResourcePoolResponseBodyResources sets it. */
export type ResourceState = Obj;

export interface PoolState {
  id: string;
  config: PoolConfig;
  /** What the last Read set. */
  read: Obj;
  /** `server_ids`: the instance ids of the nodes the last create or scale-out added. */
  serverIds: string[];
  /** What the provider only logs (a scope wait that timed out). */
  warnings: string[];
}

const TIMEOUT_MS = 90 * 60_000;
const JSON_CT = { 'Content-Type': 'application/json' };

/** utils.ValueIgnoreEmpty: zero values ("", 0, empty lists and maps) become nil. */
function ignoreEmpty(v: Json): Json {
  if (v === '' || v === 0 || v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as Obj).length === 0) return undefined;
  return v;
}

/** utils.JsonToString: nil → "", else Go's json.Marshal (sorted keys, no newline). */
const jsonToString = (v: Json): string => {
  if (v === null || v === undefined) return '';
  const sort = (x: Json): Json =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.entries(x as Obj)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, y]) => [k, sort(y)]),
          )
        : x;
  return JSON.stringify(sort(v));
};
const stringToJson = (s: string): Json => (s === '' ? undefined : JSON.parse(s));
const creatingStepKey = (step: Json): string => jsonToString(step ?? undefined);

/** The pool's nodes as listV2ResourcePoolNodes reads them: no query, no MoreHeaders, OK [200]. */
export async function listPoolNodes(provider: Provider, id: string): Promise<Json[]> {
  const body = await provider.request('GET', `/v2/{project_id}/pools/${id}/nodes`, { okCodes: [200] });
  return asArray(pathSearch('items', body, []), 'nodes items');
}

/** GetResourcePoolById: Content-Type json, OK [200]. */
export function showPool(provider: Provider, id: string): Promise<Json> {
  return provider.request('GET', `/v2/{project_id}/pools/${id}`, { moreHeaders: JSON_CT, okCodes: [200] });
}

// --- create -------------------------------------------------------------------------------

/** buildCreateResourcePoolSpecResources, one entry. */
function createResource(r: PoolResourceConfig): Obj {
  const extendParams = r.extendParams ? (JSON.parse(r.extendParams) as Obj) : {};
  return {
    flavor: ignoreEmpty(r.flavorId),
    count: ignoreEmpty(r.count),
    nodePool: ignoreEmpty(r.nodePool),
    maxCount: ignoreEmpty(r.maxCount),
    azs: r.azs?.length ? r.azs.map((a) => ({ az: ignoreEmpty(a.az), count: ignoreEmpty(a.count) })) : undefined,
    network: undefined,
    taints: taintsBody(r.taints ?? []),
    tags: ignoreEmpty(
      Object.entries(r.tags ?? {})
        .sort()
        .map(([key, value]) => ({ key, value })),
    ),
    labels: ignoreEmpty(r.labels),
    extendParams,
    rootVolume: r.rootVolume ? { volumeType: r.rootVolume.volumeType, size: r.rootVolume.size } : undefined,
    dataVolumes: undefined,
    volumeGroupConfigs: [],
    os: undefined,
    driver: r.driver ? { version: ignoreEmpty(r.driver.version) } : undefined,
    creatingStep: r.creatingStep
      ? { type: ignoreEmpty(r.creatingStep.type), step: ignoreEmpty(r.creatingStep.step) }
      : undefined,
  };
}

/** refreshResourcesOrderOrigin: what the next Read sorts `resources` by. */
const orderOrigin = (config: PoolConfig) =>
  config.resources.map((r) => ({
    flavor_id: r.flavorId,
    node_pool: r.nodePool ?? '',
    creating_step: r.creatingStep ? jsonToString({ step: r.creatingStep.step, type: r.creatingStep.type }) : '',
  }));

/**
 * resourceModelartsResourcePoolCreate: POST (OK [200] only), the order and its nodes (./pool-orders.ts),
 * the node drivers, the scopes (a timeout only logged), then Read.
 */
export async function createPool(provider: Provider, config: PoolConfig): Promise<PoolState> {
  const body = removeNil({
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: {
      labels: {
        'os.modelarts/name': config.name,
        'os.modelarts/workspace.id': ignoreEmpty(config.workspaceId),
      },
      annotations: config.description ? { 'os.modelarts/description': config.description } : {},
    },
    spec: {
      type: 'Dedicate',
      // A schema.Set's list comes in hash order: the reverse of the configuration stands for it.
      scope: ignoreEmpty([...config.scope].reverse()),
      resources: config.resources.map(createResource),
      userLogin: undefined,
      network: { name: config.networkId },
      clusters: NIL_SLICE,
    },
  });
  const created = await provider.request('POST', '/v2/{project_id}/pools', {
    body,
    moreHeaders: JSON_CT,
    okCodes: [200],
  });
  const id = asString(pathSearch('metadata.name', created, ''), 'pool metadata.name');
  if (id === '') throw new Error('unable to find resource pool ID in API response');
  const orderName = asString(pathSearch('metadata.labels."os.modelarts/order.name"', created, ''), 'order.name');
  const state: PoolState = { id, config, read: {}, serverIds: [], warnings: [] };
  const nodeNames = await orderSteps(provider, id, orderName, true);
  state.serverIds = await waitForDrivers(provider, id, nodeNames);
  try {
    await waitForScopes(provider, id);
  } catch (error) {
    state.warnings.push(String(error));
  }
  state.read = await readPool(provider, id, orderOrigin(config));
  return state;
}

/**
 * waitForNodesDriverStatusCompleted (no delay, poll 30 s): done when every named node that is found
 * has a driver phase that is empty, Running or Abnormal. Returns getServerIdsByNodeNames.
 */
async function waitForDrivers(provider: Provider, id: string, names: readonly Json[]): Promise<string[]> {
  let nodes: Json[] = [];
  await provider.waitFor(
    'the node drivers',
    async () => {
      nodes = await listPoolNodes(provider, id);
      return names.every((name) => {
        const node = nodes.find((n) => pathSearch('metadata.name', n, '') === name);
        const phase = asString(pathSearch('status.driver.phase', node, ''), 'status.driver.phase');
        return phase === '' || phase === 'Running' || phase === 'Abnormal';
      });
    },
    { delayMs: 0, pollMs: 30_000, timeoutMs: TIMEOUT_MS },
  );
  return names.flatMap((name) => {
    const node = nodes.find((n) => pathSearch('metadata.name', n, '') === name);
    const serverId = pathSearch('metadata.labels."os.modelarts.node/underlying.instance.id"', node, null);
    return serverId === null ? [] : [asString(serverId, 'underlying.instance.id')];
  });
}

/** waitForResourcePoolScopeStatusesCompleted (delay 45 s, poll 30 s): every state Enabled or Disabled. */
async function waitForScopes(provider: Provider, id: string): Promise<void> {
  await provider.waitFor(
    'the scopes',
    async () => {
      const scopes = asArray(pathSearch('status.scope', await showPool(provider, id), []), 'status.scope');
      return scopes.every((s) => ['Enabled', 'Disabled'].includes(asString(pathSearch('state', s, ''), 'state')));
    },
    { delayMs: 45_000, pollMs: 30_000, timeoutMs: TIMEOUT_MS },
  );
}

// --- read ---------------------------------------------------------------------------------

const flattenList = (v: Json, what: string, keys: Record<string, string>): Obj[] =>
  asArray(pathSearch(what, v, []), what).map((item) =>
    Object.fromEntries(Object.entries(keys).map(([tf, wire]) => [tf, pathSearch(wire, item, null)])),
  );

/** flattenGetResourcePoolResponseBodyResources, one entry. */
function flattenResource(v: Json): ResourceState {
  const labels = pathSearch('labels', v, null);
  if (labels !== null) for (const [k, x] of Object.entries(asMap(labels, 'labels'))) asString(x, `label ${k}`);
  const tags: Obj = {};
  for (const t of asArray(pathSearch('tags', v, []), 'tags')) {
    tags[asString(pathSearch('key', t, ''), 'tag key')] = asString(pathSearch('value', t, ''), 'tag value');
  }
  const rootVolume = pathSearch('rootVolume', v, null);
  const one = (key: string, fields: Record<string, string>) => {
    const x = pathSearch(key, v, null);
    return x === null
      ? null
      : [Object.fromEntries(Object.entries(fields).map(([tf, w]) => [tf, pathSearch(w, x, null)]))];
  };
  return {
    flavor_id: pathSearch('flavor', v, null),
    count: asInt(pathSearch('count', v, 0), 'count'),
    max_count: asInt(pathSearch('maxCount', v, 0), 'maxCount'),
    node_pool: pathSearch('nodePool', v, null),
    vpc_id: pathSearch('network.vpc', v, null),
    subnet_id: pathSearch('network.subnet', v, null),
    security_group_ids: pathSearch('network.securityGroups', v, null),
    azs: flattenList(v, 'azs', { az: 'az', count: 'count' }).map((a) => ({ ...a, count: asInt(a.count, 'az count') })),
    taints: flattenList(v, 'taints', { key: 'key', value: 'value', effect: 'effect' }),
    labels,
    tags,
    extend_params: jsonToString(pathSearch('extendParams', v, null)),
    root_volume:
      rootVolume === null
        ? null
        : [
            {
              volume_type: pathSearch('volumeType', rootVolume, null),
              size: asString(pathSearch('size', rootVolume, ''), 'rootVolume.size'),
              extend_params: jsonToString(pathSearch('extendParams', rootVolume, null)),
            },
          ],
    data_volumes:
      asArray(pathSearch('dataVolumes', v, []), 'dataVolumes').length > 0 ? pathSearch('dataVolumes', v, null) : null,
    volume_group_configs: asArray(pathSearch('volumeGroupConfigs', v, []), 'volumeGroupConfigs'),
    os: one('os', { name: 'name', image_id: 'imageId', image_type: 'iamgeType' }),
    driver: one('driver', { version: 'version' }),
    creating_step: one('creatingStep', { step: 'step', type: 'type' }),
    post_install: pathSearch('extendParams.post_install', v, null),
  };
}

/** findResourceByFlavorAndNodePoolAndCreatingStep over state entries. */
function findResource(resources: readonly ResourceState[], flavor: string, nodePool: string, step: string) {
  const index = resources.findIndex((old) => {
    const oldNodePool = String(old.node_pool ?? '');
    const oldStep = creatingStepKey(pathSearch('creating_step[0]', old, null));
    if (old.flavor_id !== flavor || oldStep !== step) return false;
    // The provider's pattern `^<flavor>-default|$` matches any node pool when none is configured.
    return nodePool === '' || oldNodePool === nodePool;
  });
  return { resource: index === -1 ? undefined : resources[index], index };
}

/** resourceModelartsResourcePoolRead: the attributes the next plan compares with the configuration. */
export async function readPool(provider: Provider, id: string, origin: ReturnType<typeof orderOrigin>): Promise<Obj> {
  const body = await showPool(provider, id);
  const resources = asArray(pathSearch('spec.resources', body, []), 'spec.resources').map(flattenResource);
  // orderResourcesByResourcesOrderOrigin looks the origin's entries up in the answer with the state's
  // snake_case keys, which the answer does not have: an entry configured without node_pool and
  // creating_step takes the first one left, any other matches nothing; the rest follow in answer order.
  const rest = [...resources];
  const sorted: ResourceState[] = [];
  for (const o of origin)
    if (o.node_pool === '' && o.creating_step === '' && rest.length > 0) sorted.push(rest.shift()!);
  sorted.push(...rest);
  const clusters = asArray(pathSearch('spec.clusters', body, []), 'spec.clusters');
  const annotations = asMap(pathSearch('metadata.annotations', body, {}), 'annotations');
  return {
    name: pathSearch('metadata.labels."os.modelarts/name"', body, null),
    prefix: pathSearch('metadata.labels."os.modelarts/node.prefix"', body, null),
    workspace_id: pathSearch('metadata.labels."os.modelarts/workspace.id"', body, null),
    description: pathSearch('metadata.annotations."os.modelarts/description"', body, null),
    scope: [...asArray(pathSearch('spec.scope', body, []), 'spec.scope')].map((s) => asString(s, 'scope')).sort(),
    resources: sorted,
    network_id: pathSearch('spec.network.name', body, null),
    vpc_id: pathSearch('spec.network.vpcId', body, null),
    subnet_id: pathSearch('spec.network.subnetId', body, null),
    clusters: clusters.map((c) => ({
      provider_id: pathSearch('providerId', c, null),
      name: pathSearch('name', c, null),
    })),
    status: pathSearch('status.phase', body, null),
    resource_pool_id: pathSearch('metadata.labels."os.modelarts/resource.id"', body, null),
    charging_mode: annotations['os.modelarts/billing.mode'] === '1' ? 'prePaid' : 'postPaid',
  };
}

/**
 * A plan: the configured attributes that differ from the state (Optional+Computed ones only when
 * configured; extend_params with the provider's ContainsAllKeyValues suppression). Empty = no change.
 */
export function planPool(state: PoolState, config: PoolConfig): string[] {
  const read = state.read;
  const diffs: string[] = [];
  const same = (a: Json, b: Json) => jsonToString(a) === jsonToString(b);
  if (read.name !== config.name) diffs.push('name');
  if ((read.description ?? '') !== (config.description ?? '')) diffs.push('description');
  if (!same(read.scope, [...config.scope].sort())) diffs.push('scope');
  if (read.network_id !== config.networkId) diffs.push('network_id');
  const resources = read.resources as ResourceState[];
  if (resources.length !== config.resources.length) diffs.push('resources.#');
  config.resources.forEach((r, i) => {
    const s = resources[i] ?? {};
    const at = `resources.${i}`;
    if (s.flavor_id !== r.flavorId) diffs.push(`${at}.flavor_id`);
    if (s.count !== r.count) diffs.push(`${at}.count`);
    if (r.nodePool !== undefined && s.node_pool !== r.nodePool) diffs.push(`${at}.node_pool`);
    if (r.maxCount !== undefined && s.max_count !== r.maxCount) diffs.push(`${at}.max_count`);
    if (r.labels !== undefined && !same(s.labels, r.labels)) diffs.push(`${at}.labels`);
    if (!same(s.tags, r.tags ?? {})) diffs.push(`${at}.tags`);
    const taintKey = (t: Obj) => `${String(t.key)}=${String(t.value ?? '')}:${String(t.effect)}`;
    if (r.taints !== undefined && !same((s.taints as Obj[]).map(taintKey).sort(), r.taints.map(taintKey).sort()))
      diffs.push(`${at}.taints`);
    if (r.azs !== undefined && !same(s.azs, r.azs)) diffs.push(`${at}.azs`);
    if (r.extendParams !== undefined) {
      const have = stringToJson(String(s.extend_params)) as Obj | undefined;
      const want = JSON.parse(r.extendParams) as Obj;
      if (!Object.entries(want).every(([k, v]) => same(have?.[k], v))) diffs.push(`${at}.extend_params`);
    }
    const root = pathSearch('[0]', s.root_volume, {}) as Obj;
    if (r.rootVolume && (root.volume_type !== r.rootVolume.volumeType || root.size !== r.rootVolume.size))
      diffs.push(`${at}.root_volume`);
    if (r.driver && !same(s.driver, [r.driver])) diffs.push(`${at}.driver`);
    if (r.creatingStep && !same(s.creating_step, [r.creatingStep])) diffs.push(`${at}.creating_step`);
  });
  return diffs;
}

// --- update -------------------------------------------------------------------------------

/** buildResourcePoolResourcesTaints and its update twin: nil for none, the value left out when empty. */
const taintsBody = (taints: NonNullable<PoolResourceConfig['taints']>) =>
  taints.length === 0 ? undefined : taints.map((t) => ({ key: t.key, value: ignoreEmpty(t.value), effect: t.effect }));

/** buildUpdateResourcePoolSpecResources: each entry from the configuration, the rest from the old state. */
function updateResource(r: PoolResourceConfig, old: ResourceState | undefined): Obj {
  const fromOld = (key: string) => ignoreEmpty(pathSearch(key, old, null));
  const oldExtend = old ? (stringToJson(String(old.extend_params || '{}')) as Obj | undefined) : {};
  const extendParams: Obj = { ...(oldExtend ?? {}), ...(r.extendParams ? (JSON.parse(r.extendParams) as Obj) : {}) };
  const oldRoot = pathSearch('root_volume[0]', old, null);
  const oldList = (key: string) => asArray(pathSearch(key, old, []), key) as Obj[];
  return {
    flavor: ignoreEmpty(r.flavorId),
    count: r.count !== 0 ? r.count : pathSearch('count', old, null),
    tags: r.tags
      ? Object.entries(r.tags)
          .sort()
          .map(([key, value]) => ({ key, value }))
      : undefined,
    nodePool: r.nodePool ? r.nodePool : fromOld('node_pool'),
    maxCount: r.maxCount ? r.maxCount : pathSearch('max_count', old, null),
    azs: r.azs
      ? r.azs.map((a) => ({ az: ignoreEmpty(a.az), count: ignoreEmpty(a.count) }))
      : oldList('azs').length > 0
        ? oldList('azs').map((a) => ({ az: ignoreEmpty(a.az), count: ignoreEmpty(a.count) }))
        : undefined,
    network: removeNil({
      vpc: fromOld('vpc_id'),
      subnet: fromOld('subnet_id'),
      securityGroups: ignoreEmpty(pathSearch('security_group_ids', old, [])),
    }),
    taints: taintsBody(r.taints ?? (oldList('taints') as NonNullable<PoolResourceConfig['taints']>)),
    labels: r.labels ? ignoreEmpty(r.labels) : fromOld('labels'),
    extendParams,
    rootVolume: r.rootVolume
      ? { volumeType: r.rootVolume.volumeType, size: r.rootVolume.size, extendParams: {} }
      : oldRoot
        ? {
            volumeType: pathSearch('volume_type', oldRoot, null),
            size: pathSearch('size', oldRoot, null),
            extendParams: stringToJson(String(pathSearch('extend_params', oldRoot, ''))),
          }
        : undefined,
    dataVolumes: ignoreEmpty(pathSearch('data_volumes', old, null)),
    volumeGroupConfigs: [],
    os: pathSearch('os[0]', old, null)
      ? {
          name: fromOld('os[0].name'),
          imageId: fromOld('os[0].image_id'),
          imageType: fromOld('os[0].image_type'),
        }
      : undefined,
    driver: r.driver
      ? removeNil({ version: ignoreEmpty(r.driver.version) })
      : pathSearch('driver[0]', old, null)
        ? { version: fromOld('driver[0].version') }
        : undefined,
    creatingStep: r.creatingStep
      ? { type: r.creatingStep.type, step: r.creatingStep.step }
      : pathSearch('creating_step[0]', old, null)
        ? { type: fromOld('creating_step[0].type'), step: fromOld('creating_step[0].step') }
        : undefined,
  };
}

/**
 * resourceModelartsResourcePoolUpdate: PATCH (merge-patch+json, OK [200]) when description, scope or
 * resources changed; after a count change the order (./pool-orders.ts), after a count going up
 * (compared by index) the order's nodes and their drivers; then Read.
 */
export async function updatePool(provider: Provider, state: PoolState, config: PoolConfig): Promise<PoolState> {
  const oldResources = state.read.resources as ResourceState[];
  const changed = planPool(state, config).length > 0;
  const next: PoolState = { ...state, config, warnings: [...state.warnings] };
  if (changed) {
    const match = (r: PoolResourceConfig) =>
      findResource(oldResources, r.flavorId, r.nodePool ?? '', creatingStepKey(r.creatingStep)).resource;
    const body = removeNil({
      metadata: { annotations: config.description ? { 'os.modelarts/description': config.description } : {} },
      spec: {
        scope: ignoreEmpty([...config.scope].reverse()),
        resources: config.resources.map((r) => updateResource(r, match(r))),
      },
    });
    const res = await provider.request('PATCH', `/v2/{project_id}/pools/${state.id}`, {
      body,
      moreHeaders: { 'Content-Type': 'application/merge-patch+json' },
      okCodes: [200],
    });
    const scaling =
      oldResources.length !== config.resources.length ||
      config.resources.some((r) => (match(r)?.count ?? 0) !== r.count);
    if (scaling) {
      const orderName = asString(pathSearch('metadata.labels."os.modelarts/order.name"', res, ''), 'order.name');
      const up = config.resources.some((r, i) => r.count > Number(pathSearch(`[${i}].count`, oldResources, 0)));
      const nodeNames = await orderSteps(provider, state.id, orderName, up);
      if (up) next.serverIds = await waitForDrivers(provider, state.id, nodeNames);
    }
  }
  next.read = await readPool(provider, state.id, orderOrigin(config));
  return next;
}

// --- delete -------------------------------------------------------------------------------

/**
 * resourceModelartsResourcePoolDelete for a pay-per-use pool: the node list (its prepaid nodes would
 * be unsubscribed through BSS, which Atelier does not model: there must be none), the pool (404 =
 * gone), DELETE (Content-Type json, default OK codes), then GET until 404 (delay 30 s, poll 10 s).
 */
export async function deletePool(provider: Provider, id: string): Promise<void> {
  const nodes = await listPoolNodes(provider, id);
  const prepaid = nodes.filter((n) => pathSearch('metadata.annotations."os.modelarts/billing.mode"', n, '') === '1');
  if (prepaid.length > 0) throw new Error('prepaid nodes: the provider would unsubscribe them through BSS');
  try {
    await showPool(provider, id);
  } catch (error) {
    if (error instanceof ProviderHttpError && error.status === 404) return;
    throw error;
  }
  await provider.request('DELETE', `/v2/{project_id}/pools/${id}`, { moreHeaders: JSON_CT });
  await provider.waitFor(
    'the pool to be gone',
    async () => {
      try {
        await showPool(provider, id);
        return false;
      } catch (error) {
        if (error instanceof ProviderHttpError && error.status === 404) return true;
        throw error;
      }
    },
    { delayMs: 30_000, pollMs: 10_000, timeoutMs: TIMEOUT_MS },
  );
}
