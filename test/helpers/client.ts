import type { FastifyInstance } from 'fastify';
import { inject } from 'light-my-request';
import { formatSdkDate, signRequest } from './signing.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface Transport {
  /** The Host header requests will carry (it is signed). */
  readonly host: string;
  send(request: {
    method: Method;
    path: string;
    headers: Record<string, string>;
    body: string | undefined;
  }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
}

/** How a client proves who it is: an AK/SK pair (the SDK's way), a token, or nothing. */
export type Credentials = { accessKey: string; secretKey: string } | { token: string } | undefined;

/** X-Sdk-Date as the SDK writes it: YYYYMMDD'T'HHMMSS'Z'. */
export const sdkDate = (date = new Date()): string => formatSdkDate(date);

/**
 * The one way tests talk to Atelier. It sends what the official Node SDK sends
 * on every request (content-type on every method, X-Project-Id, X-Sdk-Date) and
 * signs through the SDK core itself (./signing.ts), or sends a token.
 */
export class ApiClient {
  private constructor(
    private readonly transport: Transport,
    readonly projectId: string,
    readonly credentials: Credentials,
  ) {}

  /**
   * Without a socket, through what the server runs for each request: the hot-read
   * lane, then Fastify (Fastify's own inject would skip the lane).
   */
  static inject(app: FastifyInstance, projectId: string, credentials?: Credentials): ApiClient {
    const transport: Transport = {
      host: 'localhost',
      async send({ method, path, headers, body }) {
        const res = await inject(app.handleRequest, { method, url: path, headers, payload: body });
        return { status: res.statusCode, headers: res.headers as ApiResponse['headers'], text: res.body };
      },
    };
    return new ApiClient(transport, projectId, credentials);
  }

  /** Over a real socket to a listening server. */
  static http(baseUrl: string, projectId: string, credentials?: Credentials): ApiClient {
    const transport: Transport = {
      host: new URL(baseUrl).host,
      async send({ method, path, headers, body }) {
        const { host: _host, ...rest } = headers;
        const res = await fetch(new URL(path, baseUrl), { method, headers: rest, body });
        return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
      },
    };
    return new ApiClient(transport, projectId, credentials);
  }

  withProject(projectId: string): ApiClient {
    return new ApiClient(this.transport, projectId, this.credentials);
  }

  withCredentials(credentials: Credentials, projectId = this.projectId): ApiClient {
    return new ApiClient(this.transport, projectId, credentials);
  }

  async request<T = any>(
    method: Method,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; signedAt?: Date } = {},
  ): Promise<ApiResponse<T>> {
    const resolved = path.replace('{project_id}', encodeURIComponent(this.projectId));
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    let headers: Record<string, string> = {
      host: this.transport.host,
      'content-type': 'application/json',
      'x-project-id': this.projectId,
      ...options.headers,
    };
    const credentials = this.credentials;
    if (credentials && 'accessKey' in credentials) {
      headers = (
        await signRequest({
          method,
          url: resolved,
          headers,
          body,
          accessKey: credentials.accessKey,
          secretKey: credentials.secretKey,
          sdkDate: sdkDate(options.signedAt),
        })
      ).headers;
    } else {
      headers['x-sdk-date'] = sdkDate(options.signedAt);
      if (credentials) headers['x-auth-token'] = credentials.token;
    }
    headers.accept = 'application/json';
    const res = await this.transport.send({ method, path: resolved, headers, body });
    let parsed: unknown = undefined;
    try {
      parsed = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text: res.text };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { body, headers });
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, { body, headers });
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, { headers });
  }
}
