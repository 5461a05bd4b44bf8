/**
 * The calls of the Huawei Cloud Terraform provider (huaweicloud_modelarts_network and the ModelArts
 * data sources), replayed as an independent client: written from orders-billing-terraform.md §3 and the
 * provider's own source, not from Atelier's code. Requests are built and signed as the provider's Go
 * SDK does (../helpers/go-signer.ts, ../helpers/go-json.ts); answers are read the way the provider
 * reads them: a JMESPath lookup with a default, then a Go type assertion, which panics the provider on
 * a value of the wrong JSON type — here an exception saying so.
 *
 * Waits follow the provider's StateChangeConf: a first delay, then a poll every interval until the
 * target or the timeout. Time is the test's to move: `sleep` is handed in (the harness advances its
 * clock and runs the engine), so the provider's real intervals are kept.
 */
import { inject } from 'light-my-request';
import { goJson, NIL_SLICE, removeNil } from '../helpers/go-json.js';
import type { Harness } from '../helpers/harness.js';
import { goRequest } from '../helpers/go-signer.js';
import { formatSdkDate } from '../helpers/signing.js';

export interface Wire {
  send(request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string | undefined;
  }): Promise<{ status: number; text: string }>;
}

/**
 * The provider pointed at a harness's application (requests injected, not sent over a socket) with
 * its bootstrap credential; its waits move the harness's clock, which is also its time.Now().
 */
export function providerFor(h: Harness): Provider {
  return new Provider({
    wire: {
      async send({ method, url, headers, body }) {
        const res = await inject(h.app.handleRequest, { method: method as 'GET', url, headers, payload: body });
        return { status: res.statusCode, text: res.body };
      },
    },
    accessKey: h.credentials.accessKey,
    secretKey: h.credentials.secretKey,
    projectId: h.projectId,
    sleep: (ms) => h.advance(ms),
    now: () => h.clock.now(),
  });
}

/** A call that ended outside its OK codes (golangsdk's ErrDefault404 and friends). */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly call: string,
  ) {
    super(`${call}: HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/** A value the provider would assert to another Go type than it has: the plugin would crash. */
export class ProviderPanic extends Error {}

type Json = unknown;

// --- reading answers as the provider does ------------------------------------------------

/**
 * The subset of JMESPath the provider's reads use: dotted names, `"quoted.names"` and `[n]` indexes.
 * Like utils.PathSearch, a missing value or `null` gives the default.
 */
export function pathSearch(expression: string, value: Json, fallback: Json): Json {
  const steps = expression.match(/"[^"]*"|[^.[\]]+|\[\d+\]/g) ?? [];
  let node: Json = value;
  for (const step of steps) {
    if (node === null || node === undefined) return fallback;
    if (step.startsWith('[')) {
      node = Array.isArray(node) ? node[Number(step.slice(1, -1))] : undefined;
    } else {
      const key = step.startsWith('"') ? step.slice(1, -1) : step;
      node = typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, Json>)[key] : undefined;
    }
  }
  return node === null || node === undefined ? fallback : node;
}

const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** `.([]interface{})` */
export function asArray(value: Json, what: string): Json[] {
  if (!Array.isArray(value)) throw new ProviderPanic(`${what}: a ${typeOf(value)} where the provider asserts a list`);
  return value;
}

/** `.(string)` */
export function asString(value: Json, what: string): string {
  if (typeof value !== 'string')
    throw new ProviderPanic(`${what}: a ${typeOf(value)} where the provider asserts a string`);
  return value;
}

/** `.(map[string]interface{})` */
export function asMap(value: Json, what: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProviderPanic(`${what}: a ${typeOf(value)} where the provider asserts an object`);
  }
  return value as Record<string, Json>;
}

/** `.(int)` after d.Get of a TypeInt attribute set from the answer: a JSON number without fraction. */
export function asInt(value: Json, what: string): number {
  if (!Number.isInteger(value)) throw new ProviderPanic(`${what}: a ${typeOf(value)} where the schema holds an int`);
  return value as number;
}

// --- the provider -----------------------------------------------------------------------

export interface ProviderOptions {
  wire: Wire;
  accessKey: string;
  secretKey: string;
  projectId: string;
  /** Waits between polls in the test's time (the harness's clock). */
  sleep(ms: number): Promise<void>;
  /**
   * The provider's time.Now() where it goes into a request (the orders' `since`): the emulator's
   * clock, which stands for the wall clock provider and cloud share. Signing keeps the real time.
   */
  now?: () => Date;
}

/** One provider call as it was made: for the report of what a flow exercised. */
export interface CallRecord {
  method: string;
  url: string;
  signedHeaders: string[];
  status: number;
}

const DEFAULT_OK: Record<string, number[]> = {
  GET: [200],
  POST: [200, 201, 202],
  PATCH: [200, 202, 204],
  DELETE: [200, 202, 204],
};

export class Provider {
  readonly calls: CallRecord[] = [];

  constructor(private readonly options: ProviderOptions) {}

  /** The provider's time.Now() (see ProviderOptions.now). */
  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** golangsdk's client.Request with KeepResponseBody, then utils.FlattenResponse. */
  async request(
    method: string,
    path: string,
    opts: {
      body?: Record<string, unknown>;
      moreHeaders?: Record<string, string>;
      okCodes?: number[];
      /** false: a call of the test's own, left out of `calls` (the orders stand-in, ./pool-orders.ts). */
      record?: boolean;
    } = {},
  ): Promise<Json> {
    const url = path.replace('{project_id}', this.options.projectId);
    const wire = goRequest({
      method,
      url,
      body: opts.body === undefined ? undefined : goJson(opts.body),
      moreHeaders: opts.moreHeaders,
      accessKey: this.options.accessKey,
      secretKey: this.options.secretKey,
      projectId: this.options.projectId,
      sdkDate: formatSdkDate(new Date()),
    });
    const res = await this.options.wire.send(wire);
    if (opts.record !== false) {
      this.calls.push({ method, url: wire.url, signedHeaders: wire.signedHeaders, status: res.status });
    }
    if (!(opts.okCodes ?? DEFAULT_OK[method]!).includes(res.status)) {
      throw new ProviderHttpError(res.status, res.text, `${method} ${wire.url}`);
    }
    return res.text === '' ? undefined : (JSON.parse(res.text) as Json);
  }

  /**
   * retry.StateChangeConf: wait `delay`, then refresh every `poll` until it reports done; a refresh that
   * throws ends the wait with that error.
   */
  async waitFor(
    what: string,
    refresh: () => Promise<boolean>,
    timing: { delayMs: number; pollMs: number; timeoutMs: number },
  ): Promise<void> {
    let waited = timing.delayMs;
    await this.options.sleep(timing.delayMs);
    for (;;) {
      if (await refresh()) return;
      if (waited >= timing.timeoutMs) throw new Error(`timeout while waiting for ${what}`);
      await this.options.sleep(timing.pollMs);
      waited += timing.pollMs;
    }
  }

  // --- data sources ---

  /** huaweicloud_modelarts_resource_flavors: every page via metadata.continue. */
  async dataResourceFlavors(tag?: string): Promise<Json[]> {
    const all: Json[] = [];
    let next = '';
    for (;;) {
      let query = '';
      if (tag) query += `&labelSelector=${tag}`;
      if (next) query += `&continue=${next}`;
      const body = await this.request('GET', `/v1/{project_id}/resourceflavors${query ? `?${query.slice(1)}` : ''}`, {
        moreHeaders: { 'Content-Type': 'application/json' },
        okCodes: [200],
      });
      all.push(...asArray(pathSearch('items', body, []), 'resourceflavors items'));
      next = asString(pathSearch('metadata.continue', body, ''), 'resourceflavors metadata.continue');
      if (next === '') break;
    }
    for (const flavor of all) {
      // What flattenListResourceFlavorsFlavors sets: tags and az_status are maps of strings,
      // billing_modes a list of ints, volume a list read from spec.dataVolumes.
      for (const [key, value] of Object.entries(asMap(pathSearch('metadata.labels', flavor, {}), 'flavor tags'))) {
        asString(value, `flavor tag ${key}`);
      }
      for (const [az, state] of Object.entries(asMap(pathSearch('status.phase', flavor, {}), 'flavor az_status'))) {
        asString(state, `flavor az_status ${az}`);
      }
      for (const mode of asArray(pathSearch('spec.billingModes', flavor, []), 'flavor billing_modes')) {
        asInt(mode, 'flavor billing mode');
      }
      asArray(pathSearch('spec.dataVolumes', flavor, []), 'flavor volume');
    }
    return all;
  }

  /** huaweicloud_modelarts_networks: limit=500, pages until no items or no metadata.continue. */
  async dataNetworks(labelSelector?: string): Promise<Json[]> {
    const base = `/v1/{project_id}/networks?limit=500${labelSelector ? `&labelSelector=${labelSelector}` : ''}`;
    const all: Json[] = [];
    let next = '';
    for (;;) {
      const body = await this.request('GET', next ? `${base}&continue=${next}` : base, {
        moreHeaders: { 'Content-Type': 'application/json' },
      });
      const items = asArray(pathSearch('items', body, []), 'networks items');
      all.push(...items);
      if (items.length < 1) break;
      next = asString(pathSearch('metadata.continue', body, ''), 'networks metadata.continue');
      if (next === '') break;
    }
    for (const item of all) {
      asMap(pathSearch('metadata', item, {}), 'network metadata');
      const spec = asMap(pathSearch('spec', item, {}), 'network spec');
      const status = asMap(pathSearch('status', item, {}), 'network status');
      asMap(pathSearch('metadata.labels', item, {}), 'network labels');
      asMap(pathSearch('metadata.annotations', item, {}), 'network annotations');
      const connection = asMap(pathSearch('connection', spec, {}), 'network spec.connection');
      asArray(pathSearch('peerConnectionList', connection, []), 'network peerConnectionList');
      const connectionStatus = asMap(pathSearch('connectionStatus', status, {}), 'network connectionStatus');
      asArray(pathSearch('peerConnectionStatus', connectionStatus, []), 'network peerConnectionStatus');
      asArray(pathSearch('sfsTurboStatus', connectionStatus, []), 'network sfsTurboStatus');
    }
    return all;
  }

  /** huaweicloud_modelartsv2_resource_pools: GET /v2/{pid}/pools[?workspaceId=W][&status=S], one page. */
  async dataResourcePools(filter: { workspaceId?: string; status?: string } = {}): Promise<Json[]> {
    let query = '';
    if (filter.workspaceId) query += `&workspaceId=${filter.workspaceId}`;
    if (filter.status) query += `&status=${filter.status}`;
    const body = await this.request('GET', `/v2/{project_id}/pools${query ? `?${query.slice(1)}` : ''}`, {
      moreHeaders: { 'Content-Type': 'application/json' },
    });
    const items = asArray(pathSearch('items', body, []), 'pools items');
    for (const item of items) {
      const created = asString(pathSearch('metadata.creationTimestamp', item, ''), 'pool creationTimestamp');
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(created)) {
        throw new ProviderPanic(`pool creationTimestamp ${created} is not RFC 3339`);
      }
      for (const resource of asArray(pathSearch('spec.resources', item, []), 'pool spec.resources')) {
        for (const key of ['azs', 'taints', 'dataVolumes', 'volumeGroupConfigs']) {
          asArray(pathSearch(key, resource, []), `pool resource ${key}`);
        }
        asInt(pathSearch('count', resource, 0), 'pool resource count');
      }
      asArray(pathSearch('spec.clusters', item, []), 'pool spec.clusters');
      asMap(pathSearch('metadata.labels', item, {}), 'pool labels');
      asMap(pathSearch('metadata.annotations', item, {}), 'pool annotations');
    }
    return items;
  }

  // --- huaweicloud_modelarts_network ---

  /** GetNetworkById: GET with Content-Type json, default OK codes. */
  showNetwork(id: string): Promise<Json> {
    return this.request('GET', `/v1/{project_id}/networks/${id}`, {
      moreHeaders: { 'Content-Type': 'application/json' },
    });
  }

  /**
   * resourceNetworkCreate: POST (RemoveNil'd body, no connection), wait Active (delay 20 s, poll 20 s),
   * read the subnet id (required), then resourceNetworkUpdate (connections when configured) and Read.
   */
  async createNetwork(config: NetworkConfig): Promise<NetworkState> {
    const body = removeNil({
      apiVersion: 'v1',
      kind: 'Network',
      metadata: {
        labels: { 'os.modelarts/name': config.name, 'os.modelarts/workspace.id': config.workspaceId || null },
      },
      spec: { cidr: config.cidr },
    });
    const created = await this.request('POST', '/v1/{project_id}/networks', {
      body,
      moreHeaders: { 'Content-Type': 'application/json' },
    });
    const id = asString(pathSearch('metadata.name', created, ''), 'network metadata.name');
    if (id === '') throw new Error('unable to find the network ID from the API response');
    await this.waitFor(
      'the network to be Active',
      async () => asString(pathSearch('status.phase', await this.showNetwork(id), ''), 'status.phase') === 'Active',
      { delayMs: 20_000, pollMs: 20_000, timeoutMs: 20 * 60_000 },
    );
    const subnetId = asString(pathSearch('status.subnets[0].networkId', await this.showNetwork(id), ''), 'subnet');
    if (subnetId === '') throw new Error('unable to find the subnet ID from the API response');
    const state: NetworkState = { id, subnetId, config: { ...config, peerConnections: [], sfsTurbos: [] } };
    return this.updateNetwork(state, config);
  }

  /**
   * resourceNetworkUpdate: when peer_connections or sfs_turbos changed, PATCH spec.connection with
   * merge-patch+json (not RemoveNil'd: an empty side is `null`), wait for the connections (delay 20 s,
   * poll 20 s), then Read.
   */
  async updateNetwork(state: NetworkState, config: NetworkConfig): Promise<NetworkState> {
    const changed =
      JSON.stringify(config.peerConnections) !== JSON.stringify(state.config.peerConnections) ||
      JSON.stringify(config.sfsTurbos) !== JSON.stringify(state.config.sfsTurbos);
    const next: NetworkState = { ...state, config };
    if (changed) {
      const peers = config.peerConnections.map((p) => ({ peerSubnetId: p.subnetId, peerVpcId: p.vpcId }));
      const sfs = config.sfsTurbos.map((s) => ({ name: s.name, sfsId: s.id, subnetId: state.subnetId }));
      await this.request('PATCH', `/v1/{project_id}/networks/${state.id}`, {
        body: {
          spec: {
            connection: {
              peerConnectionList: peers.length > 0 ? peers : NIL_SLICE,
              sfsTurboConnectionList: sfs.length > 0 ? sfs : NIL_SLICE,
            },
          },
        },
        moreHeaders: { 'Content-Type': 'application/merge-patch+json' },
      });
      await this.waitFor('the network connections', () => this.connectionsSettled(state.id, config), {
        delayMs: 20_000,
        pollMs: 20_000,
        timeoutMs: 20 * 60_000,
      });
    }
    next.read = await this.readNetwork(state.id);
    return next;
  }

  /** refreshNetworkConnectionsFunc: peers are looked for in spec, SFS Turbos in status, Active. */
  private async connectionsSettled(id: string, config: NetworkConfig): Promise<boolean> {
    const body = await this.showNetwork(id);
    const remote = asArray(pathSearch('spec.connection.peerConnectionList', body, []), 'peerConnectionList').map(
      (c) => `${String(pathSearch('peerVpcId', c, ''))}:${String(pathSearch('peerSubnetId', c, ''))}`,
    );
    const local = config.peerConnections.map((p) => `${p.vpcId}:${p.subnetId}`);
    if (local.length > 0 && remote.length > 0 && !local.every((l) => remote.includes(l))) return false;
    const sfsStatus = asArray(pathSearch('status.connectionStatus.sfsTurboStatus', body, []), 'sfsTurboStatus');
    if (config.sfsTurbos.length < sfsStatus.length) return false;
    return config.sfsTurbos.every((s) => {
      const found = sfsStatus.find((r) => pathSearch('sfsId', r, '') === s.id);
      return found !== undefined && asString(pathSearch('status', found, ''), 'sfs status') === 'Active';
    });
  }

  /** resourceNetworkRead: what the next plan compares with the configuration. */
  async readNetwork(id: string): Promise<NetworkRead> {
    const body = await this.showNetwork(id);
    const sfsStatus = asArray(pathSearch('status.connectionStatus.sfsTurboStatus', body, []), 'sfsTurboStatus');
    return {
      name: pathSearch('metadata.labels."os.modelarts/name"', body, null),
      cidr: pathSearch('spec.cidr', body, null),
      workspaceId: pathSearch('metadata.labels."os.modelarts/workspace.id"', body, null),
      peerConnections: asArray(pathSearch('spec.connection.peerConnectionList', body, []), 'peers').map((c) => ({
        vpcId: pathSearch('peerVpcId', c, ''),
        subnetId: pathSearch('peerSubnetId', c, ''),
      })),
      sfsTurbos: asArray(pathSearch('spec.connection.sfsTurboConnectionList', body, []), 'sfs').map((c) => {
        const sfsId = asString(pathSearch('sfsId', c, ''), 'sfsId');
        const status = sfsStatus.find((s) => pathSearch('sfsId', s, '') === sfsId);
        return { id: sfsId, name: pathSearch('name', c, ''), uri: pathSearch('ipAddr', status, '') };
      }),
      status: pathSearch('status.phase', body, null),
      subnetId: pathSearch('status.subnets[0].networkId', body, null),
    };
  }

  /** resourceNetworkDelete: DELETE (404 = already gone), then GET until 404 (delay 20 s, poll 20 s). */
  async deleteNetwork(id: string): Promise<void> {
    try {
      await this.request('DELETE', `/v1/{project_id}/networks/${id}`, {
        moreHeaders: { 'Content-Type': 'application/json' },
      });
    } catch (error) {
      if (!(error instanceof ProviderHttpError && error.status === 404)) throw error;
      return;
    }
    await this.waitFor(
      'the network to be gone',
      async () => {
        try {
          await this.showNetwork(id);
          return false;
        } catch (error) {
          if (error instanceof ProviderHttpError && error.status === 404) return true;
          throw error;
        }
      },
      { delayMs: 20_000, pollMs: 20_000, timeoutMs: 20 * 60_000 },
    );
  }
}

export interface NetworkConfig {
  name: string;
  cidr: string;
  workspaceId?: string;
  peerConnections: Array<{ vpcId: string; subnetId: string }>;
  sfsTurbos: Array<{ id: string; name: string }>;
}

export interface NetworkRead {
  name: Json;
  cidr: Json;
  workspaceId: Json;
  peerConnections: Array<{ vpcId: Json; subnetId: Json }>;
  sfsTurbos: Array<{ id: string; name: Json; uri: Json }>;
  status: Json;
  subnetId: Json;
}

export interface NetworkState {
  id: string;
  subnetId: string;
  /** The configuration last applied. */
  config: NetworkConfig;
  read?: NetworkRead;
}
