// The one normaliser of the wire snapshots: it keeps everything a client can rely on (status, the
// headers we set, every key and value of the body) and replaces only what differs from run to run —
// ids, generated names, tokens, request ids and times — with stable placeholders, so the snapshots
// are byte-identical on every run and on both databases.
import { afterEach, expect } from 'vitest';
import type { ApiResponse } from '../helpers/client.js';

/** Transport headers that say nothing about the API (or vary with the length of a normalised value). */
const TRANSPORT_HEADERS = new Set(['date', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const HEX32 = /(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
/** Epoch milliseconds within a few years of now, as a number or inside a message. */
const EPOCH_MS = /(?<!\d)1[6-9]\d{11}(?!\d)/g;
/** Epoch seconds inside a message (`…, timestamp: 1772352027.`). */
const EPOCH_S = /(?<!\d)1[6-9]\d{8}(?!\d)/g;
const EPOCH_MS_NUMBER = /^1[6-9]\d{11}$/;
/** The `os.modelarts/resource.id` label: `maos-<display name>-<5 random hex digits>`. */
const RESOURCE_ID = /^(maos-.+-)[0-9a-f]{5}$/;
/** An order's name (D-O5): the pool, the kind, 5 random characters. */
const ORDER_NAME = /(-(?:createPool|scalePool|moveWorkspace|resizeNodes|toPeriodic)-)[a-z0-9]{5}$/;
/** Go's time.Time.String() of a UTC time (ShowPoolStatistics' operationTime). */
const GO_TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? [+-]\d{4} UTC/g;
const ISSUED_TOKEN = /atl\.[A-Za-z0-9_-]{20,}/g;

export interface NormaliserOptions {
  /** The moment times are shown relative to: the harness clock's start. */
  t0: Date;
  /** Values known to differ per run (project ids, access keys, user names), by placeholder name. */
  known?: Record<string, string>;
}

export interface WireSnapshot {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/**
 * Replaces run-dependent values with placeholders:
 * - a known value → `<name>` (longest first, so one that contains another is replaced whole);
 * - a UUID → `<uuid-N>` and 32 hex digits (ids, the random part of a generated name) → `<hex-N>`, numbered
 *   by first appearance within one response, so a value repeated in a response stays recognisably the same;
 * - the random end of `os.modelarts/resource.id` → `<hex5>`, of an order's name → `<rand5>`;
 * - a time → `<t0+Ns 0000-00-00T00:00:00Z>`: its distance from t0 and its exact format (digits zeroed),
 *   so a change of precision, time zone or clock shows; epoch milliseconds → `<t0+Ns ms>`, epoch seconds in text → `<t0+Ns s>`;
 * - `metadata.continue` → `<cursor>` (opaque to clients; its pages are snapshotted instead);
 * - an issued IAM token → `<token>`, `X-Request-Id` → `<request-id>` once it is checked to be a UUID.
 */
export class WireNormaliser {
  private readonly known: Array<[string, string]>;

  constructor(private readonly options: NormaliserOptions) {
    this.known = Object.entries(options.known ?? {})
      .filter(([, value]) => value !== '')
      .map(([name, value]): [string, string] => [value, `<${name}>`])
      .sort(([a], [b]) => b.length - a.length);
  }

  /** Adds a value known to differ per run, e.g. a project created during the test. */
  know(name: string, value: string): void {
    this.known.push([value, `<${name}>`]);
    this.known.sort(([a], [b]) => b.length - a.length);
  }

  /** Status, the API's headers and the body of a response, normalised. */
  response(res: Response): WireSnapshot {
    const scope = new Scope();
    const headers: Record<string, unknown> = {};
    for (const name of Object.keys(res.headers).sort()) {
      if (TRANSPORT_HEADERS.has(name)) continue;
      const value = res.headers[name];
      if (name === 'x-request-id') {
        expect(value, 'X-Request-Id is a UUID').toMatch(new RegExp(`^${UUID.source}$`));
        headers[name] = '<request-id>';
      } else if (name === 'x-subject-token') {
        expect(value, 'X-Subject-Token is a token').toMatch(new RegExp(`^${ISSUED_TOKEN.source}$`));
        headers[name] = '<token>';
      } else {
        headers[name] = this.value(value, scope);
      }
    }
    const body = res.body === undefined ? (res.text === '' ? undefined : { text: res.text }) : res.body;
    return { status: res.status, headers, body: this.value(body, scope) };
  }

  /** Any JSON value, normalised (a fresh numbering scope unless one is given). */
  value(value: unknown, scope = new Scope(), key?: string): unknown {
    if (typeof value === 'string') return key === 'continue' ? '<cursor>' : this.string(value, scope);
    if (typeof value === 'number' && EPOCH_MS_NUMBER.test(String(value))) {
      return `<${this.offset(value)} ms (number)>`;
    }
    if (Array.isArray(value)) return value.map((item) => this.value(item, scope));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.string(k, scope)] = this.value(v, scope, k);
      return out;
    }
    return value;
  }

  private string(text: string, scope: Scope): string {
    let out = text;
    for (const [value, placeholder] of this.known) out = out.split(value).join(placeholder);
    out = out.replace(ISSUED_TOKEN, '<token>');
    out = out.replace(UUID, (m) => scope.name('uuid', m));
    out = out.replace(HEX32, (m) => scope.name('hex', m));
    out = out.replace(RESOURCE_ID, (_, prefix: string) => `${prefix}<hex5>`);
    out = out.replace(ORDER_NAME, (_, kind: string) => `${kind}<rand5>`);
    out = out.replace(ISO_TIME, (m) => `<${this.offset(Date.parse(m))} ${m.replace(/\d/g, '0')}>`);
    out = out.replace(GO_TIME, (m) => `<${this.offset(Date.parse(m.replace(' UTC', '')))} ${m.replace(/\d/g, '0')}>`);
    out = out.replace(EPOCH_MS, (m) => `<${this.offset(Number(m))} ms>`);
    out = out.replace(EPOCH_S, (m) => `<${this.offset(Number(m) * 1000)} s>`);
    return out;
  }

  private offset(ms: number): string {
    const seconds = (ms - this.options.t0.getTime()) / 1000;
    return `t0${seconds < 0 ? '-' : '+'}${Math.abs(seconds)}s`;
  }
}

/** Numbering of one response: the same value gets the same placeholder. */
class Scope {
  private readonly seen = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  name(kind: string, value: string): string {
    const key = `${kind}:${value}`;
    let placeholder = this.seen.get(key);
    if (placeholder === undefined) {
      const n = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, n);
      placeholder = `<${kind}-${n}>`;
      this.seen.set(key, placeholder);
    }
    return placeholder;
  }
}

/**
 * Pins responses for the snapshot of the running test: `pin(res, 'what it is')` records the normalised
 * response, and after the test the list (in request order) is held against the snapshot. Matching once
 * per test rather than per response keeps a test going after the first difference, so the steps after
 * it (which move the clock and build the world the next tests see) still run, and a break shows only
 * in the responses it touches. A test that failed otherwise is not matched, so that `-u` never records
 * half a list.
 */
export function pinner(normaliser: () => WireNormaliser): (res: Response, what: string) => void {
  let pinned: Array<{ what: string } & WireSnapshot> = [];
  afterEach(({ task }) => {
    const taken = pinned;
    pinned = [];
    if (taken.length === 0 || (task.result?.errors?.length ?? 0) > 0) return;
    expect(taken).toMatchSnapshot();
  });
  return (res, what) => {
    pinned.push({ what, ...normaliser().response(res) });
  };
}

type Response = Pick<ApiResponse, 'status' | 'body' | 'text'> & { headers: Record<string, unknown> };
