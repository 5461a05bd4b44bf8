/**
 * Signs requests with the real `@huaweicloud/huaweicloud-sdk-core`, so tests hold our verifier to what the
 * official SDK actually sends rather than to our reading of it.
 *
 * The request goes through the SDK's own path — ClientBuilder → HcClient.buildRequest →
 * BasicCredentials.processAuthRequest → AKSKSigner / DerivedAKSKSigner → DefaultHttpClient → axios — and is
 * captured by an axios adapter at the point where the socket would be opened. Nothing leaves the process.
 */
import { createRequire } from 'node:module';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import type { UserOptions } from '@huaweicloud/huaweicloud-sdk-core/UserOptions.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';

type AxiosConfig = NonNullable<UserOptions['axiosRequestConfig']>;
// Derived from the SDK's own typings so this file needs no direct dependency on axios.
type AxiosAdapterFn = Extract<NonNullable<AxiosConfig['adapter']>, (...args: never[]) => unknown>;
type CapturedConfig = Parameters<AxiosAdapterFn>[0];

// axios is the SDK's dependency, not ours: resolve it from the SDK so we use the copy the SDK uses.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@huaweicloud/huaweicloud-sdk-core'));
const axios = sdkRequire('axios') as { getUri(config: CapturedConfig): string };

export interface SdkSignInput {
  method: string;
  /** Absolute URL, e.g. `http://127.0.0.1:8080/v1/<project>/quotas?x=1`. */
  url: string;
  /**
   * Extra request headers: `content-type` (default `application/json`) and operation headers such as
   * `X-ModelArts-User-ID`. A `host` header overrides the one the SDK takes from the URL.
   */
  headers?: Record<string, string>;
  /**
   * Body text. JSON bodies are handed to the SDK parsed, as generated clients hand it a model object,
   * so the wire body is the compact `JSON.stringify` form.
   */
  body?: string;
  ak: string;
  sk: string;
  /**
   * Defaults to the path segment after `/v1/` or `/v2/`, which the SDK then substitutes for `{project_id}`;
   * `null` for a client without a project (no X-Project-Id).
   */
  projectId?: string | null;
  /** Temporary credentials: the SDK adds and signs `X-Security-Token`. */
  securityToken?: string;
  /** Opt in to V11-HMAC-SHA256 (derived key) signing. */
  derived?: { regionId: string; service: string };
  /**
   * Hand the content type to the signer as a plain header, past HcClient, which turns every type that
   * contains `application/json` (`application/json; charset=utf-8`, `application/json-patch+json`) into
   * exactly `application/json`: for tests of what other clients may send.
   */
  rawContentType?: boolean;
}

export interface SdkWireRequest {
  method: string;
  /** Path and query exactly as the SDK puts them on the request line. */
  url: string;
  /** Every header the SDK sets, with the SDK's spelling (axios adds only transport headers after this). */
  headers: Record<string, string>;
  /** Body exactly as sent; `undefined` when there is none. */
  body: string | undefined;
}

/** The complete header set the official SDK sends for this request (Authorization, X-Sdk-Date, host, …). */
export async function sdkSign(input: SdkSignInput): Promise<Record<string, string>> {
  return (await sdkRequest(input)).headers;
}

/** Runs the request through the official SDK and returns it as it would go on the wire. */
export async function sdkRequest(input: SdkSignInput): Promise<SdkWireRequest> {
  const target = new URL(input.url);
  const pathMatch = /^\/(v\d+)\/([^/]+)(\/.*)?$/.exec(target.pathname);
  const projectId =
    input.projectId === null
      ? undefined
      : (input.projectId ?? (pathMatch ? decodeURIComponent(pathMatch[2]) : undefined));
  const urlTemplate =
    pathMatch && projectId !== undefined && input.projectId === undefined
      ? `/${pathMatch[1]}/{project_id}${pathMatch[3] ?? ''}`
      : target.pathname;

  let contentType = 'application/json';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') contentType = value;
    else headers[name] = value;
  }

  const credentials = new BasicCredentials().withAk(input.ak).withSk(input.sk);
  if (projectId !== undefined) credentials.withProjectId(projectId);
  if (input.securityToken !== undefined) credentials.withSecurityToken(input.securityToken);
  if (input.derived) credentials.withRegionId(input.derived.regionId).withDerivedPredicate(() => true);

  let captured: CapturedConfig | undefined;
  const adapter: AxiosAdapterFn = async (config) => {
    captured = config;
    return { data: '{}', status: 200, statusText: 'OK', headers: {}, config, request: {} };
  };

  const builder = new ClientBuilder<HcClient>((client) => client)
    .withCredential(credentials)
    .withEndpoint(target.origin)
    // A custom user agent also stops the SDK from writing ~/.huaweicloud/application_id.
    .withOptions({ customUserAgent: 'atelier-tests', axiosRequestConfig: { adapter } });
  if (input.derived) builder.withDerivedAuthServiceName(input.derived.service);
  const client = builder.build();

  if (input.rawContentType) headers['content-type'] = contentType;
  const options: HttpRequestOptions = {
    method: input.method.toUpperCase(),
    url: urlTemplate,
    contentType: input.rawContentType ? '' : contentType,
    queryParams: parseQuery(target.search.slice(1)),
    pathParams: {},
    headers,
  };
  if (input.body !== undefined) {
    // The SDK types `data` as an object, but passes any other payload (a string here) through untouched.
    options.data = /json/i.test(contentType)
      ? (JSON.parse(input.body) as Record<string, unknown>)
      : (input.body as unknown as Record<string, unknown>);
  }
  await client.sendRequest(options);
  if (!captured) throw new Error('sdk-signer: the SDK did not reach its HTTP adapter');

  const uri = new URL(axios.getUri(captured));
  const sentHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured.headers.toJSON())) {
    if (value !== undefined && value !== null)
      sentHeaders[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return {
    method: String(captured.method).toUpperCase(),
    url: uri.pathname + uri.search,
    headers: sentHeaders,
    body: typeof captured.data === 'string' ? captured.data : undefined,
  };
}

/** Query parameters as a generated client would pass them: decoded, repeated keys as arrays. */
function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    const value = decodeURIComponent(eq === -1 ? '' : part.slice(eq + 1));
    const existing = params[key];
    params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return params;
}
